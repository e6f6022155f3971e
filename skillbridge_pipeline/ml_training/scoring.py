"""Scoring analyses with a trained model: the one code path of the asset and the CLI."""

from __future__ import annotations

import numpy as np

from skillbridge_pipeline.core.documents import KIND_LABELS, failed_document_reason
from skillbridge_pipeline.core.embeddings import EmbeddingCache
from skillbridge_pipeline.core.gaps import NotFound, PairInput, score_pairs
from skillbridge_pipeline.core.store import DocumentRecord, ResultsStore
from skillbridge_pipeline.core.taxonomy import Taxonomy
from skillbridge_pipeline.ml_training.model import predict
from skillbridge_pipeline.ml_training.registry import TrainedGapModel

NOVEL_DISTANCE = 0.35  # farther than this from every trained skill: priority is extrapolated


class GapScorer:
    def __init__(self, trained: TrainedGapModel, cache: EmbeddingCache, taxonomy: Taxonomy):
        self.trained = trained
        self.cache = cache
        self.taxonomy = taxonomy

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
        return score_pairs(
            pairs, self.cache.matrix, self._predict, self._explain, self.trained.version
        )

    def score(
        self,
        resume_id: str,
        jd_id: str,
        resume_skills: list[dict],
        jd_skills: list[dict],
        role_family: str,
        seniority: str,
    ) -> dict:
        pair = PairInput(resume_id, jd_id, resume_skills, jd_skills, role_family, seniority)
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
        resumes = store.documents_by_id("resume", (r for r, _ in pairs))
        jds = store.documents_by_id("jd", (j for _, j in pairs))
        resume_skills = store.skills_many("resume", resumes)
        jd_skills = store.skills_many("jd", jds)
        ready, outcomes = [], []
        for resume_id, jd_id in pairs:
            error = _not_ready("resume", resume_id, resumes) or _not_ready("jd", jd_id, jds)
            outcomes.append(error)
            if error is None:
                jd = jds[jd_id]
                ready.append(
                    PairInput(
                        resume_id,
                        jd_id,
                        resume_skills[resume_id],
                        jd_skills[jd_id],
                        jd.role_family or "software_engineering",
                        jd.seniority or "mid",
                    )
                )
        scored = iter(self.score_many(ready))
        return [(None, error) if error else (next(scored), None) for error in outcomes]


def _not_ready(kind: str, doc_id: str, documents: dict[str, DocumentRecord]) -> NotFound | None:
    label = KIND_LABELS[kind]
    document = documents.get(doc_id)
    if document is None:
        return NotFound(f"unknown {label} id {doc_id!r}")
    if document.status == "failed":
        return NotFound(failed_document_reason(kind, document.error))
    if document.status != "extracted":
        return NotFound(f"{label} {doc_id} is {document.status}, not extracted")
    return None
