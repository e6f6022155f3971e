"""Intake: inbox files -> landing store + results store, and landed documents -> batches.

The inbox sensor is a thin shell around these functions. Landing happens before anything
else; a file leaves the inbox (for `inbox/processed/`) only once its bytes and its row are
safely stored.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import BinaryIO

from skillbridge_pipeline.core.documents.events import AnalysisRequest, parse_request
from skillbridge_pipeline.core.documents.identity import (
    KIND_FOLDERS,
    MAX_NAME_BYTES,
    document_id,
    safe_filename,
)
from skillbridge_pipeline.core.documents.landing import LandingStore
from skillbridge_pipeline.core.store import RequestRecord, ResultsStore

log = logging.getLogger(__name__)
PROCESSED_FOLDER = "processed"
DRAIN_LOCK = ".process.lock"  # hidden: never taken as a document
SETTLE_SECONDS = 1.0  # a file changed more recently than this may still be being written
PARTIAL_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp")
# What `skillbridge submit` writes: the content hash, "--", the file's own name. Two files of one
# name never collide in the inbox; the document keeps its own name.
_SUBMITTED = re.compile(r"^[0-9a-f]{16}--(?P<name>.+)$")


def submitted_name(doc_id: str, filename: str) -> str:
    """The inbox name of a submitted file: within a file system's 255 bytes, fit to show."""
    prefix = f"{doc_id}--"
    return prefix + safe_filename(filename, MAX_NAME_BYTES - len(prefix))


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
class InboxScan:
    files: list[InboxFile]  # regular files to take, up to the limit
    refused: list[str]  # "folder/name: why" of each entry left alone (links, devices, ...)


@dataclass(frozen=True)
class IntakeReport:
    landed: int  # new documents (or failed ones submitted again)
    duplicates: int  # bytes already known
    unreadable: list[str]  # "name: why" of files not taken (left in the inbox)


class NotARegularFile(OSError):
    """An inbox entry that is not a plain file of the inbox's own: refused, left alone."""


def _refusal(entry: os.DirEntry) -> str | None:
    """Why the inbox refuses this entry, or None for a regular file (links never followed)."""
    if entry.is_symlink():
        return "a symbolic link (the inbox takes regular files only, never a link's target)"
    if entry.is_dir(follow_symlinks=False):
        return "a folder (the inbox takes regular files only)"
    if not entry.is_file(follow_symlinks=False):
        return "not a regular file (a device, pipe or socket)"
    return None


def scan_inbox(root: Path, limit: int) -> InboxScan:
    """Up to `limit` complete regular files, taking resumes and JDs in turn so neither starves;
    links and special files are refused with the reason and left where they are."""
    per_kind: list[list[InboxFile]] = []
    refused: list[str] = []
    for kind, folder in KIND_FOLDERS.items():
        directory = root / folder
        if directory.is_symlink():
            refused.append(f"{folder}: a symbolic link (the inbox's folders must be its own)")
            continue
        if not directory.is_dir():
            continue
        names = []
        for entry in os.scandir(directory):
            if ignored_by_the_inbox(entry.name) is not None:
                continue
            if why := _refusal(entry):
                refused.append(f"{folder}/{safe_filename(entry.name)}: {why}")
            else:
                names.append(entry.name)
        names.sort()
        per_kind.append([InboxFile(kind, directory / name) for name in names[:limit]])
    interleaved = [f for group in zip_longest(*per_kind) for f in group if f is not None]
    return InboxScan(interleaved[:limit], sorted(refused))


