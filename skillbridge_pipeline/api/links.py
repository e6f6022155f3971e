"""Report links that carry no long-lived secret: an HMAC over one analysis' ids and an expiry.

A browser opening a report cannot send an Authorization header, and a token in the address bar
stays in its history for as long as the token lives. A signed link opens one report, read-only,
for minutes. The key comes from SKILLBRIDGE_LINK_KEY (every API replica shares it) or, on one
machine, from a file under the SkillBridge home that the CLI and the API both read.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

LINK_SECONDS = 15 * 60


def link_key(home: Path) -> bytes:
    """SKILLBRIDGE_LINK_KEY, else the home's link.key (made once, readable by its owner only)."""
    if configured := os.environ.get("SKILLBRIDGE_LINK_KEY"):
        return configured.encode()
    path = home / "link.key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def _signature(key: bytes, resume_id: str, jd_id: str, expires: int) -> str:
    message = f"report:{resume_id}:{jd_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def report_path(
    key: bytes, resume_id: str, jd_id: str, seconds: int = LINK_SECONDS, now: float | None = None
) -> tuple[str, int]:
    """(the report's path with its signed query, the Unix time it expires)."""
    expires = int(now if now is not None else time.time()) + seconds
    query = urlencode({"expires": expires, "sig": _signature(key, resume_id, jd_id, expires)})
    return f"/report/{resume_id}/{jd_id}?{query}", expires


def verify(key: bytes, resume_id: str, jd_id: str, expires: int, sig: str) -> bool:
    """The signature is this analysis' and the link has not expired."""
    expected = _signature(key, resume_id, jd_id, expires)
    return expires > time.time() and hmac.compare_digest(expected.encode(), sig.encode())
