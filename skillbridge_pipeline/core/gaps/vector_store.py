"""The Chroma collection of skill vectors: the taxonomy and every skill seen in a document.

Embedded `PersistentClient` by default, `HttpClient` against a Chroma server by configuration.
Embeddings are always passed in (Chroma's default embedding function would download a model),
and anonymised telemetry is off.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

COLLECTION = "skills"
_UPSERT_CHUNK = 2000


def chroma_client(path: str | None = None, host: str | None = None, port: int = 8000):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    return chromadb.PersistentClient(path=path, settings=settings)


class SkillVectorStore:
    def __init__(self, client):
        self.collection = client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        for i in range(0, len(ids), _UPSERT_CHUNK):
            self.collection.upsert(
                ids=list(ids[i : i + _UPSERT_CHUNK]),
                embeddings=vectors[i : i + _UPSERT_CHUNK].tolist(),
                metadatas=list(metadatas[i : i + _UPSERT_CHUNK]),
            )

    def nearest(self, vector: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the k nearest skills."""
        result = self.collection.query(query_embeddings=[vector.tolist()], n_results=k)
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def count(self) -> int:
        return self.collection.count()
