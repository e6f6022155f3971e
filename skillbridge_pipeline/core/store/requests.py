"""Analysis requests and the notifications a session's WebSocket is told of."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    select,
    update,
)

from skillbridge_pipeline.core.store.analyses import analyses
from skillbridge_pipeline.core.store.batches import BatchTables
from skillbridge_pipeline.core.store.db import RowRecord, UtcDateTime, metadata, now

analysis_requests = Table(
    "analysis_requests",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(64), nullable=False, unique=True),
    Column("resume_id", String(64), nullable=False, index=True),
    Column("jd_id", String(64), nullable=False),
    Column("session_id", String(128)),
    Column("source", String(32), nullable=False),
    # fetching (its JD page) | pending | scoring | done | failed
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("batch_key", String(128), index=True),  # the batch fetching or scoring it
    Column("jd_url", Text),  # a JD named by URL; jd_id is "url-…" until the page is fetched
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)


# What a session's WebSocket is told: one row per finished request (ready or failed), written
# in the same transaction as the request's status, so nothing is announced that is not stored.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(128), nullable=False, index=True),
    Column("request_id", String(64), nullable=False),
    Column("event", String(32), nullable=False),  # analysis.ready | analysis.failed
    Column("payload", Text, nullable=False),  # JSON
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("request_id", "event", name="uq_notifications_request_event"),
)


NOTIFIED_STATUSES = {"done": "analysis.ready", "failed": "analysis.failed"}
# Requests held by a run that failed after its retries fail with one of these prefixes, by what
# the run was doing; a replay of the run puts them back to that status.
RUN_FAILED = {"scoring": "scoring failed: ", "fetching": "fetching the JD page failed: "}


@dataclass(frozen=True)
class RequestRecord(RowRecord):
    seq: int
    request_id: str
    resume_id: str
    jd_id: str
    session_id: str | None
    status: str
    error: str | None
    requested_at: datetime
    batch_key: str | None  # the batch fetching or scoring it
    jd_url: str | None


class RequestTables(BatchTables):
    def claim_fetches(self, batch_key: str, limit: int, job_name: str) -> int:
        """Requests waiting for their JD page, not yet in a batch, into a new page batch (one
        run fetches them); only one claimer wins each. Returns how many were claimed."""
        with self.engine.begin() as conn:
            waiting = (
                select(analysis_requests.c.request_id)
                .where(
                    analysis_requests.c.status == "fetching",
                    analysis_requests.c.batch_key.is_(None),
                )
                .order_by(analysis_requests.c.seq)
                .limit(limit)
            )
            ids = list(conn.execute(waiting).scalars())
            claimed = conn.execute(
                update(analysis_requests)
                .where(
                    analysis_requests.c.request_id.in_(ids),
                    analysis_requests.c.batch_key.is_(None),
                )
                .values(batch_key=batch_key, updated_at=now())
            ).rowcount
            if claimed:
                self._add_batch(conn, batch_key, "page", claimed, job_name)
            return claimed

    def refetch_alone(self, request_id: str, batch_key: str, job_name: str) -> bool:
        """A replayed page fetch in a one-request batch of its own, run in strict mode."""
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(analysis_requests)
                .where(
                    analysis_requests.c.request_id == request_id,
                    analysis_requests.c.jd_url.is_not(None),
                )
                .values(status="fetching", batch_key=batch_key, error=None, updated_at=now())
            ).rowcount
            if moved:
                self._add_batch(conn, batch_key, "page", 1, job_name, strict=True)
            return bool(moved)

    def page_fetched(self, request_id: str, jd_id: str) -> None:
        """The request's JD page is a landed document now: it waits for it like any other."""
        with self.engine.begin() as conn:
            conn.execute(
                update(analysis_requests)
                .where(analysis_requests.c.request_id == request_id)
                .values(jd_id=jd_id, status="pending", error=None, updated_at=now())
            )

    def claim_requests(
        self, request_ids: Sequence[str], batch_key: str, new_batch_job: str | None = None
    ) -> int:
        """Pending requests into the batch that will score them; only one claimer wins each.
        With `new_batch_job`, the batch is a new analysis batch, recorded in the same
        transaction. Returns how many were claimed."""
        if not request_ids:
            return 0
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(analysis_requests)
                .where(
                    analysis_requests.c.request_id.in_(list(request_ids)),
                    analysis_requests.c.status == "pending",
                )
                .values(status="scoring", batch_key=batch_key, updated_at=now())
            ).rowcount
            if claimed and new_batch_job:
                self._add_batch(conn, batch_key, "analysis", claimed, new_batch_job)
            return claimed

    def get_request(self, request_id: str) -> RequestRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(analysis_requests).where(analysis_requests.c.request_id == request_id)
            ).first()
        return RequestRecord.from_row(row) if row else None

    def _requests_where(self, *conditions, limit: int | None = None) -> list[RequestRecord]:
        """Requests matching every condition, oldest first."""
        query = select(analysis_requests).where(*conditions).order_by(analysis_requests.c.seq)
        with self.engine.connect() as conn:
            return [RequestRecord.from_row(r) for r in conn.execute(query.limit(limit))]

    def requests_for_session(self, session_id: str) -> list[RequestRecord]:
        return self._requests_where(analysis_requests.c.session_id == session_id)

    def request_status_counts(self) -> dict[str, int]:
        query = select(analysis_requests.c.status, func.count()).group_by(
            analysis_requests.c.status
        )
        with self.engine.connect() as conn:
            return dict(conn.execute(query).all())

    def add_request(
        self,
        request_id: str,
        resume_id: str,
        jd_id: str,
        session_id: str | None,
        source: str,
        jd_url: str | None = None,
    ) -> bool:
        """Record an analysis request (one naming its JD by URL waits for the page's fetch);
        False when the same request was already known."""
        stamp = now()
        statement = (
            self.upsert(analysis_requests)
            .values(
                request_id=request_id,
                resume_id=resume_id,
                jd_id=jd_id,
                session_id=session_id,
                source=source,
                jd_url=jd_url,
                status="fetching" if jd_url else "pending",
                requested_at=stamp,
                updated_at=stamp,
            )
            .on_conflict_do_nothing(index_elements=["request_id"])
        )
        with self.engine.begin() as conn:
            return conn.execute(statement).rowcount == 1

    def requests_with_status(self, status: str, limit: int) -> list[RequestRecord]:
        return self._requests_where(analysis_requests.c.status == status, limit=limit)

    def requests_for_resumes(self, resume_ids: Iterable[str]) -> list[RequestRecord]:
        return self._requests_where(
            analysis_requests.c.resume_id.in_(list(resume_ids)),
            analysis_requests.c.status.in_(["scoring", "done", "pending"]),
        )

    def requests_in_batch(self, batch_key: str) -> list[RequestRecord]:
        return self._requests_where(analysis_requests.c.batch_key == batch_key)

    def fail_held_requests(self, batch_key: str, reason: str) -> int:
        """Requests this batch's run was still scoring or fetching fail with the reason (and
        notify)."""
        held = self.requests_in_batch(batch_key)
        for status, prefix in RUN_FAILED.items():
            if ids := [r.request_id for r in held if r.status == status]:
                self.set_request_status(ids, "failed", error=prefix + reason[:1000])
        return sum(r.status in RUN_FAILED for r in held)

    def requeue_held_requests(self, batch_key: str) -> int:
        """Put the requests `fail_held_requests` failed back where they were, for a replay."""
        held = [r for r in self.requests_in_batch(batch_key) if r.status == "failed"]
        requeued = 0
        for status, prefix in RUN_FAILED.items():
            if ids := [r.request_id for r in held if (r.error or "").startswith(prefix)]:
                self.set_request_status(ids, status)
                requeued += len(ids)
        return requeued

    def set_request_status(
        self,
        request_ids: Sequence[str],
        status: str,
        *,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "error": error, "updated_at": now()}
        with self.engine.begin() as conn:
            conn.execute(
                update(analysis_requests)
                .where(analysis_requests.c.request_id.in_(list(request_ids)))
                .values(**values)
            )
            if status in NOTIFIED_STATUSES:
                self._notify(conn, request_ids, NOTIFIED_STATUSES[status])

    def _notify(self, conn, request_ids: Sequence[str], event_name: str) -> None:
        finished = conn.execute(
            select(analysis_requests, analyses.c.overall_match)
            .outerjoin(
                analyses,
                and_(
                    analyses.c.resume_id == analysis_requests.c.resume_id,
                    analyses.c.jd_id == analysis_requests.c.jd_id,
                ),
            )
            .where(
                analysis_requests.c.request_id.in_(list(request_ids)),
                analysis_requests.c.session_id.is_not(None),
            )
        ).all()
        for row in finished:
            payload = {"request_id": row.request_id, "resume_id": row.resume_id, "jd_id": row.jd_id}
            if event_name == "analysis.ready":
                payload["overall_match"] = row.overall_match
            else:
                payload["reason"] = row.error
            conn.execute(
                self.upsert(notifications)
                .values(
                    session_id=row.session_id,
                    request_id=row.request_id,
                    event=event_name,
                    payload=json.dumps(payload),
                    created_at=now(),
                )
                .on_conflict_do_nothing(index_elements=["request_id", "event"])
            )

    def notifications_after(
        self, after_id: int, session_id: str | None = None, limit: int = 100
    ) -> list[dict]:
        """Notifications newer than `after_id` (of one session, or of all), oldest first."""
        query = select(notifications).where(notifications.c.id > after_id)
        if session_id is not None:
            query = query.where(notifications.c.session_id == session_id)
        with self.engine.connect() as conn:
            return [
                {
                    "id": r.id,
                    "event": r.event,
                    "session_id": r.session_id,
                    "created_at": r.created_at.isoformat(),
                    **json.loads(r.payload),
                }
                for r in conn.execute(query.order_by(notifications.c.id).limit(limit))
            ]

    def latest_notification_id(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(notifications.c.id))).scalar() or 0
