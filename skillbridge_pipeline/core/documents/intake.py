"""Intake: inbox files -> landing store + results store, and landed documents -> batches.

The inbox sensor is a thin shell around these functions. Landing happens before anything
else; a file leaves the inbox (for `inbox/processed/`) only once its bytes and its row are
safely stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

from skillbridge_pipeline.core.documents.events import AnalysisRequest, parse_request
from skillbridge_pipeline.core.documents.identity import KIND_FOLDERS, document_id
from skillbridge_pipeline.core.documents.landing import LandingStore
from skillbridge_pipeline.core.store import RequestRecord, ResultsStore

log = logging.getLogger(__name__)
PROCESSED_FOLDER = "processed"
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp")
# What `skillbridge submit` writes: the content hash, "--", the file's own name. Two files of one
# name never collide in the inbox; the document keeps its own name.
_SUBMITTED = re.compile(r"^[0-9a-f]{16}--(?P<name>.+)$")


def submitted_name(doc_id: str, filename: str) -> str:
    return f"{doc_id}--{filename}"


def original_name(inbox_name: str) -> str:
    match = _SUBMITTED.match(inbox_name)
    return match["name"] if match else inbox_name


def ignored_by_the_inbox(filename: str) -> str | None:
    """Why the inbox sensor would never take a file of this name (hidden, or unfinished)."""
    if filename.startswith("."):
        return "its name starts with '.' (a hidden file)"
    if filename.endswith(PARTIAL_SUFFIXES):
        suffix = next(s for s in PARTIAL_SUFFIXES if filename.endswith(s))
        return f"its name ends in {suffix} (an unfinished download or an editor's temporary file)"
    return None


@dataclass(frozen=True)
class InboxFile:
    kind: str
    path: Path


@dataclass(frozen=True)
class IntakeReport:
    landed: int  # new documents
    duplicates: int  # bytes already known
    unreadable: list[str]  # files that could not be read (left in the inbox)


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
            if entry.is_file() and ignored_by_the_inbox(entry.name) is None
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
        name = original_name(file.path.name)
        stored = landing.put(file.kind, data, name)
        created = store.land(
            file.kind,
            stored.doc_id,
            filename=name,
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


REQUESTS_FOLDER = "requests"
REJECTED_FOLDER = "rejected"


def jd_file_from_page(job: dict) -> tuple[str, bytes]:
    """A fetched job page as a JSON JD document: (file name, bytes)."""
    body = json.dumps(
        {"title": job.get("title"), "description": job["text"], "source_url": job["final_url"]},
        ensure_ascii=False,
        indent=1,
    ).encode()
    return f"url-{document_id(body)}.json", body


def land_requests(root: Path, store: ResultsStore, limit: int) -> tuple[int, list[str]]:
    """Record request files from inbox/requests/; bad ones go to inbox/rejected/requests/
    with a `.error.txt` beside them. A request naming its JD by URL is recorded as waiting for
    the page: a run fetches it (`fetch_pages`), never the sensor's tick.
    Returns (new requests, rejected file names)."""
    folder = root / REQUESTS_FOLDER
    if not folder.is_dir():
        return 0, []
    names = sorted(
        e.name for e in os.scandir(folder) if e.is_file() and ignored_by_the_inbox(e.name) is None
    )[:limit]
    added, rejected = 0, []
    for name in names:
        path = folder / name
        try:
            request = parse_request(path.read_bytes())
        except ValueError as error:
            target = root / REJECTED_FOLDER / REQUESTS_FOLDER / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            target.with_name(name + ".error.txt").write_text(str(error) + "\n")
            rejected.append(name)
            continue
        added += record_request(store, request, source="inbox")
        archive = root / PROCESSED_FOLDER / REQUESTS_FOLDER / name
        archive.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, archive)
    return added, rejected


def record_request(store: ResultsStore, request: AnalysisRequest, source: str) -> bool:
    return store.add_request(
        request.request_id,
        request.resume_id,
        request.jd_id,
        request.session_id,
        source=source,
        jd_url=request.jd_url,
    )


MAX_PARALLEL_FETCHES = 4  # each fetch is a crawl subprocess bounded by its own timeout


@dataclass
class PageOutcome:
    fetched: dict[str, str] = field(default_factory=dict)  # request id -> the JD's document id
    failed: dict[str, str] = field(default_factory=dict)  # request id -> why, for good
    unreachable: dict[str, str] = field(default_factory=dict)  # why; a retry may succeed


def fetch_pages(
    requests: Sequence[RequestRecord],
    fetch: Callable[[str], dict],
    landing: LandingStore,
    store: ResultsStore,
) -> PageOutcome:
    """Each request's JD page, fetched a few at a time (`fetch(url) -> page` or ScrapeFailed)
    and landed as a JSON JD document like a file from the inbox; the request then waits for
    that document as any other request does. A page that cannot be fetched changes nothing:
    the caller retries or fails the request with the reason."""
    from skillbridge_pipeline.scraping.fetch import ScrapeFailed

    def attempt(request: RequestRecord) -> dict | ScrapeFailed:
        try:
            return fetch(request.jd_url)
        except ScrapeFailed as error:
            return error

    out = PageOutcome()
    with ThreadPoolExecutor(MAX_PARALLEL_FETCHES) as pool:
        for request, page in zip(requests, pool.map(attempt, requests), strict=True):
            if isinstance(page, ScrapeFailed):
                failures = out.unreachable if page.transient else out.failed
                failures[request.request_id] = (
                    f"the JD at {request.jd_url} could not be fetched: {page.reason}"
                )
                continue
            name, body = jd_file_from_page(page)
            stored = landing.put("jd", body, name)
            store.land(
                "jd",
                stored.doc_id,
                filename=name,
                size_bytes=len(body),
                source="url",
                landing_path=str(stored.path),
            )
            store.page_fetched(request.request_id, stored.doc_id)
            out.fetched[request.request_id] = stored.doc_id
    return out


def requests_scorable_with(store: ResultsStore, resume_ids: Sequence[str]) -> list[RequestRecord]:
    """Pending requests on these resumes whose JD is already extracted: the run that extracts
    the resumes can score them as well, which saves a sensor tick and a run launch each."""
    waiting = [r for r in store.requests_for_resumes(resume_ids) if r.status == "pending"]
    jds = store.document_statuses("jd", {r.jd_id for r in waiting})
    return [r for r in waiting if r.jd_id in jds and jds[r.jd_id][1] == "extracted"]


def write_request(
    inbox: Path,
    resume_id: str,
    jd_id: str,
    session_id: str | None,
    name: str | None = None,
    jd_url: str | None = None,
) -> Path:
    """An analysis request file, written whole (temporary name, then rename)."""
    folder = inbox / REQUESTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    body = {
        "resume_id": resume_id,
        "session_id": session_id,
        **({"jd_url": jd_url} if jd_url else {"jd_id": jd_id}),
    }
    if jd_url:
        jd_id = "url-" + hashlib.sha256(jd_url.encode()).hexdigest()[:12]
    target = folder / (name or f"{resume_id}-{jd_id}-{session_id or 'none'}.json")
    partial = target.with_name("." + target.name + ".part")
    partial.write_text(json.dumps(body))
    partial.replace(target)
    return target
