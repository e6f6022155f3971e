"""Scored analyses and their roadmaps, keyed by (resume id, JD id)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import (
    Column,
    Float,
    String,
    Table,
    Text,
    and_,
    delete,
    select,
)

from skillbridge_pipeline.core.store.db import Database, UtcDateTime, metadata, now
from skillbridge_pipeline.core.store.documents import documents

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


class AnalysisTables(Database):
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

    def analysis_listing(
        self, resume_ids: Iterable[str] | None = None, jd_ids: Iterable[str] | None = None
    ) -> list[dict]:
        """Stored analyses, newest first, with what a person knows them by (file names, the
        JD's title) and their top gaps; optionally only those of some resumes or JDs."""
        resume, jd = documents.alias("resume"), documents.alias("jd")
        query = (
            select(
                analyses,
                resume.c.filename.label("resume_file"),
                jd.c.filename.label("jd_file"),
                jd.c.title.label("jd_title"),
            )
            .outerjoin(
                resume, and_(resume.c.kind == "resume", resume.c.doc_id == analyses.c.resume_id)
            )
            .outerjoin(jd, and_(jd.c.kind == "jd", jd.c.doc_id == analyses.c.jd_id))
            .order_by(analyses.c.updated_at.desc(), analyses.c.resume_id, analyses.c.jd_id)
        )
        if resume_ids is not None:
            query = query.where(analyses.c.resume_id.in_(list(resume_ids)))
        if jd_ids is not None:
            query = query.where(analyses.c.jd_id.in_(list(jd_ids)))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            gaps = json.loads(row.pop("result"))["skill_gaps"]
            row["top_gaps"] = [g["name"] for g in gaps if g["coverage"] != "Strong"][:3]
        return rows

    def analysis_listing_of_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[dict]:
        """`analysis_listing` of exactly these (resume id, JD id) pairs."""
        wanted = set(pairs)
        rows = self.analysis_listing({r for r, _ in wanted}, {j for _, j in wanted})
        return [row for row in rows if (row["resume_id"], row["jd_id"]) in wanted]
