"""Versioned model artifacts: gap_model.pt, knn_model.pkl, metrics, training curve, reliability.

Each training writes a new folder `<root>/gap_model/<version>/` and then points `LATEST` at
it, so a reader never sees half a model and older versions stay for comparison.

torch and scikit-learn are imported only to save or load a model: every Dagster process (code
server, each run) imports this module, and most of them never touch a model.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from sklearn.neighbors import NearestNeighbors

    from skillbridge_pipeline.ml_training.model import DualStreamMLP

MODEL_FILE, KNN_FILE, METRICS_FILE, CURVE_FILE, RELIABILITY_FILE = (
    "gap_model.pt",
    "knn_model.pkl",
    "metrics.json",
    "training_curve.svg",
    "reliability.svg",
)


@dataclass(frozen=True)
class TrainedGapModel:
    version: str
    model: DualStreamMLP
    knn: NearestNeighbors  # over the embeddings of every skill seen in training
    knn_skill_ids: list[str]
    path: Path


class NoTrainedModel(LookupError):
    pass


class ModelRegistry:
    def __init__(self, root: Path):
        self.root = Path(root) / "gap_model"

    def save(
        self,
        version: str,
        model: DualStreamMLP,
        skill_ids: list[str],
        skill_vectors: np.ndarray,
        metrics: dict,
        curve_svg: str,
        reliability_svg: str,
    ) -> Path:
        from sklearn.neighbors import NearestNeighbors

        from skillbridge_pipeline.ml_training.model import save_checkpoint

        folder = self.root / version
        folder.mkdir(parents=True, exist_ok=True)
        save_checkpoint(model, folder / MODEL_FILE, {"version": version})
        knn = NearestNeighbors(n_neighbors=3, metric="cosine").fit(skill_vectors)
        (folder / KNN_FILE).write_bytes(pickle.dumps({"knn": knn, "skill_ids": skill_ids}))
        (folder / METRICS_FILE).write_text(json.dumps(metrics, indent=2))
        (folder / CURVE_FILE).write_text(curve_svg)
        (folder / RELIABILITY_FILE).write_text(reliability_svg)
        latest = self.root / "LATEST"
        tmp = latest.with_suffix(".tmp")
        tmp.write_text(version)
        tmp.replace(latest)
        return folder

    def latest_version(self) -> str | None:
        latest = self.root / "LATEST"
        return latest.read_text().strip() if latest.exists() else None

    def load(self, version: str | None = None) -> TrainedGapModel:
        version = version or self.latest_version()
        if not version:
            raise NoTrainedModel(
                f"no trained gap model under {self.root}; materialise `gap_model` "
                "(skillbridge demo does) or run `skillbridge train`"
            )
        from skillbridge_pipeline.ml_training.model import load_checkpoint

        folder = self.root / version
        knn = pickle.loads((folder / KNN_FILE).read_bytes())
        return TrainedGapModel(
            version, load_checkpoint(folder / MODEL_FILE), knn["knn"], knn["skill_ids"], folder
        )
