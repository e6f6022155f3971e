"""Scoring analyses with a trained model: the one code path of the asset and the CLI."""

from __future__ import annotations

import numpy as np

from skillbridge_pipeline.core.gaps.embeddings import EmbeddingCache
from skillbridge_pipeline.core.gaps.features import GapFeatures
from skillbridge_pipeline.core.gaps.scoring import (
    NotFound,
    PairInput,
    pair_features,
    score_features,
    stored_pairs,
)
from skillbridge_pipeline.core.skills.market import SkillMarket
from skillbridge_pipeline.core.skills.taxonomy import Taxonomy
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.ml_training.model import predict
from skillbridge_pipeline.ml_training.registry import TrainedGapModel

NOVEL_DISTANCE = 0.35  # farther than this from every trained skill: priority is extrapolated


class GapScorer:
    def __init__(self, trained: TrainedGapModel, cache: EmbeddingCache, taxonomy: Taxonomy):
        self.trained = trained
        self.cache = cache
        self.taxonomy = taxonomy
        self.market = SkillMarket.of(taxonomy)

    def _predict(self, tabular: np.ndarray, embeddings: np.ndarray):
        if len(tabular) == 0:
            return np.zeros(0, int), np.zeros(0, np.float32)
        levels, _, scores = predict(self.trained.model, tabular, embeddings)
        return levels, scores

    def _explain(self, names: list[str]) -> dict[str, list[str]]:
        """Trained skills within NOVEL_DISTANCE of each skill (none: the priority is
        extrapolated from farther examples)."""
        distances, indices = self.trained.knn.kneighbors(self.cache.matrix(names))
        return {
            name: [
                self.taxonomy.skills[self.trained.knn_skill_ids[j]].name
                for d, j in zip(row_d, row_i, strict=True)
                if d <= NOVEL_DISTANCE
            ]
            for name, row_d, row_i in zip(names, distances, indices, strict=True)
        }

    def score_many(self, pairs: list[PairInput]) -> list[dict]:
        return self.score_features(pairs, pair_features(pairs, self.cache.matrix, self.market))

    def score_features(
        self, pairs: list[PairInput], features: list[GapFeatures | None]
    ) -> list[dict]:
        """Scores from features already computed (the `gap_features` asset's table)."""
        return score_features(
            pairs,
            features,
            self._predict,
            self._explain,
            self.trained.version,
            self.taxonomy.ancestors,
        )

    def score(
        self,
        resume_id: str,
        jd_id: str,
        resume_skills: list[dict],
        jd_skills: list[dict],
        role_family: str,
        seniority: str,
        jd_text: str = "",
    ) -> dict:
        pair = PairInput(
            resume_id, jd_id, resume_skills, jd_skills, role_family, seniority, jd_text
        )
        return self.score_many([pair])[0]

    def score_stored(self, store: ResultsStore, resume_id: str, jd_id: str) -> dict:
        """Score a pair from the results store; unknown or unfinished documents -> NotFound."""
        [(result, error)] = self.score_stored_many(store, [(resume_id, jd_id)])
        if error:
            raise error
        return result

    def score_stored_many(
        self, store: ResultsStore, pairs: list[tuple[str, str]]
    ) -> list[tuple[dict | None, NotFound | None]]:
        """(result, None) or (None, NotFound) per pair, reading the store a few times in all."""
        ready, outcomes = stored_pairs(store, pairs)
        scored = iter(self.score_many(ready))
        return [(None, error) if error else (next(scored), None) for error in outcomes]
