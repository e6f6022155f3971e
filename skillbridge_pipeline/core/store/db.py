"""The results store's engine, metadata and column types, shared by every table group.

SQLAlchemy Core over SQLite by default and PostgreSQL by URL. Each table group (documents,
batches, requests, analyses, embeddings, dead letters, tokens) defines its tables on the one
`metadata` here, so migrations and `drop_all` see them all.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, Table, TypeDecorator, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url

metadata = MetaData()


def now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class RowRecord:
    """A frozen dataclass read from a row: its fields are the row's columns of the same name."""

    @classmethod
    def from_row(cls, row: Any):
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


class StoreDamaged(RuntimeError):
    """The results store is there but cannot be read as one: said once, never replaced."""

    def __init__(self, url: str, detail: str):
        shown = make_url(url).render_as_string(hide_password=True)
        super().__init__(
            f"the results store {shown} is damaged ({detail}); restore it from a backup, or "
            "move it away to start an empty one"
        )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (API, sensor) alongside a writing run
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """An engine on one store URL; the table groups are mixins over it."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def upsert(self, table: Table):
        """An INSERT with `on_conflict_do_nothing` / `on_conflict_do_update` on either backend."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Hold a lock named `name` that every process on this store shares, so that one-off
        work (filling a Chroma collection) is done by one of them while the others wait:
        a PostgreSQL advisory lock, or a lock file beside the SQLite database."""
        if self.engine.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield  # an in-memory store is one process's own
            return
        path = Path(database).with_name(f"{Path(database).name}.{name}.lock")
        try:
            lock = open(path, "a")  # noqa: SIM115 (closed by the `with` below)
        except OSError:  # a read-only folder: no process can be creating anything there
            yield
            return
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def dispose(self) -> None:
        self.engine.dispose()
