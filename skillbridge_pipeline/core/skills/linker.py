"""Link sentences to taxonomy concepts by meaning: the name matcher's partner.

People write skills as sentences ("helped 40 customers a day with complaints", "drew blood
samples") and ESCO writes them as verb phrases ("handle customer complaints", "perform
venepuncture procedures"); names meet neither. Each sentence, or each item of a list line
("Essential: patient care, phlebotomy, wound care"), that the name matcher left empty is embedded
with a static model distilled from the shipped all-MiniLM-L6-v2 (`linker_build.py`; model2vec:
a table lookup per token, thousands of sentences a second on a CPU) and compared with every
concept's labels. The best concept is kept when its calibrated probability of being right
(logistic on the similarity and its margin over the runner-up, fitted on held-out labelled
sentences, `data/linking/`) clears the threshold; the unit of text is its evidence.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

from skillbridge_pipeline.core.skills.jd_context import split_sentences
from skillbridge_pipeline.core.skills.taxonomy import DATA_DIR, Skill, Taxonomy

LINKER_DIR = DATA_DIR / "linker"
MODEL_DIR = LINKER_DIR / "model"  # built by `skillbridge build-linker` (setup runs it)
CALIBRATION_FILE = LINKER_DIR / "calibration.json"
ADAPTER_FILE = LINKER_DIR / "adapter.npy"  # trained by `skillbridge build-linker --train`
MAX_UNIT_WORDS = 40  # past this a unit is a paragraph: its mean vector means little
MAX_UNITS = 2_000  # per document: linking stays bounded on a 5 MB posting
ENCODE_BATCH = 8_192  # texts embedded at once when the concepts are built
# The inverted file over the concepts (see SemanticLinker). On the drain's units, 512 clusters
# probed 12 at a time find the exact nearest concept for 99.6% of the units confident enough
# to link (128 probed 8: 97.4%) and cost a third less: smaller clusters, fewer products.
CLUSTERS, PROBE = 512, 12
# "Essential: a, b and c": a label before the list, then items joined by commas or "and".
_LABEL = re.compile(r"^\s*(?:[-*•·–]\s*)?([\w /&'-]{1,40}):\s+")
_BULLET = re.compile(r"^\s*[-*•·–>]+\s*")
_ITEM_SPLIT = re.compile(r"\s*(?:[,;•·|]|\band\b|\bor\b|&)\s*")
_LIST_MARK = re.compile(r"[,;•·|]")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Lines made of these name a resume's or a posting's section, not a skill.
_SECTION_WORDS = frozenset(
    [
        "experience",
        "education",
        "skills",
        "summary",
        "profile",
        "projects",
        "history",
        "employment",
        "qualifications",
        "certifications",
        "certificates",
        "languages",
        "interests",
        "hobbies",
        "references",
        "contact",
        "about",
        "me",
        "achievements",
        "responsibilities",
        "requirements",
        "work",
        "professional",
        "key",
        "personal",
        "technical",
        "core",
        "and",
        "other",
        "additional",
        "career",
        "objective",
        "training",
        "courses",
        "publications",
        "awards",
        "volunteering",
        "details",
        "information",
        "overview",
        "the",
        "role",
        "you",
        "duties",
        "tasks",
    ]
)
MAX_HEADING_CHARS = 80  # four section words and their marks at most
# A unit of only these asks for nothing ("and more", "etc.").
MIN_CONTENT_WORDS = 2
_EMPTY_WORDS = frozenset(
    [
        "and",
        "or",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "with",
        "for",
        "to",
        "etc",
        "more",
        "other",
        "similar",
        "as",
        "well",
        "such",
        "our",
        "your",
        "we",
        "you",
        "is",
        "are",
        "be",
        "will",
        "can",
        "must",
        "should",
        "have",
        "has",
    ]
)


@dataclass(frozen=True)
class Calibration:
    """P(linked concept is right) = sigmoid(intercept + a * similarity + b * margin)."""

    intercept: float
    similarity: float
    margin: float
    threshold: float  # the probability from which a link is reported in a resume
    jd_threshold: float  # ... in a job description, where a wrong link is a false gap

    def probability(self, similarity, margin):
        """Of one link (floats) or of a batch's (arrays)."""
        z = self.intercept + self.similarity * similarity + self.margin * margin
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            data["intercept"],
            data["similarity"],
            data["margin"],
            data["threshold"],
            data["jd_threshold"],
        )


