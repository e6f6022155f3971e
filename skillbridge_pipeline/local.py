"""The pipeline's stages in one process, without Dagster: for `skillbridge analyze` and
`skillbridge train`. Same core functions as the assets, same embedded stores."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.documents.parse_worker import ParseWorker
from skillbridge_pipeline.core.documents.parsing import refuse_oversized
from skillbridge_pipeline.core.documents.processing import TextOutcome, extract_one
from skillbridge_pipeline.core.gaps.embeddings import Embedder, EmbeddingCache
from skillbridge_pipeline.core.gaps.scoring import PairInput
from skillbridge_pipeline.core.gaps.vector_store import chroma_client
from skillbridge_pipeline.core.roadmaps import llm
from skillbridge_pipeline.core.roadmaps.catalog import ResourceIndex, load_catalog
from skillbridge_pipeline.core.roadmaps.engine import offered_resources
from skillbridge_pipeline.core.roadmaps.enhancer import enhance
from skillbridge_pipeline.core.skills.extraction import SkillExtractor
from skillbridge_pipeline.core.skills.linker import SemanticLinker
from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.ml_training.assets import SKILLSPAN_TRAIN
from skillbridge_pipeline.ml_training.registry import ModelRegistry
from skillbridge_pipeline.ml_training.scoring import GapScorer
from skillbridge_pipeline.ml_training.training import TrainingSummary, train_gap_model
from skillbridge_pipeline.ml_training.training_data import build_examples
from skillbridge_pipeline.resources import embedded_resources


@dataclass(frozen=True)
class LocalDocument:
    doc_id: str
    filename: str
    kind: str
    text: str
    skills: list[dict]
    title: str | None = None
    role_family: str | None = None
    seniority: str | None = None


class LocalPipeline:
    def __init__(self, home: Path, settings: llm.LlmSettings | None = None, hours: int = 6):
        home.mkdir(parents=True, exist_ok=True)
        self.store = ResultsStore(f"sqlite:///{home / 'results.db'}")
        self.store.create_schema()
        self.taxonomy = load_taxonomy()
        self.extractor = SkillExtractor(self.taxonomy, linker=SemanticLinker(self.taxonomy))
        self.cache = EmbeddingCache(self.store, Embedder())
        self.registry = ModelRegistry(home / "models")
        self.chroma_path = home / "chroma"
        self.settings = settings or llm.LlmSettings()
        self.hours_per_week = hours
        self._documents: dict[tuple[Path, str], LocalDocument] = {}
        self.home = home
        self._worker: ParseWorker | None = None
        self._scorer: GapScorer | None = None
        self._index: ResourceIndex | None = None
        self._catalog = load_catalog()

    def train(self) -> TrainingSummary:
        examples = build_examples(
            self.taxonomy, self.extractor, self.cache.vectors, SKILLSPAN_TRAIN
        )
        return train_gap_model(examples, self.taxonomy, self.cache, self.registry)

    def document(self, path: Path, kind: str) -> LocalDocument:
        """A file parsed and its skills extracted, once per path in this process."""
        key = (path.resolve(), kind)
        if key not in self._documents:
            # The pipeline's parse worker and limits: a hostile file is stopped at the time and
            # memory limits, and one over the size limit is refused before it is read.
            if self._worker is None:
                self._worker = embedded_resources(self.home)["landing"].parse_worker()
            refuse_oversized(path.stat().st_size, self._worker.limits.max_document_bytes)
            parsed = self._worker.parse(str(path), path.name, kind)
            data = path.read_bytes()
            doc_id = document_id(data)
            text = TextOutcome(
                doc_id, kind, "parsed", parsed.format, parsed.pages, parsed.text, len(parsed.text)
            )
            outcome = extract_one(text, self.extractor)
            self._documents[key] = LocalDocument(
                doc_id,
                path.name,
                kind,
                parsed.text,
                outcome.skills,
                outcome.title,
                outcome.role_family,
                outcome.seniority,
            )
        return self._documents[key]

    def scorer(self) -> GapScorer:
        if self._scorer is None:
            if not self.registry.latest_version():
                print("no trained gap model yet: training one (about a minute)...", file=sys.stderr)
                self.train()
            self._scorer = GapScorer(self.registry.load(), self.cache, self.taxonomy)
        return self._scorer

    def resource_index(self) -> ResourceIndex | None:
        """The catalog's Chroma collection under this home, filled on first use."""
        if self._catalog is None:
            return None
        if self._index is None:
            self._index = ResourceIndex(chroma_client(path=str(self.chroma_path)), self._catalog)
            if not self._index.ready():
                print("embedding the learning-resource catalog (once)...", file=sys.stderr)
            self._index.ensure_filled(self.cache.matrix, self.store.exclusive)
        return self._index

    def score(self, pairs: Sequence[tuple[LocalDocument, LocalDocument]]) -> list[dict]:
        inputs = [
            PairInput(
                resume.doc_id,
                jd.doc_id,
                resume.skills,
                jd.skills,
                jd.role_family or "software_engineering",
                jd.seniority or "mid",
                jd.text,
            )
            for resume, jd in pairs
        ]
        return self.scorer().score_many(inputs)

    def answers(self, pairs: Sequence[tuple[LocalDocument, LocalDocument]]) -> list[dict]:
        """The whole answer per pair: the analysis, its roadmap and the enhancer's suggestions
        (the `skill_gaps` and `roadmaps` assets' code paths), scored and looked up together."""
        analyses = self.score(pairs)
        index = self.resource_index()
        offered = offered_resources(analyses, index, self.cache.matrix) if index else None
        out = []
        for (resume, jd), analysis in zip(pairs, analyses, strict=True):
            out.append(
                {
                    "resume": {"file": resume.filename, "doc_id": resume.doc_id},
                    "jd": {"file": jd.filename, "doc_id": jd.doc_id, "title": jd.title},
                    "analysis": analysis,
                    "roadmap": llm.roadmap(analysis, offered, self.settings, self.hours_per_week),
                    "suggestions": enhance(
                        resume.text, resume.skills, jd.skills, self.extractor, self.settings
                    ),
                }
            )
        return out
