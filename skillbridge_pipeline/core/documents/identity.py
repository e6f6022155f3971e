"""Document identity: a document is its bytes, so the same bytes twice are one document."""

from __future__ import annotations

import hashlib
import re
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


# NUL and lone surrogates (legal in JSON, undecodable bytes of a file name) cannot be stored:
# PostgreSQL refuses NUL, UTF-8 encoders refuse surrogates. Any surrogate in a str is lone.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Controls (newlines, ANSI escapes) and bidirectional overrides do not belong in a file name
# shown on a terminal or a page.
_NAME_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MAX_NAME_BYTES = 255  # what file systems allow a name, and far more than a person needs


def storable_text(text: str) -> str:
    """Text that every store and file format takes: NUL and lone surrogates replaced (U+FFFD)."""
    return _UNSTORABLE.sub("\ufffd", text) if _UNSTORABLE.search(text) else text


def printable(text: str) -> bool:
    """No controls, direction overrides, NUL or lone surrogates: fit for an id or a URL."""
    return _NAME_CONTROLS.search(text) is None


def safe_filename(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name fit to store and to show: undecodable bytes, controls and direction
    overrides replaced (U+FFFD), at most `max_bytes` of UTF-8 with its extension kept (the
    extension selects the parser)."""
    name = _NAME_CONTROLS.sub("\ufffd", name).strip() or "unnamed"
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix}" if dot and stem and len(suffix) <= 10 else ""
    base = name[: len(name) - len(suffix)].encode()[: max_bytes - len(suffix.encode())]
    return base.decode(errors="ignore") + suffix
