"""The results store: what the pipeline knows of every document, batch, request and analysis.

`ResultsStore` is the one object that reaches the tables: one mixin per table group
(`documents.py`, `batches.py`, `requests.py`, `analyses.py`, `embeddings.py`) over the engine in
`db.py`. Dead letters and API tokens are module functions over a store (`dead_letters.py`,
`tokens.py`): they are read and written by the CLI and the hooks, not by the lineage. Every
table is on `db.metadata`, imported here, so `create_schema` and migrations see them all.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, literal, select, text
from sqlalchemy.exc import DatabaseError, OperationalError

from skillbridge_pipeline.core.store import dead_letters, tokens
from skillbridge_pipeline.core.store.analyses import AnalysisTables
from skillbridge_pipeline.core.store.db import StoreDamaged, metadata
from skillbridge_pipeline.core.store.documents import DocumentRecord, DocumentTables
from skillbridge_pipeline.core.store.embeddings import EmbeddingTables
from skillbridge_pipeline.core.store.requests import RequestRecord, RequestTables
from skillbridge_pipeline.migrations import VERSION_TABLE, migrate

__all__ = [
    "DocumentRecord",
    "RequestRecord",
    "ResultsStore",
    "StoreDamaged",
    "dead_letters",
    "tokens",
]


class ResultsStore(DocumentTables, RequestTables, AnalysisTables, EmbeddingTables):
    def create_schema(self) -> None:
        """Create a new store, or upgrade one made by an earlier release (migrations); one
        process at a time, so two first starts on a new SQLite store do not both create it."""
        self._refuse_a_truncated_file()
        with self.exclusive("schema"):
            try:
                self._refuse_a_foreign_file()
                migrate(self.engine, metadata)
            except DatabaseError as error:
                if isinstance(error, OperationalError):
                    raise  # unreachable or locked: not damage
                raise StoreDamaged(self.url, str(error.orig)) from None

    def _refuse_a_truncated_file(self) -> None:
        """An empty SQLite file beside a landing store that holds documents was truncated:
        starting a new store over it would lose every document, analysis and token silently."""
        database = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if not database or database == ":memory:" or not Path(database).is_file():
            return
        landing = Path(database).with_name("landing")
        if Path(database).stat().st_size == 0 and landing.is_dir() and any(landing.iterdir()):
            raise StoreDamaged(self.url, f"the file is empty, but {landing} holds documents")

    def _refuse_a_foreign_file(self) -> None:
        """A SQLite file that holds tables, none of them ours, is another program's database:
        refused rather than given a new store's tables beside its own. (A PostgreSQL database
        may be shared with Dagster's tables by design.)"""
        if self.engine.dialect.name != "sqlite":
            return
        tables = set(inspect(self.engine).get_table_names())
        if tables and not tables & {*metadata.tables, VERSION_TABLE}:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreDamaged(self.url, f"it is not a SkillBridge store: it holds {shown}")

    def check(self) -> list[str]:
        """What is wrong with the store, read as the API's routes read it: every table, and on
        SQLite the file's page structure (`PRAGMA quick_check`). Empty when it is sound."""
        problems = []
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "sqlite":
                verdict = conn.execute(text("PRAGMA quick_check(1)")).scalar()
                if verdict != "ok":
                    problems.append(f"the database file is damaged ({verdict})")
            for table in metadata.sorted_tables:
                try:
                    conn.execute(select(literal(1)).select_from(table).limit(1)).all()
                except DatabaseError as error:
                    problems.append(f"table {table.name}: {error.orig}")
        return problems
