"""Gap features for each JD skill against a candidate's skills.

The tabular stream has 18 features, as in the original DualStreamMLP:
8 category one-hot + 4 role-family one-hot + 3 seniority one-hot + gap_score +
mean_knn_dist + min_knn_dist, where gap_score = 1 - the highest cosine similarity to any
resume skill, and the KNN distances are cosine distances to the k nearest resume skills
(scikit-learn NearestNeighbors). The second stream is the JD skill's raw 384-dim embedding.
A candidate with no skills is as far as can be: gap 1, distances 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from skillbridge_pipeline.core.jd_profile import ROLE_FAMILIES, SENIORITIES
from skillbridge_pipeline.core.taxonomy import CATEGORIES

K_NEIGHBOURS = 5
CATEGORY_KEYS = tuple(CATEGORIES)
FEATURE_NAMES = (
    *(f"category_{c}" for c in CATEGORY_KEYS),
    *(f"role_{r}" for r in ROLE_FAMILIES),
    *(f"seniority_{s}" for s in SENIORITIES),
    "gap_score",
    "mean_knn_dist",
    "min_knn_dist",
)
TABULAR_DIM = len(FEATURE_NAMES)  # 18
GAP_SCORE, MEAN_KNN, MIN_KNN = 15, 16, 17


@dataclass(frozen=True)
class GapFeatures:
    tabular: np.ndarray  # (n, 18) float32
    embeddings: np.ndarray  # (n, 384) float32, the JD skills' vectors
    closest: list[int | None]  # index of the closest resume skill per JD skill
    similarity: np.ndarray  # (n,) cosine similarity to that closest skill


def one_hot(value: str, choices: Sequence[str]) -> list[float]:
    return [1.0 if value == c else 0.0 for c in choices]


def gap_features(
    jd_vectors: np.ndarray,
    jd_categories: Sequence[str],
    resume_vectors: np.ndarray,
    role_family: str | Sequence[str],
    seniority: str | Sequence[str],
    k: int = K_NEIGHBOURS,
) -> GapFeatures:
    """Features of JD skills (possibly from several JDs: then role family and seniority are
    given per row) against one candidate; one KNN fit serves all rows."""
    n = len(jd_vectors)
    roles = [role_family] * n if isinstance(role_family, str) else list(role_family)
    levels = [seniority] * n if isinstance(seniority, str) else list(seniority)
    tabular = np.zeros((n, TABULAR_DIM), dtype=np.float32)
    for i, category in enumerate(jd_categories):
        tabular[i, :8] = one_hot(category, CATEGORY_KEYS)
        tabular[i, 8:12] = one_hot(roles[i], ROLE_FAMILIES)
        tabular[i, 12:15] = one_hot(levels[i], SENIORITIES)
    if n == 0:
        return GapFeatures(tabular, jd_vectors.astype(np.float32), [], np.zeros(0, np.float32))
    if len(resume_vectors) == 0:
        tabular[:, GAP_SCORE:] = 1.0
        return GapFeatures(
            tabular, jd_vectors.astype(np.float32), [None] * n, np.zeros(n, np.float32)
        )
    from sklearn.neighbors import NearestNeighbors  # here: only steps that score load it

    similarity = jd_vectors @ resume_vectors.T  # unit vectors: cosine
    best = similarity.argmax(axis=1)
    best_similarity = np.clip(similarity[np.arange(n), best], -1.0, 1.0)
    knn = NearestNeighbors(n_neighbors=min(k, len(resume_vectors)), metric="cosine")
    distances, _ = knn.fit(resume_vectors).kneighbors(jd_vectors)
    tabular[:, GAP_SCORE] = np.clip(1.0 - best_similarity, 0.0, 1.0)
    tabular[:, MEAN_KNN] = distances.mean(axis=1)
    tabular[:, MIN_KNN] = distances.min(axis=1)
    return GapFeatures(
        tabular, jd_vectors.astype(np.float32), [int(b) for b in best], best_similarity
    )
