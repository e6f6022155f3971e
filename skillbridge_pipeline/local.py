"""The pipeline's stages in one process, without Dagster: for `skillbridge analyze` and
`skillbridge train`. Same core functions as the assets, same embedded stores."""

from __future__ import annotations

from pathlib import Path

from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.embeddings import Embedder, EmbeddingCache
from skillbridge_pipeline.core.extraction import SkillExtractor
from skillbridge_pipeline.core.jd_profile import profile_job
from skillbridge_pipeline.core.parsing import parse_document
from skillbridge_pipeline.core.processing import TextOutcome, extract_one
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.core.taxonomy import load_taxonomy
from skillbridge_pipeline.ml_training.assets import SKILLSPAN_TRAIN
from skillbridge_pipeline.ml_training.registry import ModelRegistry
from skillbridge_pipeline.ml_training.scoring import GapScorer
from skillbridge_pipeline.ml_training.training import TrainingSummary, train_gap_model
from skillbridge_pipeline.ml_training.training_data import build_examples


class LocalPipeline:
    def __init__(self, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        self.store = ResultsStore(f"sqlite:///{home / 'results.db'}")
        self.store.create_schema()
        self.taxonomy = load_taxonomy()
        self.extractor = SkillExtractor(self.taxonomy)
        self.cache = EmbeddingCache(self.store, Embedder())
        self.registry = ModelRegistry(home / "models")

    def train(self) -> TrainingSummary:
        examples = build_examples(
            self.taxonomy, self.extractor, self.cache.vectors, SKILLSPAN_TRAIN
        )
        return train_gap_model(examples, self.taxonomy, self.cache, self.registry)

    def skills_of(self, path: Path, kind: str) -> tuple[str, list[dict], str]:
        data = path.read_bytes()
        parsed = parse_document(data, path.name, kind)
        doc_id = document_id(data)
        text = TextOutcome(
            doc_id, kind, "parsed", parsed.format, parsed.pages, parsed.text, len(parsed.text)
        )
        outcome = extract_one(text, self.extractor)
        return doc_id, outcome.skills, parsed.text

    def analyze_files(self, resume: Path, jd: Path) -> dict:
        if not self.registry.latest_version():
            import sys

            print("no trained gap model yet: training one (about a minute)...", file=sys.stderr)
            self.train()
        resume_id, resume_skills, _ = self.skills_of(resume, "resume")
        jd_id, jd_skills, jd_text = self.skills_of(jd, "jd")
        profile = profile_job(jd_text, (s["category"] for s in jd_skills))
        scorer = GapScorer(self.registry.load(), self.cache, self.taxonomy)
        return scorer.score(
            resume_id, jd_id, resume_skills, jd_skills, profile.role_family, profile.seniority
        )
