"""Intake: inbox files -> landing store + results store, and landed documents -> batches.

The inbox sensor is a thin shell around these functions. Landing happens before anything
else; a file leaves the inbox (for `inbox/processed/`) only once its bytes and its row are
safely stored.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from skillbridge_pipeline.core.documents import KIND_FOLDERS
from skillbridge_pipeline.core.landing import LandingStore
from skillbridge_pipeline.core.store import DocumentRecord, ResultsStore

log = logging.getLogger(__name__)
PROCESSED_FOLDER = "processed"
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp")


@dataclass(frozen=True)
class InboxFile:
    kind: str
    path: Path


@dataclass(frozen=True)
class IntakeReport:
    landed: int  # new documents
    duplicates: int  # bytes already known
    unreadable: list[str]  # files that could not be read (left in the inbox)


@dataclass(frozen=True)
class Batch:
    kind: str
    doc_ids: list[str]
    run_key: str


def scan_inbox(root: Path, limit: int) -> list[InboxFile]:
    """Up to `limit` complete files, taking resumes and JDs in turn so neither starves."""
    per_kind: list[list[InboxFile]] = []
    for kind, folder in KIND_FOLDERS.items():
        directory = root / folder
        if not directory.is_dir():
            continue
        names = sorted(
            entry.name
            for entry in os.scandir(directory)
            if entry.is_file()
            and not entry.name.startswith(".")
            and not entry.name.endswith(PARTIAL_SUFFIXES)
        )
        per_kind.append([InboxFile(kind, directory / name) for name in names[:limit]])
    interleaved = [f for group in zip_longest(*per_kind) for f in group if f is not None]
    return interleaved[:limit]


def land_inbox(
    root: Path, files: Sequence[InboxFile], landing: LandingStore, store: ResultsStore
) -> IntakeReport:
    landed = duplicates = 0
    unreadable = []
    for file in files:
        try:
            data = file.path.read_bytes()
        except OSError as error:
            log.warning("cannot read inbox file %s: %s", file.path.name, error)
            unreadable.append(file.path.name)
            continue
        stored = landing.put(file.kind, data, file.path.name)
        created = store.land(
            file.kind,
            stored.doc_id,
            filename=file.path.name,
            size_bytes=len(data),
            source="inbox",
            landing_path=str(stored.path),
        )
        landed += created
        duplicates += not created
        archive = root / PROCESSED_FOLDER / KIND_FOLDERS[file.kind] / file.path.name
        archive.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(file.path, archive)
    return IntakeReport(landed=landed, duplicates=duplicates, unreadable=unreadable)


def plan_batches(records: Sequence[DocumentRecord], batch_size: int) -> list[Batch]:
    """Consecutive chunks per kind, in landing order. The run key names the first and last
    landing sequence numbers, so a replayed tick asks for the same runs again."""
    batches = []
    for kind in KIND_FOLDERS:
        of_kind = [r for r in records if r.kind == kind]
        for i in range(0, len(of_kind), batch_size):
            chunk = of_kind[i : i + batch_size]
            key = f"{kind}-landed-{chunk[0].seq}-{chunk[-1].seq}"
            batches.append(Batch(kind, [r.doc_id for r in chunk], key))
    return batches
