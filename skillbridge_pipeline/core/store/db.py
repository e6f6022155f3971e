"""The results store's engine, metadata and column types, shared by every table group.

SQLAlchemy Core over SQLite by default and PostgreSQL by URL. Each table group (documents,
batches, requests, analyses, embeddings, dead letters, tokens) defines its tables on the one
`metadata` here, so migrations and `drop_all` see them all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Table, TypeDecorator, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

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

    def dispose(self) -> None:
        self.engine.dispose()