@dataclass(frozen=True, slots=True)
class Link:
    skill_id: str
    start: int  # the unit of text that is the evidence
    end: int
    similarity: float
    margin: float  # over the runner-up concept
    confidence: float


def text_units(
    text: str,
    sentences: Sequence[tuple[int, int]] | None = None,
    named: Sequence[int] = (),
) -> list[tuple[int, int]]:
    """Sentences, and the items of list lines, as (start, end) offsets into `text`
    (`sentences`: its sentence spans, when the caller has them). `named`: sorted offsets where
    the name matcher found a skill; a unit with one in it is left out (the linker reads only what
    the names left empty), a sentence that is no list before it is cut."""

    def unnamed(begin: int, end: int) -> bool:
        return bisect_left(named, begin) == bisect_left(named, end)

    units = []
    for start, end in split_sentences(text) if sentences is None else sentences:
        sentence = text[start:end]
        if _is_heading(text, start, end):
            continue  # "Experience", "Education": a section's name, not a skill
        label = _LABEL.match(sentence) or _BULLET.match(sentence)
        body_start = start + (label.end() if label else 0)
        if not unnamed(body_start, end) and not _LIST_MARK.search(text, body_start, end):
            continue
        body = text[body_start:end].rstrip(" .;:!?\n")
        pieces = _split_items(body)
        if label and label.lastindex and len(pieces) > 1:
            # "Animal care: feeding, cleaning and walking dogs": a skill heads its activities
            # ("Essential: a, b" heads nothing: one word, or section words, is no unit).
            left, right = label.span(1)
            name = sentence[left:right].strip()
            begin = start + left
            named_here = not unnamed(begin, begin + len(name))
            if _has_content(name) and not _is_heading(name, 0, len(name)) and not named_here:
                units.append((begin, begin + len(name)))
        for offset, piece in pieces:
            left = body_start + offset
            stripped = piece.strip()
            if stripped and _has_content(stripped):
                begin = left + len(piece) - len(piece.lstrip())
                if unnamed(begin, begin + len(stripped)):
                    units.append((begin, begin + len(stripped)))
        if len(units) >= MAX_UNITS:
            break
    return units[:MAX_UNITS]


def _split_items(body: str) -> list[tuple[int, str]]:
    """A list line splits into its items; a sentence stays whole. A list: items of at most four
    words each, joined by commas, semicolons or a last "and"/"or"."""
    if not _LIST_MARK.search(body):
        return [(0, body)]
    cuts = [m.span() for m in _ITEM_SPLIT.finditer(body)]
    pieces, begin = [], 0
    for cut_start, cut_end in cuts:
        pieces.append((begin, body[begin:cut_start]))
        begin = cut_end
    pieces.append((begin, body[begin:]))
    if any(len(p.split()) > 3 for _, p in pieces):
        return [(0, body)]  # "Helped residents with washing, dressing and meals" is one duty
    return pieces


def _is_heading(text: str, start: int, end: int) -> bool:
    """A line that only names a section ("Experience", "Work history", "Skills:")."""
    if end - start > MAX_HEADING_CHARS:
        return False
    words = re.findall(r"[^\W\d_]+", text[start:end].casefold())
    return bool(words) and len(words) <= 4 and all(w in _SECTION_WORDS for w in words)


def _has_content(unit: str) -> bool:
    """Two words that say something at least: one word alone ("sales", "train", "install") is
    the name matcher's to find; read by meaning it was a guess ("train" -> control train
    movement), wrong four times in five on the advice set's job descriptions."""
    words = [w.casefold() for w in _WORD.findall(unit)]
    return sum(w not in _EMPTY_WORDS for w in words) >= MIN_CONTENT_WORDS


def linkable(skill: Skill) -> bool:
    """Concepts the linker may name: every ESCO concept and every curated skill but a tool
    (tools are known by their names, which the name matcher finds: read by meaning, "We are
    looking for a Sous Chef" was Chef the configuration tool)."""
    if any(s.source == "esco" for s in skill.sources):
        return True
    return skill.kind != "technology" and any(s.source == "curated" for s in skill.sources)


