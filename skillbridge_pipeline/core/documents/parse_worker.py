"""Parsing in a child process that can be killed: a hard time and memory limit per document.

pypdf and lxml run arbitrary files through pure-Python loops; a hostile PDF (a page tree that
shares one huge stream, a zlib bomb) can run for minutes or take gigabytes, and no flag inside
the parser can be trusted to stop it. So every document is parsed in a worker process: the
parent waits at most `time_limit_seconds` for the answer, then kills the worker and starts a new
one. The worker caps its own address space, so a document that needs more memory fails with
MemoryError instead of taking the machine down. The worker is a plain `python -m` subprocess
(not multiprocessing, which would re-import the caller's main module and fork Dagster's
threads); it starts once per batch, in about 0.2 s, and again only after a kill.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from skillbridge_pipeline.core.documents.parsing import (
    DEFAULT_MAX_BYTES,
    DocumentError,
    ParsedDocument,
    parse_document,
    refuse_oversized,
)

DEFAULT_TIME_LIMIT_SECONDS = 20.0
DEFAULT_MEMORY_LIMIT_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class ParseLimits:
    time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES
    max_document_bytes: int = DEFAULT_MAX_BYTES


def _serve(jobs: Connection, answers: Connection, memory_limit_bytes: int) -> None:
    """The worker: (path, filename, kind, max bytes) in; ("ok", fields) or ("error", reason)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    while True:
        try:
            job = jobs.recv()
        except EOFError:
            return
        path, filename, kind, max_bytes = job
        try:
            refuse_oversized(os.path.getsize(path), max_bytes)  # before reading it whole
            parsed = parse_document(Path(path).read_bytes(), filename, kind, max_bytes)
            answer = ("ok", (parsed.text, parsed.format, parsed.pages, parsed.title))
        except DocumentError as error:
            answer = ("error", error.reason)
        except MemoryError:
            answer = ("error", f"parsing needs more than {memory_limit_bytes >> 20} MB of memory")
        except FileNotFoundError:
            answer = ("error", "raw bytes missing from the landing store")
        except Exception as error:  # any parser bug on a hostile file fails that file alone
            answer = ("error", f"the file could not be parsed ({type(error).__name__}: {error})")
        answers.send(answer)


class ParseWorker:
    """`with ParseWorker(limits) as worker: worker.parse(path, filename, kind)`."""

    def __init__(self, limits: ParseLimits | None = None):
        self.limits = limits or ParseLimits()
        self._process: subprocess.Popen | None = None
        self._jobs: Connection | None = None
        self._answers: Connection | None = None

    def __enter__(self) -> ParseWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        jobs_read, jobs_write = os.pipe()
        answers_read, answers_write = os.pipe()
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                __name__,
                str(jobs_read),
                str(answers_write),
                str(self.limits.memory_limit_bytes),
            ],
            pass_fds=(jobs_read, answers_write),
            stdin=subprocess.DEVNULL,
        )
        os.close(jobs_read)
        os.close(answers_write)
        self._jobs = Connection(jobs_write, readable=False)
        self._answers = Connection(answers_read, writable=False)

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
        self._close_pipes()

    def _close_pipes(self) -> None:
        for conn in (self._jobs, self._answers):
            if conn is not None:
                conn.close()
        self._process = self._jobs = self._answers = None

    def parse(self, path: str, filename: str, kind: str) -> ParsedDocument:
        """The document's text, or DocumentError with the reason (time and memory included)."""
        if self._process is None:
            self._start()
        limit = self.limits.time_limit_seconds
        self._jobs.send((path, filename, kind, self.limits.max_document_bytes))
        if not self._answers.poll(limit):
            self._kill()
            raise DocumentError(
                f"parsing took longer than {limit:.0f} s (a damaged or hostile file?); "
                "it was stopped"
            )
        try:
            status, value = self._answers.recv()
        except (EOFError, OSError):
            code = self._process.poll() if self._process else None
            self._kill()
            raise DocumentError(f"the parser crashed on this file (exit code {code})") from None
        if status == "error":
            raise DocumentError(value)
        text, fmt, pages, title = value
        return ParsedDocument(text=text, format=fmt, pages=pages, title=title)

    def close(self) -> None:
        process = self._process
        self._close_pipes()  # the worker sees end of input and exits
        if process is not None:
            try:
                process.wait(2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(2)


if __name__ == "__main__":
    _serve(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
        int(sys.argv[3]),
    )
