"""The per-document stages of the lineage, for a batch at a time, with no Dagster in sight.

raw (landed bytes, verified) -> text (parsed) -> skills (extracted). Each function takes a
batch and returns one outcome per document: a bad document gets a failed outcome with its
reason and the rest of the batch goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.extraction import SkillExtractor
from skillbridge_pipeline.core.jd_profile import profile_job
from skillbridge_pipeline.core.parsing import DEFAULT_MAX_BYTES, DocumentError, parse_document
from skillbridge_pipeline.core.store import DocumentRecord

RAW_COLUMNS = [
    "doc_id",
    "kind",
    "status",
    "filename",
    "source",
    "size_bytes",
    "landing_path",
    "error",
]
TEXT_COLUMNS = ["doc_id", "kind", "status", "format", "pages", "text", "text_chars", "error"]
SKILL_COLUMNS = [
    "doc_id",
    "kind",
    "skill_id",
    "name",
    "category",
    "skill_kind",
    "surface",
    "start",
    "end",
    "confidence",
    "requirement",
    "mentions",
    "text_chars",
]


@dataclass(frozen=True)
class RawOutcome:
    doc_id: str
    kind: str
    status: str  # landed | failed
    filename: str | None = None
    source: str | None = None
    size_bytes: int = 0
    landing_path: str | None = None
    error: str | None = None

    def row(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TextOutcome:
    doc_id: str
    kind: str
    status: str  # parsed | failed
    format: str | None = None
    pages: int = 0
    text: str = ""
    text_chars: int = 0
    error: str | None = None

    def row(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SkillsOutcome:
    doc_id: str
    kind: str
    skills: list[dict]
    text_chars: int
    title: str | None = None
    role_family: str | None = None
    seniority: str | None = None

    def rows(self) -> list[dict]:
        return [
            {
                **s,
                "doc_id": self.doc_id,
                "kind": self.kind,
                "text_chars": self.text_chars,
                "mentions": json.dumps(s["mentions"]),
            }
            for s in self.skills
        ]


def verify_raw(
    kind: str,
    keys: Sequence[str],
    records: dict[str, DocumentRecord],
    read_bytes: Callable[[str], bytes],
) -> list[RawOutcome]:
    """Check each landed document is where the store says, with the bytes its id promises."""
    outcomes = []
    for key in keys:
        record = records.get(key)
        if record is None:
            outcomes.append(RawOutcome(key, kind, "failed", error="not in the results store"))
            continue
        base = {
            "filename": record.filename,
            "source": record.source,
            "landing_path": record.landing_path,
        }
        try:
            data = read_bytes(record.landing_path)
        except FileNotFoundError:
            outcomes.append(
                RawOutcome(
                    key, kind, "failed", **base, error="raw bytes missing from the landing store"
                )
            )
            continue
        if document_id(data) != key:
            outcomes.append(
                RawOutcome(
                    key,
                    kind,
                    "failed",
                    **base,
                    size_bytes=len(data),
                    error="landed bytes do not match the document id",
                )
            )
            continue
        outcomes.append(RawOutcome(key, kind, "landed", **base, size_bytes=len(data)))
    return outcomes


def parse_batch(
    raw: Sequence[RawOutcome],
    read_bytes: Callable[[str], bytes],
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[TextOutcome]:
    outcomes = []
    for doc in raw:
        if doc.status != "landed" or doc.landing_path is None:
            outcomes.append(TextOutcome(doc.doc_id, doc.kind, "failed", error=doc.error))
            continue
        try:
            parsed = parse_document(
                read_bytes(doc.landing_path), doc.filename or "", doc.kind, max_bytes
            )
        except DocumentError as error:
            outcomes.append(TextOutcome(doc.doc_id, doc.kind, "failed", error=error.reason))
            continue
        outcomes.append(
            TextOutcome(
                doc.doc_id,
                doc.kind,
                "parsed",
                format=parsed.format,
                pages=parsed.pages,
                text=parsed.text,
                text_chars=len(parsed.text),
            )
        )
    return outcomes


def extract_batch(texts: Sequence[TextOutcome], extractor: SkillExtractor) -> list[SkillsOutcome]:
    """Skills for every parsed document; failed ones are skipped (they have no text)."""
    outcomes = []
    for doc in texts:
        if doc.status != "parsed":
            continue
        found = extractor.extract(doc.text, kind=doc.kind)
        skills = [s.record() for s in found]
        profile = profile_job(doc.text, (s.category for s in found)) if doc.kind == "jd" else None
        outcomes.append(
            SkillsOutcome(
                doc_id=doc.doc_id,
                kind=doc.kind,
                skills=skills,
                text_chars=doc.text_chars,
                title=profile.title if profile else None,
                role_family=profile.role_family if profile else None,
                seniority=profile.seniority if profile else None,
            )
        )
    return outcomes
