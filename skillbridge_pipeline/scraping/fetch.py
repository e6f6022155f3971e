"""Fetch a job description from a URL, in a subprocess per crawl (see `crawl.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

PASTE_INSTEAD = "paste the job description's text instead"


@dataclass(frozen=True)
class ScrapeSettings:
    timeout_seconds: float = 10.0
    max_bytes: int = 2_000_000
    allow_hosts: tuple[str, ...] = ()  # tests allow-list their own loopback server


class ScrapeFailed(RuntimeError):
    """`reason` says why, ending with what to do instead; `transient` when trying the same
    URL again later may succeed (a timeout, a refused connection, HTTP 429 or 5xx)."""

    def __init__(self, reason: str, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def fetch_job(url: str, settings: ScrapeSettings = ScrapeSettings()) -> dict:
    """{"url", "final_url", "title", "text", "source"} or ScrapeFailed."""
    command = [
        sys.executable,
        "-m",
        "skillbridge_pipeline.scraping.crawl",
        url,
        "--timeout",
        str(settings.timeout_seconds),
        "--max-bytes",
        str(settings.max_bytes),
    ]
    for host in settings.allow_hosts:
        command += ["--allow-host", host]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=settings.timeout_seconds + 20
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        raise ScrapeFailed(f"the page did not answer in time; {PASTE_INSTEAD}", True) from None
    except (ValueError, IndexError):
        raise ScrapeFailed(f"the page could not be read; {PASTE_INSTEAD}") from None
    if not result.get("ok"):
        reason = result.get("reason", "unknown error")
        raise ScrapeFailed(f"{reason}; {PASTE_INSTEAD}", bool(result.get("transient")))
    return result
