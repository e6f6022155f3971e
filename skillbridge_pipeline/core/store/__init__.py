"""The results store: what the pipeline knows of every document, batch, request and analysis.

`ResultsStore` is the one object that reaches the tables: one mixin per table group
(`documents.py`, `batches.py`, `requests.py`, `analyses.py`, `embeddings.py`) over the engine in
`db.py`. Dead letters and API tokens are module functions over a store (`dead_letters.py`,
`tokens.py`): they are read and written by the CLI and the hooks, not by the lineage. Every
table is on `db.metadata`, imported here, so `create_schema` and migrations see them all.
"""

from __future__ import annotations

from skillbridge_pipeline.core.store import dead_letters, tokens
from skillbridge_pipeline.core.store.analyses import AnalysisTables
from skillbridge_pipeline.core.store.db import metadata
from skillbridge_pipeline.core.store.documents import DocumentRecord, DocumentTables
from skillbridge_pipeline.core.store.embeddings import EmbeddingTables
from skillbridge_pipeline.core.store.requests import RequestRecord, RequestTables
from skillbridge_pipeline.migrations import migrate

__all__ = ["DocumentRecord", "RequestRecord", "ResultsStore", "dead_letters", "tokens"]


class ResultsStore(DocumentTables, RequestTables, AnalysisTables, EmbeddingTables):
    def create_schema(self) -> None:
        """Create a new store, or upgrade one made by an earlier release (migrations)."""
        migrate(self.engine, metadata)
