"""The results store: documents, their status and their skills, where the API reads them.

SQLAlchemy Core over SQLite by default and PostgreSQL by URL. Every write is an idempotent
upsert keyed by (kind, document id), so re-running a batch converges to the same rows.
Status moves landed -> queued -> parsed -> extracted, or to failed with a reason.

The unit of work is a *batch*: documents are claimed into a batch atomically (one UPDATE that
only one claimer can win), so two dispatchers (the inbox and the Kafka sensor) never send a
document twice. A batch's row says what it holds, which run took it and how it ended; a
document's row names its batch, so its lineage is one query away.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

DOCUMENT_STATUSES = ("landed", "queued", "parsed", "extracted", "failed")

metadata = MetaData()


def now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


documents = Table(
    "documents",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),
    Column("doc_id", String(64), nullable=False),
    Column("filename", String(512)),
    Column("size_bytes", Integer),
    Column("source", String(32), nullable=False),  # inbox | kafka | cli
    Column("landing_path", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("format", String(16)),
    Column("error_stage", String(32)),
    Column("error", Text),
    Column("batch_key", String(128), index=True),  # the batch that took it (its partition)
    Column("dispatched_at", UtcDateTime()),
    Column("text_chars", Integer),
    Column("skill_count", Integer),
    Column("title", String(256)),
    Column("role_family", String(32)),
    Column("seniority", String(16)),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("kind", "doc_id", name="uq_documents_kind_doc"),
)

document_skills = Table(
    "document_skills",
    metadata,
    Column("kind", String(8), primary_key=True),
    Column("doc_id", String(64), primary_key=True),
    Column("skill_id", String(128), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("category", String(32), nullable=False),
    Column("skill_kind", String(16), nullable=False),
    Column("surface", String(256), nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("requirement", String(16)),
    Column("mentions", Text, nullable=False),  # JSON [[start, end], ...]
)


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

BATCH_STATUSES = ("dispatched", "running", "done", "failed", "dead")

# One row per batch (a dynamic partition): documents of one kind, or analysis requests.
batches = Table(
    "batches",
    metadata,
    Column("batch_key", String(128), primary_key=True),
    Column("kind", String(16), nullable=False),  # resume | jd | analysis
    Column("size", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("strict", Integer, nullable=False, default=0),  # a replayed document, alone
    Column("job_name", String(64)),
    Column("run_id", String(64)),
    Column("attempts", Integer, nullable=False, default=1),  # times its run was requested
    Column("error", Text),
    Column("retired", Integer, nullable=False, default=0),  # left the partition set
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Parsed text, for what reads a document after its batch (the enhancer, evidence on the API).
document_texts = Table(
    "document_texts",
    metadata,
    Column("kind", String(8), primary_key=True),
    Column("doc_id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)

analyses = Table(
    "analyses",
    metadata,
    Column("resume_id", String(64), primary_key=True),
    Column("jd_id", String(64), primary_key=True),
    Column("overall_match", Float, nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("result", Text, nullable=False),  # the JSON the API and the CLI return
    Column("updated_at", UtcDateTime(), nullable=False),
)


roadmaps = Table(
    "roadmaps",
    metadata,
    Column("resume_id", String(64), primary_key=True),
    Column("jd_id", String(64), primary_key=True),
    Column("mode", String(16), nullable=False),  # template | llm | fallback | generic
    Column("roadmap", Text, nullable=False),
    Column("suggestions", Text, nullable=False),  # the resume enhancer's checked rewrites
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
class RequestRecord:
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

    @classmethod
    def from_row(cls, row: Any) -> RequestRecord:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class BatchRecord:
    batch_key: str
    kind: str
    size: int
    status: str
    strict: int
    job_name: str | None
    run_id: str | None
    attempts: int
    error: str | None
    retired: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> BatchRecord:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class DocumentRecord:
    seq: int
    kind: str
    doc_id: str
    filename: str | None
    source: str
    landing_path: str
    status: str
    error: str | None
    batch_key: str | None
    role_family: str | None  # JDs, once extracted
    seniority: str | None

    @classmethod
    def from_row(cls, row: Any) -> DocumentRecord:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (API, sensor) alongside a writing run
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ResultsStore:
    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._insert = (
            postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        )

    def create_schema(self) -> None:
        """Create a new store, or upgrade one made by an earlier release (migrations)."""
        from skillbridge_pipeline.core import dead_letters, tokens  # noqa: F401 (their tables)
        from skillbridge_pipeline.migrations import migrate

        migrate(self.engine, metadata)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- landing and dispatch ----------------------------------------------------------------
    def land(
        self,
        kind: str,
        doc_id: str,
        *,
        filename: str,
        size_bytes: int,
        source: str,
        landing_path: str,
    ) -> bool:
        """Record a landed document; False when it was already known (same bytes)."""
        stamp = now()
        statement = (
            self._insert(documents)
            .values(
                kind=kind,
                doc_id=doc_id,
                filename=filename[:512],
                size_bytes=size_bytes,
                source=source,
                landing_path=landing_path,
                status="landed",
                received_at=stamp,
                updated_at=stamp,
            )
            .on_conflict_do_nothing(index_elements=["kind", "doc_id"])
        )
        with self.engine.begin() as conn:
            return conn.execute(statement).rowcount == 1

    def landed_counts(self) -> dict[str, int]:
        """Documents waiting for a batch, by kind: the backlog batch sizes adapt to."""
        query = (
            select(documents.c.kind, func.count())
            .where(documents.c.status == "landed")
            .group_by(documents.c.kind)
        )
        with self.engine.connect() as conn:
            return dict(conn.execute(query).all())

    def claim_documents(
        self, kind: str, batch_key: str, limit: int, job_name: str
    ) -> list[DocumentRecord]:
        """Take up to `limit` landed documents (oldest first) into a new batch. One UPDATE whose
        WHERE re-checks `status = 'landed'`: a document another dispatcher has claimed is
        skipped, so no document is ever in two batches."""
        oldest = (
            select(documents.c.seq)
            .where(documents.c.kind == kind, documents.c.status == "landed")
            .order_by(documents.c.seq)
            .limit(limit)
        )
        if self.engine.dialect.name == "postgresql":
            # In a CTE, evaluated once: PostgreSQL may re-run a plain IN (subquery) per row and
            # take more than `limit` rows. (SQLite runs one writer at a time, and its driver
            # counts no rows for a statement that starts with WITH.)
            picked = oldest.with_for_update(skip_locked=True).cte("picked")
            oldest = select(picked.c.seq)
        stamp = now()
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(documents)
                .where(documents.c.seq.in_(oldest), documents.c.status == "landed")
                .values(status="queued", batch_key=batch_key, dispatched_at=stamp, updated_at=stamp)
            ).rowcount
            if not claimed:
                return []
            self._add_batch(conn, batch_key, kind, claimed, job_name)
            rows = conn.execute(
                select(documents)
                .where(documents.c.batch_key == batch_key)
                .order_by(documents.c.seq)
            )
            return [DocumentRecord.from_row(r) for r in rows]

    def claim_document_alone(self, kind: str, doc_id: str, batch_key: str, job_name: str) -> bool:
        """A replayed document in a one-document batch of its own, run in strict mode."""
        stamp = now()
        with self.engine.begin() as conn:
            moved = conn.execute(
                update(documents)
                .where(documents.c.kind == kind, documents.c.doc_id == doc_id)
                .values(
                    status="queued",
                    batch_key=batch_key,
                    error=None,
                    error_stage=None,
                    dispatched_at=stamp,
                    updated_at=stamp,
                )
            ).rowcount
            if moved:
                self._add_batch(conn, batch_key, kind, 1, job_name, strict=True)
            return bool(moved)

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

    def _add_batch(
        self, conn, batch_key: str, kind: str, size: int, job_name: str, strict: bool = False
    ) -> None:
        stamp = now()
        conn.execute(
            batches.insert().values(
                batch_key=batch_key,
                kind=kind,
                size=size,
                status="dispatched",
                strict=int(strict),
                job_name=job_name,
                attempts=1,
                retired=0,
                created_at=stamp,
                updated_at=stamp,
            )
        )

    def update_batch(self, batch_key: str, **values: Any) -> None:
        """Status, run id, counts or error of a batch (see the `batches` columns)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(batches)
                .where(batches.c.batch_key == batch_key)
                .values(**values, updated_at=now())
            )

    def get_batch(self, batch_key: str) -> BatchRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(batches).where(batches.c.batch_key == batch_key)).first()
        return BatchRecord.from_row(row) if row else None

    def batch_documents(self, batch_key: str) -> list[DocumentRecord]:
        query = (
            select(documents).where(documents.c.batch_key == batch_key).order_by(documents.c.seq)
        )
        with self.engine.connect() as conn:
            return [DocumentRecord.from_row(r) for r in conn.execute(query)]

    def unstarted_batches(self, older_than: timedelta, limit: int) -> list[BatchRecord]:
        """Batches dispatched long ago whose run never started (the daemon died first)."""
        query = (
            select(batches)
            .where(batches.c.status == "dispatched", batches.c.created_at < now() - older_than)
            .order_by(batches.c.created_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [BatchRecord.from_row(r) for r in conn.execute(query)]

    def batches_to_retire(self, older_than: timedelta, limit: int) -> list[str]:
        """Finished batches past the retention window that are still Dagster partitions."""
        query = (
            select(batches.c.batch_key)
            .where(
                batches.c.retired == 0,
                batches.c.status.in_(["done", "failed", "dead"]),
                batches.c.created_at < now() - older_than,
            )
            .order_by(batches.c.created_at)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def mark_retired(self, batch_keys: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(batches).where(batches.c.batch_key.in_(list(batch_keys))).values(retired=1)
            )

    def fail_unfinished(self, batch_key: str, reason: str) -> list[str]:
        """Documents of a batch whose run failed, not yet extracted or failed on their own,
        fail with the run's reason (their bytes stay in the landing store for a replay)."""
        where = and_(
            documents.c.batch_key == batch_key, documents.c.status.in_(["queued", "parsed"])
        )
        with self.engine.begin() as conn:
            ids = list(conn.execute(select(documents.c.doc_id).where(where)).scalars())
            conn.execute(
                update(documents)
                .where(where)
                .values(status="failed", error_stage="batch", error=reason[:2000], updated_at=now())
            )
        return ids

    # -- results -----------------------------------------------------------------------------
    def documents_by_id(self, kind: str, doc_ids: Iterable[str]) -> dict[str, DocumentRecord]:
        ids = list(set(doc_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(documents).where(documents.c.kind == kind, documents.c.doc_id.in_(ids))
            )
            return {r.doc_id: DocumentRecord.from_row(r) for r in rows}

    def record_parsed(self, kind: str, parsed: Sequence[dict]) -> None:
        """Rows: doc_id, format, text_chars, text."""
        if not parsed:
            return
        ids = [row["doc_id"] for row in parsed]
        with self.engine.begin() as conn:
            conn.execute(
                delete(document_texts).where(
                    document_texts.c.kind == kind, document_texts.c.doc_id.in_(ids)
                )
            )
            conn.execute(
                document_texts.insert(),
                [{"kind": kind, "doc_id": row["doc_id"], "text": row["text"]} for row in parsed],
            )
            for row in parsed:
                conn.execute(
                    update(documents)
                    .where(documents.c.kind == kind, documents.c.doc_id == row["doc_id"])
                    .values(
                        status="parsed",
                        format=row["format"],
                        text_chars=row["text_chars"],
                        error=None,
                        error_stage=None,
                        updated_at=now(),
                    )
                )

    def record_failed(self, kind: str, failed: dict[str, str], stage: str) -> None:
        """Documents (id -> reason) that failed at `stage`, in one transaction."""
        if not failed:
            return
        with self.engine.begin() as conn:
            for doc_id, error in failed.items():
                conn.execute(
                    update(documents)
                    .where(documents.c.kind == kind, documents.c.doc_id == doc_id)
                    .values(
                        status="failed", error_stage=stage, error=error[:2000], updated_at=now()
                    )
                )

    def texts(self, kind: str, doc_ids: Iterable[str]) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(document_texts.c.doc_id, document_texts.c.text).where(
                    document_texts.c.kind == kind, document_texts.c.doc_id.in_(list(set(doc_ids)))
                )
            )
            return dict(rows.all())

    def document_lineage(self, doc_id: str) -> list[dict]:
        """Each document with this id (a resume, a JD or both) with its batch and that batch's
        run: which batch, which run, which stage failed and why."""
        query = (
            select(
                documents,
                batches.c.status.label("batch_status"),
                batches.c.run_id,
                batches.c.job_name,
                batches.c.created_at.label("batch_created_at"),
            )
            .outerjoin(batches, batches.c.batch_key == documents.c.batch_key)
            .where(documents.c.doc_id == doc_id)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def replace_skills(self, kind: str, extracted: Sequence[dict]) -> None:
        """Rows: doc_id, skills (list of dicts), and for JDs title/role_family/seniority."""
        if not extracted:
            return
        with self.engine.begin() as conn:
            ids = [row["doc_id"] for row in extracted]
            conn.execute(
                delete(document_skills).where(
                    document_skills.c.kind == kind, document_skills.c.doc_id.in_(ids)
                )
            )
            skill_rows = [
                {
                    "kind": kind,
                    "doc_id": row["doc_id"],
                    "skill_id": s["skill_id"],
                    "name": s["name"][:256],
                    "category": s["category"],
                    "skill_kind": s["skill_kind"],
                    "surface": s["surface"][:256],
                    "start_offset": s["start"],
                    "end_offset": s["end"],
                    "confidence": s["confidence"],
                    "requirement": s.get("requirement"),
                    "mentions": json.dumps(s["mentions"]),
                }
                for row in extracted
                for s in row["skills"]
            ]
            if skill_rows:
                conn.execute(document_skills.insert(), skill_rows)
            for row in extracted:
                conn.execute(
                    update(documents)
                    .where(documents.c.kind == kind, documents.c.doc_id == row["doc_id"])
                    .values(
                        status="extracted",
                        skill_count=len(row["skills"]),
                        title=(row.get("title") or None),
                        role_family=row.get("role_family"),
                        seniority=row.get("seniority"),
                        updated_at=now(),
                    )
                )

    # -- reads -------------------------------------------------------------------------------
    def get_document(self, kind: str, doc_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(documents).where(documents.c.kind == kind, documents.c.doc_id == doc_id)
            ).first()
            return dict(row._mapping) if row else None

    def document_skills(self, kind: str, doc_id: str) -> list[dict]:
        query = (
            select(document_skills)
            .where(document_skills.c.kind == kind, document_skills.c.doc_id == doc_id)
            .order_by(document_skills.c.start_offset)
        )
        with self.engine.connect() as conn:
            out = []
            for row in conn.execute(query):
                record = dict(row._mapping)
                record["mentions"] = json.loads(record["mentions"])
                out.append(record)
            return out

    def list_documents(self, kind: str | None, offset: int, limit: int) -> tuple[int, list[dict]]:
        """(total, one page of documents of a kind, or of both, in landing order)."""
        where = documents.c.kind == kind if kind else documents.c.seq.is_not(None)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(documents).where(where)).scalar()
            rows = conn.execute(
                select(documents).where(where).order_by(documents.c.seq).offset(offset).limit(limit)
            )
            return total, [dict(r._mapping) for r in rows]

    def get_request(self, request_id: str) -> RequestRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(analysis_requests).where(analysis_requests.c.request_id == request_id)
            ).first()
        return RequestRecord.from_row(row) if row else None

    def requests_for_session(self, session_id: str) -> list[RequestRecord]:
        query = (
            select(analysis_requests)
            .where(analysis_requests.c.session_id == session_id)
            .order_by(analysis_requests.c.seq)
        )
        with self.engine.connect() as conn:
            return [RequestRecord.from_row(r) for r in conn.execute(query)]

    def skills_many(self, kind: str, doc_ids: Iterable[str]) -> dict[str, list[dict]]:
        """Skills of many documents in one query, each list in order of first mention."""
        ids = list(set(doc_ids))
        out: dict[str, list[dict]] = {doc_id: [] for doc_id in ids}
        query = (
            select(document_skills)
            .where(document_skills.c.kind == kind, document_skills.c.doc_id.in_(ids))
            .order_by(document_skills.c.doc_id, document_skills.c.start_offset)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                record = dict(row._mapping)
                record["mentions"] = json.loads(record["mentions"])
                out[record["doc_id"]].append(record)
        return out

    def batch_skill_names(self, batch_key: str) -> list[tuple[str, str, int]]:
        """(skill name, document kind, documents naming it) over a batch's extracted
        documents, in one grouped query."""
        query = (
            select(document_skills.c.name, document_skills.c.kind, func.count())
            .join(
                documents,
                and_(
                    documents.c.kind == document_skills.c.kind,
                    documents.c.doc_id == document_skills.c.doc_id,
                ),
            )
            .where(documents.c.batch_key == batch_key, documents.c.status == "extracted")
            .group_by(document_skills.c.name, document_skills.c.kind)
            .order_by(document_skills.c.name, document_skills.c.kind)
        )
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query)]

    def status_counts(self) -> dict[tuple[str, str], int]:
        query = select(documents.c.kind, documents.c.status, func.count()).group_by(
            documents.c.kind, documents.c.status
        )
        with self.engine.connect() as conn:
            return {(k, s): n for k, s, n in conn.execute(query)}

    def request_status_counts(self) -> dict[str, int]:
        query = select(analysis_requests.c.status, func.count()).group_by(
            analysis_requests.c.status
        )
        with self.engine.connect() as conn:
            return dict(conn.execute(query).all())

    def category_counts(self, kind: str | None = None) -> dict[str, int]:
        query = select(document_skills.c.category, func.count()).group_by(
            document_skills.c.category
        )
        if kind:
            query = query.where(document_skills.c.kind == kind)
        with self.engine.connect() as conn:
            return dict(conn.execute(query).all())

    # -- analyses ----------------------------------------------------------------------------
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
            self._insert(analysis_requests)
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
        query = (
            select(analysis_requests)
            .where(analysis_requests.c.status == status)
            .order_by(analysis_requests.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [RequestRecord.from_row(r) for r in conn.execute(query)]

    def requests_for_resumes(self, resume_ids: Iterable[str]) -> list[RequestRecord]:
        query = (
            select(analysis_requests)
            .where(
                analysis_requests.c.resume_id.in_(list(resume_ids)),
                analysis_requests.c.status.in_(["scoring", "done", "pending"]),
            )
            .order_by(analysis_requests.c.seq)
        )
        with self.engine.connect() as conn:
            return [RequestRecord.from_row(r) for r in conn.execute(query)]

    def requests_in_batch(self, batch_key: str) -> list[RequestRecord]:
        query = (
            select(analysis_requests)
            .where(analysis_requests.c.batch_key == batch_key)
            .order_by(analysis_requests.c.seq)
        )
        with self.engine.connect() as conn:
            return [RequestRecord.from_row(r) for r in conn.execute(query)]

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
                self._insert(notifications)
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

    def document_statuses(
        self, kind: str, doc_ids: Iterable[str]
    ) -> dict[str, tuple[int, str, str | None]]:
        """doc id -> (landing seq, status, error)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    documents.c.doc_id, documents.c.seq, documents.c.status, documents.c.error
                ).where(documents.c.kind == kind, documents.c.doc_id.in_(list(doc_ids)))
            )
            return {r.doc_id: (r.seq, r.status, r.error) for r in rows}

    def save_analyses(self, results: Sequence[dict]) -> None:
        if not results:
            return
        stamp = now()
        with self.engine.begin() as conn:
            for result in results:
                conn.execute(
                    delete(analyses).where(
                        analyses.c.resume_id == result["resume_id"],
                        analyses.c.jd_id == result["jd_id"],
                    )
                )
                conn.execute(
                    analyses.insert().values(
                        resume_id=result["resume_id"],
                        jd_id=result["jd_id"],
                        overall_match=result["overall_match"],
                        model_version=result["model_version"],
                        result=json.dumps(result),
                        updated_at=stamp,
                    )
                )

    def save_roadmaps(self, items: Sequence[dict]) -> None:
        """Items: resume_id, jd_id, roadmap (with its mode), suggestions."""
        stamp = now()
        with self.engine.begin() as conn:
            for item in items:
                conn.execute(
                    delete(roadmaps).where(
                        roadmaps.c.resume_id == item["resume_id"], roadmaps.c.jd_id == item["jd_id"]
                    )
                )
                conn.execute(
                    roadmaps.insert().values(
                        resume_id=item["resume_id"],
                        jd_id=item["jd_id"],
                        mode=item["roadmap"]["mode"],
                        roadmap=json.dumps(item["roadmap"]),
                        suggestions=json.dumps(item["suggestions"]),
                        updated_at=stamp,
                    )
                )

    def get_roadmap(self, resume_id: str, jd_id: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(roadmaps).where(roadmaps.c.resume_id == resume_id, roadmaps.c.jd_id == jd_id)
            ).first()
        if row is None:
            return None
        return {"roadmap": json.loads(row.roadmap), "suggestions": json.loads(row.suggestions)}

    def analyses_for_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[dict]:
        wanted = set(pairs)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(analyses.c.resume_id, analyses.c.jd_id, analyses.c.result).where(
                    analyses.c.resume_id.in_({resume_id for resume_id, _ in wanted})
                )
            )
            return [json.loads(r.result) for r in rows if (r.resume_id, r.jd_id) in wanted]

    def get_analysis(self, resume_id: str, jd_id: str) -> dict | None:
        stored = self.get_analysis_json(resume_id, jd_id)
        return json.loads(stored) if stored else None

    def get_analysis_json(self, resume_id: str, jd_id: str) -> str | None:
        """The stored JSON as it is: what the API returns without decoding it."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(analyses.c.result).where(
                    analyses.c.resume_id == resume_id, analyses.c.jd_id == jd_id
                )
            ).scalar()

    def failed_documents(self) -> list[dict]:
        query = (
            select(documents).where(and_(documents.c.status == "failed")).order_by(documents.c.seq)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
