"""The per-document stages of the lineage, for a batch at a time, with no Dagster in sight.

raw (landed bytes, verified) -> text (parsed) -> skills (extracted). Each function takes a
batch and returns one outcome per document: whatever goes wrong with one document (a parser
limit, a timeout, a bug on a hostile file) gives it a failed outcome with a reason a person
understands, and the rest of the batch goes on. Parsing runs in a killable worker process
(`parse_worker`), so no document can hold its batch for longer than the time limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from skillbridge_pipeline.core.documents.parse_worker import ParseWorker
from skillbridge_pipeline.core.documents.parsing import DocumentError
from skillbridge_pipeline.core.skills.extraction import FoundSkill, SkillExtractor
from skillbridge_pipeline.core.skills.jd_profile import profile_job
from skillbridge_pipeline.core.store import DocumentRecord

log = logging.getLogger(__name__)

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
    records: Sequence[DocumentRecord],
    fingerprint: Callable[[str], tuple[str, int]],
) -> list[RawOutcome]:
    """Check each landed document is where the store says, with the bytes its id promises
    (`fingerprint(path)` -> (id, size), hashed in chunks: a huge file is never read whole)."""
    outcomes = []
    for record in records:
        key = record.doc_id
        base = {
            "filename": record.filename,
            "source": record.source,
            "landing_path": record.landing_path,
        }
        try:
            found, size = fingerprint(record.landing_path)
        except FileNotFoundError:
            outcomes.append(
                RawOutcome(
                    key, kind, "failed", **base, error="raw bytes missing from the landing store"
                )
            )
            continue
        except OSError as error:
            outcomes.append(
                RawOutcome(key, kind, "failed", **base, error=f"raw bytes unreadable ({error})")
            )
            continue
        if found != key:
            outcomes.append(
                RawOutcome(
                    key,
                    kind,
                    "failed",
                    **base,
                    size_bytes=size,
                    error="landed bytes do not match the document id",
                )
            )
            continue
        outcomes.append(RawOutcome(key, kind, "landed", **base, size_bytes=size))
    return outcomes


def parse_batch(raw: Sequence[RawOutcome], worker: ParseWorker) -> list[TextOutcome]:
    outcomes = []
    for doc in raw:
        if doc.status != "landed" or doc.landing_path is None:
            outcomes.append(TextOutcome(doc.doc_id, doc.kind, "failed", error=doc.error))
            continue
        try:
            parsed = worker.parse(doc.landing_path, doc.filename or "", doc.kind)
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


def extract_batch(
    texts: Sequence[TextOutcome], extractor: SkillExtractor
) -> tuple[list[SkillsOutcome], dict[str, str]]:
    """Skills for every parsed document (failed ones have no text and are skipped), and the
    documents an exception failed, with the reason: each fails alone. The batch is extracted
    at once (the linker reads all its documents' units in one pass); should that raise, each
    document is extracted on its own, so only the one at fault fails."""
    parsed = [doc for doc in texts if doc.status == "parsed"]
    try:
        found = extractor.extract_many([(doc.text, doc.kind) for doc in parsed])
        pairs = zip(parsed, found, strict=True)
        return [outcome(doc, skills, extractor) for doc, skills in pairs], {}
    except Exception:
        log.warning("batch extraction failed; extracting document by document", exc_info=True)
    outcomes, failed = [], {}
    for doc in parsed:
        try:
            outcomes.append(extract_one(doc, extractor))
        except Exception as error:
            log.exception("extraction failed on %s %s", doc.kind, doc.doc_id)
            failed[doc.doc_id] = f"skill extraction failed ({type(error).__name__}: {error})"
    return outcomes, failed


def extract_one(doc: TextOutcome, extractor: SkillExtractor) -> SkillsOutcome:
    return outcome(doc, extractor.extract(doc.text, kind=doc.kind), extractor)


def outcome(doc: TextOutcome, found: list[FoundSkill], extractor: SkillExtractor) -> SkillsOutcome:
    """A document's extracted skills as stored: with the language a resume is written in, and
    a JD's title, role family and seniority."""
    if doc.kind == "resume" and (written := extractor.written_in(doc.text, found)):
        found.append(written)
    skills = [s.record() for s in found]
    profile = profile_job(doc.text, (s.category for s in found)) if doc.kind == "jd" else None
    return SkillsOutcome(
        doc_id=doc.doc_id,
        kind=doc.kind,
        skills=skills,
        text_chars=doc.text_chars,
        title=profile.title if profile else None,
        role_family=profile.role_family if profile else None,
        seniority=profile.seniority if profile else None,
    )
