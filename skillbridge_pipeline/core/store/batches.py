"""Batches, the unit of work: one row per batch (a dynamic partition), what it holds, which
run took it and how it ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)

from skillbridge_pipeline.core.store.db import Database, RowRecord, UtcDateTime, metadata, now

BATCH_STATUSES = ("dispatched", "running", "done", "failed", "dead")


# One row per batch (a dynamic partition): documents of one kind, or analysis requests.
batches = Table(
    "batches",
    metadata,
    Column("batch_key", String(128), primary_key=True),
    Column("kind", String(16), nullable=False),  # resume | jd | analysis
    Column("size", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("strict", Integer, nullable=False, default=0),  # a replayed document, alone
    Column("job_name", String(64)),
    Column("run_id", String(64)),
    Column("attempts", Integer, nullable=False, default=1),  # times its run was requested
    Column("error", Text),
    Column("retired", Integer, nullable=False, default=0),  # left the partition set
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)


@dataclass(frozen=True)
class BatchRecord(RowRecord):
    batch_key: str
    kind: str
    size: int
    status: str
    strict: int
    job_name: str | None
    run_id: str | None
    attempts: int
    error: str | None
    retired: int
    created_at: datetime


class BatchTables(Database):
    def _add_batch(
        self, conn, batch_key: str, kind: str, size: int, job_name: str, strict: bool = False
    ) -> None:
        stamp = now()
        conn.execute(
            batches.insert().values(
                batch_key=batch_key,
                kind=kind,
                size=size,
                status="dispatched",
                strict=int(strict),
                job_name=job_name,
                attempts=1,
                retired=0,
                created_at=stamp,
                updated_at=stamp,
            )
        )

    def update_batch(self, batch_key: str, **values: Any) -> None:
        """Status, run id, counts or error of a batch (see the `batches` columns)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(batches)
                .where(batches.c.batch_key == batch_key)
                .values(**values, updated_at=now())
            )

    def get_batch(self, batch_key: str) -> BatchRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(batches).where(batches.c.batch_key == batch_key)).first()
        return BatchRecord.from_row(row) if row else None

    def unstarted_batches(self, older_than: timedelta, limit: int) -> list[BatchRecord]:
        """Batches dispatched long ago whose run never started (the daemon died first)."""
        return self.batches_in("dispatched", older_than, limit)

    def batches_in(self, status: str, older_than: timedelta, limit: int) -> list[BatchRecord]:
        """Batches in this status made longer ago than `older_than`, oldest first."""
        query = (
            select(batches)
            .where(batches.c.status == status, batches.c.created_at < now() - older_than)
            .order_by(batches.c.created_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [BatchRecord.from_row(r) for r in conn.execute(query)]

    def batches_to_retire(self, older_than: timedelta, limit: int) -> list[str]:
        """Finished batches past the retention window that are still Dagster partitions."""
        query = (
            select(batches.c.batch_key)
            .where(
                batches.c.retired == 0,
                batches.c.status.in_(["done", "failed", "dead"]),
                batches.c.created_at < now() - older_than,
            )
            .order_by(batches.c.created_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def mark_retired(self, batch_keys: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(batches).where(batches.c.batch_key.in_(list(batch_keys))).values(retired=1)
            )
