"""The landing store: raw bytes of every document, kept under their content hash.

Bytes land here before anything else happens to a document and are never deleted by a
failure, so any document can be re-parsed or inspected after the fact.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from skillbridge_pipeline.core.documents.identity import ID_HEX_CHARS, KIND_FOLDERS, check_kind

CHUNK_BYTES = 1 << 20


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
        return self.put_file(kind, io.BytesIO(data), filename)

    def put_file(self, kind: str, source: BinaryIO, filename: str) -> LandedFile:
        """Copy a file in chunks while hashing it (memory stays small whatever its size), then
        rename it into place once; the same bytes again find the first copy."""
        folder = self.root / KIND_FOLDERS[check_kind(kind)]
        folder.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK_BYTES):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            doc_id = digest.hexdigest()[:ID_HEX_CHARS]
            if existing := self.find(kind, doc_id):
                Path(tmp).unlink()
                return LandedFile(kind, doc_id, existing, size, filename)
            path = self.path_for(kind, doc_id, filename)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return LandedFile(kind, doc_id, path, size, filename)

    @staticmethod
    def fingerprint(path: str | Path) -> tuple[str, int]:
        """(document id, size) of kept bytes, hashed in chunks rather than read whole."""
        digest, size = hashlib.sha256(), 0
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest()[:ID_HEX_CHARS], size
