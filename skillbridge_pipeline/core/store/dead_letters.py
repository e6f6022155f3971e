"""The dead-letter queue: one row per failed event, in the results store.

An event is what failed: a document partition, a batch of partitions, an analysis, or (later)
a Kafka message. A repeated failure of the same event updates its row (attempts, last failure);
replaying marks it `replayed`, and a successful replay `resolved`.

When the store itself is what failed (PostgreSQL refusing connections), a letter is written to
a local spool folder instead, one JSON file each, and moved into the store by `drain` once it
answers again: by the next failure hook, the run-failure sensor and every `skillbridge dlq`.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, func, select, update
from sqlalchemy.exc import OperationalError

from skillbridge_pipeline.core.store.db import Database, UtcDateTime, metadata, now

DLQ_STATUSES = ("open", "replayed", "resolved")

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_key", String(256), nullable=False, unique=True),
    Column("subject", String(256)),  # document or analysis id, or a partition range
    Column("asset", String(128)),
    Column("partition_key", String(256)),
    Column("job_name", String(128)),
    Column("run_id", String(64)),
    Column("error_type", String(128), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("payload", Text),  # where the raw payload is kept (landing path, Kafka coordinates)
    Column("first_failed_at", UtcDateTime(), nullable=False),
    Column("last_failed_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("replay_run_key", String(128)),
)


@dataclass(frozen=True)
class DeadLetter:
    id: int
    event_key: str
    subject: str | None
    asset: str | None
    partition_key: str | None
    job_name: str | None
    run_id: str | None
    error_type: str
    error_message: str
    attempts: int
    payload: str | None
    status: str
    replay_run_key: str | None

    @classmethod
    def from_row(cls, row: Any) -> DeadLetter:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def record(
    store: Database,
    *,
    event_key: str,
    error_type: str,
    error_message: str,
    attempts: int = 1,
    failed_at: datetime | None = None,
    **fields: Any,
) -> int:
    """Insert the event's row, or update it when it failed before. Returns its id."""
    stamp = failed_at or now()
    with store.engine.begin() as conn:
        existing = conn.execute(
            select(dead_letters.c.id).where(dead_letters.c.event_key == event_key)
        ).scalar()
        values = {
            "error_type": error_type[:128],
            "error_message": error_message[:4000],
            "last_failed_at": stamp,
            "status": "open",
            **fields,
        }
        if existing is None:
            return conn.execute(
                dead_letters.insert().values(
                    event_key=event_key, attempts=attempts, first_failed_at=stamp, **values
                )
            ).inserted_primary_key[0]
        conn.execute(
            update(dead_letters)
            .where(dead_letters.c.id == existing)
            .values(attempts=dead_letters.c.attempts + attempts, **values)
        )
        return existing


def record_or_spool(store: Database, spool: Path | None, **letter: Any) -> int | None:
    """Record the letter (after any spooled ones); while the store is unreachable, spool it.
    Returns its row id, or None when it was spooled."""
    try:
        drain(store, spool)
        return record(store, **letter)
    except OperationalError:
        if spool is None:
            raise
        write_to_spool(spool, letter)
        return None


def write_to_spool(spool: Path, letter: dict[str, Any]) -> Path:
    spool.mkdir(parents=True, exist_ok=True)
    body = json.dumps({**letter, "failed_at": now().isoformat()}, default=str)
    fd, tmp = tempfile.mkstemp(dir=spool, suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        out.write(body)
    path = spool / f"{now().strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}.json"
    os.replace(tmp, path)  # atomic: drain never reads half a letter
    return path


def drain(store: Database, spool: Path | None) -> int:
    """Move spooled letters into the store, oldest first. Returns how many moved."""
    if spool is None or not spool.exists():
        return 0
    moved = 0
    for path in sorted(spool.glob("*.json")):
        letter = json.loads(path.read_text())
        letter["failed_at"] = datetime.fromisoformat(letter["failed_at"])
        record(store, **letter)
        path.unlink()
        moved += 1
    return moved


def listing(
    store: Database, status: str | None = None, limit: int = 100, offset: int = 0
) -> list[DeadLetter]:
    query = select(dead_letters).order_by(dead_letters.c.id).offset(offset).limit(limit)
    if status:
        query = query.where(dead_letters.c.status == status)
    with store.engine.connect() as conn:
        return [DeadLetter.from_row(r) for r in conn.execute(query)]


def get(store: Database, dead_letter_id: int) -> DeadLetter | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(dead_letters).where(dead_letters.c.id == dead_letter_id)).first()
        return DeadLetter.from_row(row) if row else None


def set_status(
    store: Database, ids: Sequence[int], status: str, replay_run_key: str | None = None
) -> None:
    values: dict[str, Any] = {"status": status}
    if replay_run_key:
        values["replay_run_key"] = replay_run_key
    with store.engine.begin() as conn:
        conn.execute(update(dead_letters).where(dead_letters.c.id.in_(list(ids))).values(**values))


def depth(store: Database) -> int:
    """Open rows: what the dlq_depth gauge shows."""
    with store.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(dead_letters).where(dead_letters.c.status == "open")
        ).scalar()
