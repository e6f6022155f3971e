"""The persistent phrase -> vector cache, shared by every process and machine on one store."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Column, LargeBinary, String, Table, select

from skillbridge_pipeline.core.store.db import Database, metadata

_CHUNK = 500

skill_embeddings = Table(
    "skill_embeddings",
    metadata,
    Column("text_key", String(512), primary_key=True),
    Column("model", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)


class EmbeddingTables(Database):
    def stored_vectors(self, model: str, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored vectors (raw float32 bytes) of those phrase keys that have one."""
        keys = list(keys)
        found: dict[str, bytes] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(keys), _CHUNK):
                rows = conn.execute(
                    select(skill_embeddings.c.text_key, skill_embeddings.c.vector).where(
                        skill_embeddings.c.model == model,
                        skill_embeddings.c.text_key.in_(keys[i : i + _CHUNK]),
                    )
                )
                found.update((key, vector) for key, vector in rows)
        return found

    def store_vectors(self, model: str, vectors: dict[str, bytes]) -> None:
        statement = self.upsert(skill_embeddings).on_conflict_do_nothing(
            index_elements=["text_key", "model"]
        )
        rows = [{"text_key": k, "model": model, "vector": v} for k, v in vectors.items()]
        with self.engine.begin() as conn:
            for i in range(0, len(rows), _CHUNK):
                conn.execute(statement, rows[i : i + _CHUNK])
