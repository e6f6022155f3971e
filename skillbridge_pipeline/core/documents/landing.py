"""The landing store: raw bytes of every document, kept under their content hash.

Bytes land here before anything else happens to a document and are never deleted by a
failure, so any document can be re-parsed or inspected after the fact.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from skillbridge_pipeline.core.documents.identity import KIND_FOLDERS, check_kind, document_id


@dataclass(frozen=True)
class LandedFile:
    kind: str
    doc_id: str
    path: Path
    size: int
    filename: str


class LandingStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, kind: str, doc_id: str, filename: str) -> Path:
        suffix = PurePath(filename).suffix.lower()[:10]
        return self.root / KIND_FOLDERS[check_kind(kind)] / doc_id[:2] / f"{doc_id}{suffix}"

    def find(self, kind: str, doc_id: str) -> Path | None:
        """The kept bytes of a document, found without the results store."""
        folder = self.root / KIND_FOLDERS[check_kind(kind)] / doc_id[:2]
        found = sorted(folder.glob(f"{doc_id}*")) if folder.exists() else []
        return next((p for p in found if not p.name.endswith(".tmp")), None)

    def put(self, kind: str, data: bytes, filename: str) -> LandedFile:
        """Write the bytes once (atomically); the same bytes again find the first copy."""
        doc_id = document_id(data)
        existing = self.find(kind, doc_id)
        if existing:
            return LandedFile(kind, doc_id, existing, len(data), filename)
        path = self.path_for(kind, doc_id, filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return LandedFile(kind, doc_id, path, len(data), filename)

    @staticmethod
    def read(path: str | Path) -> bytes:
        return Path(path).read_bytes()