class SemanticLinker:
    """Built once per process over a taxonomy (~2 s: every concept label embedded)."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        model_dir: Path = MODEL_DIR,
        calibration: Calibration | None = None,
        adapter: Path | None = ADAPTER_FILE,
    ):
        from model2vec import StaticModel

        if not (model_dir / "model.safetensors").exists():
            raise FileNotFoundError(
                f"the linker's model is not built at {model_dir}; run `skillbridge build-linker` "
                "(scripts/setup.sh does)"
            )
        self.model = StaticModel.from_pretrained(str(model_dir))
        self._table = self.model.embedding.astype(np.float32)  # 33 MB, converted once
        self.adapter = np.load(adapter).astype(np.float32) if adapter is not None else None
        self.calibration = calibration or Calibration.load()
        # Found once: each `threadpool_limits()` scans the process's libraries again, which in a
        # run that has imported torch cost more than linking the document (1.8 ms of ~4).
        self._threads = ThreadpoolController()
        skills = [s for s in taxonomy if linkable(s)]
        self.skill_ids = [s.id for s in skills]
        labels, owners = [], []
        for index, skill in enumerate(skills):
            for label in concept_labels(skill):
                labels.append(label)
                owners.append(index)
        vectors = self._encode(labels)
        # A concept is the mean of its labels' directions: one row per concept.
        centroids = np.zeros((len(skills), vectors.shape[1]), np.float32)
        np.add.at(centroids, np.asarray(owners), vectors)
        self.concepts = _normalised(centroids)
        # An inverted file over the concepts: a unit is compared with CLUSTERS centres, then
        # only with the concepts of its PROBE nearest clusters (a fortieth of them), so linking
        # costs a fraction of one full matrix product per unit.
        count = min(CLUSTERS, len(self.concepts))  # a test's taxonomy may hold a handful
        self.centres, members = _clusters(self.concepts, count)
        self.probe = min(PROBE, count)
        order = np.argsort(members, kind="stable")
        self.concepts = self.concepts[order]
        self.skill_ids = [self.skill_ids[i] for i in order]
        # Cluster c holds concepts bounds[c]:bounds[c + 1] (a view, never a copy).
        self.bounds = np.searchsorted(members[order], np.arange(count + 1))

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.concatenate(
            [
                static_vectors(self.model, texts[i : i + ENCODE_BATCH], self._table)
                for i in range(0, len(texts), ENCODE_BATCH)
            ]
        )
        return _normalised(vectors if self.adapter is None else vectors @ self.adapter)

    def _best_two(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(concept index, similarity, margin over the runner-up) of each unit vector, as
        arrays, among the concepts of its PROBE nearest clusters. Cluster by cluster: one
        matrix product for every unit that probes a cluster (a batch of documents costs half
        what a dozen small products per unit did), and one way for every door, so a document
        gets the same links alone (`analyze`) as in a batch (the pipeline)."""
        if self.probe < len(self.centres):
            scores = -(vectors @ self.centres.T)
            nearest = np.argpartition(scores, self.probe, axis=1)[:, : self.probe]
        else:  # as few clusters as probes: every one
            nearest = np.tile(np.arange(len(self.centres)), (len(vectors), 1))
        count = len(vectors)
        index = np.zeros(count, np.int64)
        first = np.full(count, -np.inf)
        second = np.full(count, -np.inf)
        units = np.repeat(np.arange(count), nearest.shape[1])
        clusters = nearest.ravel()
        order = np.argsort(clusters, kind="stable")
        bounds = np.searchsorted(clusters[order], np.arange(len(self.centres) + 1))
        for cluster in np.unique(clusters):
            rows = units[order[bounds[cluster] : bounds[cluster + 1]]]
            begin, end = self.bounds[cluster], self.bounds[cluster + 1]
            block = self.concepts[begin:end]
            if not len(block):
                continue
            sims = (vectors[rows] @ block.T).astype(np.float64)
            if sims.shape[1] > 1:
                top2 = np.argpartition(-sims, 1, axis=1)[:, :2]
                pair = np.take_along_axis(sims, top2, axis=1)
                swap = pair[:, 1] > pair[:, 0]
                pair[swap] = pair[swap][:, ::-1]
                top = np.where(swap, top2[:, 1], top2[:, 0])
            else:
                pair = np.hstack([sims, np.full_like(sims, -np.inf)])
                top = np.zeros(len(rows), np.int64)
            # Merge this cluster's best two into each unit's best two so far.
            better = pair[:, 0] > first[rows]
            second[rows] = np.where(
                better, np.maximum(first[rows], pair[:, 1]), np.maximum(second[rows], pair[:, 0])
            )
            first[rows] = np.where(better, pair[:, 0], first[rows])
            index[rows] = np.where(better, begin + top, index[rows])
        return index, first, _margin(first, second)

    def link(
        self,
        text: str,
        units: Sequence[tuple[int, int]],
        kind: str = "resume",
        threshold: float | None = None,
    ) -> list[Link]:
        """The best concept of each unit, where its calibrated probability clears the
        threshold for the kind of document."""
        return self.link_many([(text, units, kind)], threshold)[0]

    def link_many(
        self,
        documents: Sequence[tuple[str, Sequence[tuple[int, int]], str]],
        threshold: float | None = None,
    ) -> list[list[Link]]:
        """`link` for many (text, units, kind) at once: one tokenizer call and one pass over the
        clusters for a whole batch of documents, where one per document cost twice as much."""
        texts = [
            " ".join(text[s:e].split()[:MAX_UNIT_WORDS])
            for text, units, _ in documents
            for s, e in units
        ]
        if not texts:
            return [[] for _ in documents]
        # Small products on one thread: waking BLAS's threads for each costs more than it saves.
        with self._threads.limit(limits=1, user_api="blas"):
            index, similarity, margin = self._best_two(self._encode(texts))
        confidence = self.calibration.probability(similarity, margin)
        links, row = [], 0
        for _, units, kind in documents:
            default = self.calibration.jd_threshold if kind == "jd" else self.calibration.threshold
            floor = default if threshold is None else threshold
            found = []
            for start, end in units:
                if confidence[row] >= floor:
                    found.append(
                        Link(
                            self.skill_ids[index[row]],
                            start,
                            end,
                            round(float(similarity[row]), 4),
                            round(float(margin[row]), 4),
                            round(float(confidence[row]), 4),
                        )
                    )
                row += 1
            links.append(found)
        return links


