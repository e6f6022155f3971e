"""Resumes and JDs: pages of them, and one with its skills, their evidence and its batch."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from skillbridge_pipeline.api import schemas
from skillbridge_pipeline.api.deps import AUTH, NOT_FOUND, Limit, Offset, Reader, Store

KIND_OF = {"resumes": "resume", "jds": "jd"}

router = APIRouter(dependencies=[Reader], responses=AUTH)


def _document(row: dict) -> dict:
    return {name: row.get(name) for name in schemas.Document.model_fields}


def _lister(kind: str):
    def list_documents(store: Store, offset: Offset = 0, limit: Limit = 50) -> schemas.DocumentPage:
        total, rows = store.list_documents(kind, offset, limit)
        return schemas.DocumentPage(
            items=[schemas.Document(**_document(r)) for r in rows],
            total=total,
            offset=offset,
            limit=limit,
        )

    return list_documents


def _reader(kind: str):
    def get_document(doc_id: str, store: Store) -> schemas.DocumentWithSkills:
        row = store.get_document(kind, doc_id)
        if row is None:
            raise HTTPException(404, f"no {kind} with id {doc_id!r}")
        skills = [schemas.Skill(**s) for s in store.document_skills(kind, doc_id)]
        batch = store.get_batch(row["batch_key"]) if row["batch_key"] else None
        return schemas.DocumentWithSkills(
            **_document(row),
            skills=skills,
            batch=schemas.Batch(
                **{name: getattr(batch, name) for name in schemas.Batch.model_fields}
            )
            if batch
            else None,
        )

    return get_document


for collection, kind in KIND_OF.items():
    router.add_api_route(
        f"/api/{collection}",
        _lister(kind),
        response_model=schemas.DocumentPage,
        summary=f"List {collection}",
    )
    router.add_api_route(
        f"/api/{collection}/{{doc_id}}",
        _reader(kind),
        response_model=schemas.DocumentWithSkills,
        responses=NOT_FOUND,
        summary=f"One {kind} with its skills and their evidence",
    )
