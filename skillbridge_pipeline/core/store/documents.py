"""Documents, their status, parsed text and skills.

Every write is an idempotent upsert keyed by (kind, document id), so re-running a batch
converges to the same rows. Status moves landed -> queued -> parsed -> extracted, or to failed
with a reason. Documents are claimed into a batch atomically (one UPDATE that only one claimer
can win), so two dispatchers (the inbox and the Kafka sensor) never send a document twice.
(~450 lines: the writes of each lineage stage and the reads the API and the CLI need.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Float,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)

from skillbridge_pipeline.core.store.batches import BatchTables, batches
from skillbridge_pipeline.core.store.db import RowRecord, UtcDateTime, metadata, now

DOCUMENT_STATUSES = ("landed", "queued", "parsed", "extracted", "failed")


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
    # "name" (the name matcher) or "meaning" (a sentence the linker tied to the skill)
    Column("method", String(8), nullable=False, server_default="name"),
)


# Parsed text, for what reads a document after its batch (the enhancer, evidence on the API).
document_texts = Table(
    "document_texts",
    metadata,
    Column("kind", String(8), primary_key=True),
    Column("doc_id", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)


@dataclass(frozen=True)
class DocumentRecord(RowRecord):
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


class DocumentTables(BatchTables):
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
        """Record a landed document; False when it was already known (same bytes). A document
        that failed starts over when its bytes arrive again (a fixed parser, a killed run)."""
        stamp = now()
        statement = (
            self.upsert(documents)
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
        again = (
            update(documents)
            .where(documents.c.kind == kind, documents.c.doc_id == doc_id)
            .where(documents.c.status == "failed")
            .values(
                status="landed",
                error=None,
                error_stage=None,
                batch_key=None,
                dispatched_at=None,
                landing_path=landing_path,
                updated_at=stamp,
            )
        )
        with self.engine.begin() as conn:
            return conn.execute(statement).rowcount == 1 or conn.execute(again).rowcount == 1

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

    def batch_documents(self, batch_key: str) -> list[DocumentRecord]:
        query = (
            select(documents).where(documents.c.batch_key == batch_key).order_by(documents.c.seq)
        )
        with self.engine.connect() as conn:
            return [DocumentRecord.from_row(r) for r in conn.execute(query)]

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

    def documents_named(self, name: str, kind: str | None = None) -> list[dict]:
        """Documents a person may mean by `name`: its id, an id's first characters (4 or more)
        or its file name (any case), oldest first."""
        lowered = name.lower()
        match = or_(
            documents.c.doc_id == lowered,
            func.lower(documents.c.filename) == lowered,
            *([documents.c.doc_id.startswith(lowered)] if len(lowered) >= 4 else []),
        )
        query = select(documents).where(match).order_by(documents.c.seq)
        if kind:
            query = query.where(documents.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

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
                    "method": s.get("method", "name"),
                }
                for row in extracted
                for s in row["skills"]
            ]
            if skill_rows:
                conn.execute(document_skills.insert(), skill_rows)
            # One statement for the batch (executemany), not one compiled per document.
            stamp = now()
            conn.execute(
                update(documents)
                .where(documents.c.kind == kind, documents.c.doc_id == bindparam("row_id"))
                .values(
                    status="extracted",
                    skill_count=bindparam("row_skills"),
                    title=bindparam("row_title"),
                    role_family=bindparam("row_family"),
                    seniority=bindparam("row_seniority"),
                    updated_at=stamp,
                ),
                [
                    {
                        "row_id": row["doc_id"],
                        "row_skills": len(row["skills"]),
                        "row_title": row.get("title") or None,
                        "row_family": row.get("role_family"),
                        "row_seniority": row.get("seniority"),
                    }
                    for row in extracted
                ],
            )

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

    def category_counts(self, kind: str | None = None) -> dict[str, int]:
        query = select(document_skills.c.category, func.count()).group_by(
            document_skills.c.category
        )
        if kind:
            query = query.where(document_skills.c.kind == kind)
        with self.engine.connect() as conn:
            return dict(conn.execute(query).all())

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

    def failed_documents(self) -> list[dict]:
        query = (
            select(documents).where(and_(documents.c.status == "failed")).order_by(documents.c.seq)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