def static_vectors(model, texts: Sequence[str], table: np.ndarray) -> np.ndarray:
    """What `StaticModel.encode` gives (each text's mean token vector, normalised, in the
    model's float16), for a model without token weights, as one sparse product (texts x
    tokens, times the token table): its own loop over texts cost more than the tokenizer.
    `table`: the model's token vectors as float32, converted once by the caller."""
    if model.weights is not None or model.token_mapping is not None:
        return np.asarray(model.encode(list(texts)), dtype=np.float32)
    from scipy.sparse import csr_matrix

    ids = model.tokenize(list(texts))
    lengths = np.fromiter(map(len, ids), np.int64, len(ids))
    flat = np.fromiter(chain.from_iterable(ids), np.int64, int(lengths.sum()))
    counts = csr_matrix(
        (np.ones(len(flat), np.float32), flat, np.concatenate([[0], np.cumsum(lengths)])),
        shape=(len(ids), len(table)),
    )
    means = (counts @ table) / np.maximum(lengths, 1)[:, None]
    means = means.astype(model.embedding.dtype).astype(np.float32)
    if model.normalize:
        means /= np.linalg.norm(means, axis=1, keepdims=True) + 1e-32
        means = means.astype(model.embedding.dtype).astype(np.float32)
    return means


def concept_labels(skill: Skill) -> list[str]:
    labels = {skill.name.casefold(): skill.name}
    for alias in skill.aliases:
        labels.setdefault(alias.text.casefold(), alias.text)
    return list(labels.values())


def _clusters(
    vectors: np.ndarray, count: int, rounds: int = 10, sample: int = 16_384
) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means, seeded, fitted on a sample (as good, in a tenth of the time):
    (unit-length centres, each vector's cluster)."""
    rng = np.random.default_rng(42)
    pool = vectors[rng.permutation(len(vectors))[:sample]]
    centres = pool[:count]
    for _ in range(rounds):
        members = (pool @ centres.T).argmax(axis=1)
        sums = np.zeros_like(centres)
        np.add.at(sums, members, pool)
        empty = ~sums.any(axis=1)
        sums[empty] = centres[empty]
        centres = _normalised(sums)
    return centres, (vectors @ centres.T).argmax(axis=1)


def _margin(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Over the runner-up; with no runner-up (a taxonomy of one concept), the similarity."""
    return np.where(np.isfinite(second), first - second, first)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)
