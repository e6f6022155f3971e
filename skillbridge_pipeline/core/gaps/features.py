"""Gap features for each JD skill against a candidate's skills.

The first 18 are the original DualStreamMLP's tabular stream: 8 category one-hot + 4
role-family one-hot + 3 seniority one-hot + gap_score + mean_knn_dist + min_knn_dist, where
gap_score = 1 - the highest cosine similarity to any resume skill, and the KNN distances are
cosine distances to the k nearest resume skills (scikit-learn NearestNeighbors). A candidate
with no skills is as far as can be: gap 1, distances 1.

Then 10 signals a recruiter reads: how the JD asks for the skill (required / preferred /
unspecified), how often it names it (log-scaled), whether it names it in the title or in a
list line, how many skills the JD asks for, and what the market says of the skill (O*NET Hot
Technology, In Demand, share of the role family's occupations listing it). The second stream
is the JD skill's raw 384-dim embedding. Every feature is in [0, 1].
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from skillbridge_pipeline.core.skills.jd_profile import ROLE_FAMILIES, SENIORITIES, job_title
from skillbridge_pipeline.core.skills.market import SkillMarket
from skillbridge_pipeline.core.skills.taxonomy import CATEGORIES

K_NEIGHBOURS = 5
CATEGORY_KEYS = tuple(CATEGORIES)
BASELINE_FEATURES = (
    *(f"category_{c}" for c in CATEGORY_KEYS),
    *(f"role_{r}" for r in ROLE_FAMILIES),
    *(f"seniority_{s}" for s in SENIORITIES),
    "gap_score",
    "mean_knn_dist",
    "min_knn_dist",
)
BASELINE_DIM = len(BASELINE_FEATURES)  # 18: the original's features, read by the baseline model
GAP_SCORE, MEAN_KNN, MIN_KNN = 15, 16, 17
REQUIREMENTS = ("required", "preferred", "unspecified")
SIGNAL_NAMES = (
    *(f"asked_{r}" for r in REQUIREMENTS),
    "mentions",
    "in_title",
    "in_list",
    "jd_skill_count",
    "hot_technology",
    "in_demand",
    "role_share",
)
FEATURE_NAMES = (*BASELINE_FEATURES, *SIGNAL_NAMES)
TABULAR_DIM = len(FEATURE_NAMES)  # 28
SIGNALS = slice(BASELINE_DIM, TABULAR_DIM)
MENTIONS, IN_TITLE = SIGNAL_NAMES.index("mentions"), SIGNAL_NAMES.index("in_title")  # in a row
_BULLETS = "-*+>\u2022\u00b7\u25aa\u25e6\u2023\u2013"  # - * + > and typographic bullets
_LIST_LINE = re.compile(rf"^[ \t]*(?:[{re.escape(_BULLETS)}]|\d{{1,2}}[.)])[ \t]", re.M)


@dataclass(frozen=True)
class GapFeatures:
    tabular: np.ndarray  # (n, 18) float32
    embeddings: np.ndarray  # (n, 384) float32, the JD skills' vectors
    closest: list[int | None]  # index of the closest resume skill per JD skill
    similarity: np.ndarray  # (n,) cosine similarity to that closest skill


def one_hot(value: str, choices: Sequence[str]) -> list[float]:
    return [1.0 if value == c else 0.0 for c in choices]


def jd_signals(
    jd_skills: Sequence[dict], jd_text: str, role_family: str, market: SkillMarket
) -> np.ndarray:
    """The 10 signal features of each skill a JD asks for, from its records (requirement and
    mention offsets, as `FoundSkill.record()` writes them) and the JD's text."""
    body = jd_text.lstrip()
    title_end = len(jd_text) - len(body) + len(body.partition("\n")[0]) if job_title(body) else 0
    line_starts = [0] + [m.end() for m in re.finditer("\n", jd_text)]
    listed = {bisect_right(line_starts, m.start()) - 1 for m in _LIST_LINE.finditer(jd_text)}
    count = min(1.0, math.log2(1 + len(jd_skills)) / 6)  # 63 skills or more: 1
    signals = np.zeros((len(jd_skills), len(SIGNAL_NAMES)), dtype=np.float32)
    for i, skill in enumerate(jd_skills):
        mentions = skill.get("mentions") or [(skill.get("start", 0), skill.get("end", 0))]
        lines = {bisect_right(line_starts, start) - 1 for start, _ in mentions}
        requirement = skill.get("requirement") or "unspecified"
        signals[i, : len(REQUIREMENTS)] = one_hot(requirement, REQUIREMENTS)
        signals[i, len(REQUIREMENTS) :] = (
            min(1.0, math.log2(1 + len(mentions)) / 3),  # 7 mentions or more: 1
            any(start < title_end for start, _ in mentions),
            bool(lines & listed),
            count,
            skill["skill_id"] in market.hot,
            skill["skill_id"] in market.in_demand,
            math.sqrt(market.share(skill["skill_id"], role_family)),
        )
    return signals


def gap_features(
    jd_vectors: np.ndarray,
    jd_categories: Sequence[str],
    resume_vectors: np.ndarray,
    role_family: str | Sequence[str],
    seniority: str | Sequence[str],
    signals: np.ndarray | None = None,
    k: int = K_NEIGHBOURS,
) -> GapFeatures:
    """Features of JD skills (possibly from several JDs: then role family and seniority are
    given per row) against one candidate; one KNN fit serves all rows. `signals` are the rows'
    `jd_signals` (zero when not given)."""
    n = len(jd_vectors)
    roles = [role_family] * n if isinstance(role_family, str) else list(role_family)
    levels = [seniority] * n if isinstance(seniority, str) else list(seniority)
    tabular = np.zeros((n, TABULAR_DIM), dtype=np.float32)
    if signals is not None and n:
        tabular[:, SIGNALS] = signals
    for i, category in enumerate(jd_categories):
        tabular[i, :8] = one_hot(category, CATEGORY_KEYS)
        tabular[i, 8:12] = one_hot(roles[i], ROLE_FAMILIES)
        tabular[i, 12:15] = one_hot(levels[i], SENIORITIES)
    if n == 0:
        return GapFeatures(tabular, jd_vectors.astype(np.float32), [], np.zeros(0, np.float32))
    if len(resume_vectors) == 0:
        tabular[:, GAP_SCORE:BASELINE_DIM] = 1.0
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
