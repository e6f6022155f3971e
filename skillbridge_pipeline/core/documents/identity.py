"""Document identity: a document is its bytes, so the same bytes twice are one document."""

from __future__ import annotations

import hashlib
from typing import Literal

DocumentKind = Literal["resume", "jd"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = ("resume", "jd")
# Inbox folder and Dagster dynamic-partition set of each kind.
KIND_FOLDERS: dict[str, str] = {"resume": "resumes", "jd": "jds"}
ID_HEX_CHARS = 16  # 64 bits of SHA-256: collisions are negligible at millions of documents
KIND_LABELS: dict[str, str] = {"resume": "resume", "jd": "JD"}  # in messages to people


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:ID_HEX_CHARS]


def check_kind(kind: str) -> DocumentKind:
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(DOCUMENT_KINDS)}, not {kind!r}")
    return kind  # type: ignore[return-value]


def failed_document_reason(kind: str, error: str | None) -> str:
    """Why a request on a failed document failed: the same words whichever path scores it."""
    return f"the {KIND_LABELS[kind]} failed: {error or 'unknown'}"
