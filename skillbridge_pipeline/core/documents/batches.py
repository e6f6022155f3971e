"""Batches, the unit of work: readable keys and sizes that adapt to the backlog.

A batch is one Dagster partition and one run. Its key says what it holds and when it was cut
(`resume-20261201T195512-3fa2c1`); the short random part keeps two dispatchers' keys apart.
At low volume a batch is whatever waits (one small batch per kind per tick: latency); at high
volume batches grow to `max_size` (throughput), so the number of partitions made a day is
bounded by ticks, not by documents (docs/architecture.md has the arithmetic).
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime

BATCH_KINDS = ("resume", "jd", "analysis", "page")  # page: JD pages to fetch


def new_batch_key(kind: str, at: datetime | None = None) -> str:
    if kind not in BATCH_KINDS:
        raise ValueError(f"batch kind must be one of {BATCH_KINDS}, not {kind!r}")
    stamp = (at or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    return f"{kind}-{stamp}-{secrets.token_hex(3)}"


def batch_kind(batch_key: str) -> str:
    """The kind a batch key names (its first part)."""
    kind = batch_key.split("-", 1)[0]
    if kind not in BATCH_KINDS:
        raise ValueError(f"not a batch key: {batch_key!r}")
    return kind


def batch_sizes(backlog: int, max_size: int, max_per_tick: int) -> list[int]:
    """How many documents each batch of this tick takes: the backlog (up to `max_per_tick`)
    cut into as few batches of at most `max_size` as it takes, of equal size."""
    take = min(backlog, max_per_tick)
    if take <= 0:
        return []
    count = math.ceil(take / max_size)
    size, extra = divmod(take, count)
    return [size + (i < extra) for i in range(count)]