@contextmanager
def draining(root: Path) -> Iterator[bool]:
    """Hold this inbox's drain lock (a lock file in it) for a `skillbridge process`: True, or
    False at once when another process holds it. The kernel frees it when its holder dies."""
    root.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW  # a link planted there is not followed
    with os.fdopen(os.open(root / DRAIN_LOCK, flags, 0o644), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def open_inbox_file(path: Path) -> BinaryIO:
    """A regular file in its inbox folder, opened without following a link in the file's name
    or its folder's (a link swapped in after the scan is refused too)."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        try:
            fd = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
        except OSError as error:
            if error.errno == errno.ELOOP:
                why = "a symbolic link (the inbox takes regular files only)"
                raise NotARegularFile(why) from None
            raise
    finally:
        os.close(folder)
    file = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        file.close()
        raise NotARegularFile("not a regular file (a device, pipe or socket)")
    return file


def land_document(
    landing: LandingStore, store: ResultsStore, kind: str, data: BinaryIO, name: str, source: str
) -> bool:
    """Bytes to the landing store (streamed), then the row, under a name fit to store and show
    (whatever the sender called it); False when the bytes were already known."""
    name = safe_filename(name)
    stored = landing.put_file(kind, data, name)
    return store.land(
        kind,
        stored.doc_id,
        filename=name,
        size_bytes=stored.size,
        source=source,
        landing_path=str(stored.path),
    )


def settled(
    files: Sequence[InboxFile], settle_seconds: float = SETTLE_SECONDS
) -> tuple[list[InboxFile], list[str]]:
    """The files that are not being written, and "name: why" of those that are. A file changed
    within the last `settle_seconds` is looked at again once that much time has passed and left
    for a later tick if it changed meanwhile, so a file copied in slowly under its own name is
    taken whole, once (the tick waits at most `settle_seconds`)."""

    def signature(path: Path) -> tuple[int, int] | None:
        try:
            found = os.stat(path, follow_symlinks=False)
        except OSError:
            return None
        return found.st_size, found.st_mtime_ns

    seen = {file.path: signature(file.path) for file in files}
    now, window = time.time_ns(), int(settle_seconds * 1e9)
    fresh = [f for f in files if seen[f.path] and now - seen[f.path][1] < window]
    if not fresh:
        return list(files), []
    newest = max(seen[f.path][1] for f in fresh)
    time.sleep(min(window, max(0, newest + window - now)) / 1e9)
    moving = {f.path for f in fresh if signature(f.path) != seen[f.path]}
    writing = [f"{safe_filename(p.name)}: still being written" for p in sorted(moving)]
    return [f for f in files if f.path not in moving], writing


def land_inbox(
    root: Path, files: Sequence[InboxFile], landing: LandingStore, store: ResultsStore
) -> IntakeReport:
    landed = duplicates = 0
    unreadable = []
    for file in files:
        try:
            with open_inbox_file(file.path) as data:
                name = original_name(file.path.name)
                created = land_document(landing, store, file.kind, data, name, "inbox")
        except OSError as error:
            why = error.strerror or str(error)
            log.warning("inbox file %s not taken: %s", safe_filename(file.path.name), why)
            unreadable.append(f"{safe_filename(file.path.name)}: {why}")
            continue
        landed += created
        duplicates += not created
        archive = root / PROCESSED_FOLDER / KIND_FOLDERS[file.kind] / file.path.name
        archive.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileNotFoundError):  # another drain moved it first: it is landed all the same
            os.replace(file.path, archive)
    return IntakeReport(landed=landed, duplicates=duplicates, unreadable=unreadable)


REQUESTS_FOLDER = "requests"
MAX_REQUEST_BYTES = 1 << 20  # a request is a few ids; more is not one
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
        e.name
        for e in os.scandir(folder)
        if ignored_by_the_inbox(e.name) is None and _refusal(e) is None
    )[:limit]
    added, rejected = 0, []
    for name in names:
        path = folder / name
        try:
            with open_inbox_file(path) as data:
                request = parse_request(data.read(MAX_REQUEST_BYTES))
        except OSError as error:
            log.warning("request file %s not taken: %s", safe_filename(name), error)
            continue
        except ValueError as error:
            target = root / REJECTED_FOLDER / REQUESTS_FOLDER / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            reason = target.with_name(safe_filename(name, MAX_NAME_BYTES - 10) + ".error.txt")
            reason.write_text(str(error) + "\n")
            rejected.append(safe_filename(name))
            continue
        added += record_request(store, request, source="inbox")
        archive = root / PROCESSED_FOLDER / REQUESTS_FOLDER / name
        archive.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileNotFoundError):  # another drain moved it first
            os.replace(path, archive)
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
            land_document(landing, store, "jd", io.BytesIO(body), name, "url")
            out.fetched[request.request_id] = document_id(body)
            store.page_fetched(request.request_id, out.fetched[request.request_id])
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
