"""One (resume, JD) pair: its analysis, roadmap, suggestions and printable report; and the chat
about a session's finished analyses."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

from skillbridge_pipeline.api import schemas
from skillbridge_pipeline.api.deps import (
    AUTH,
    JSON_PROBLEMS,
    NOT_FOUND,
    BrowserPairReader,
    PairReader,
    SessionReader,
    Settings,
    Store,
)
from skillbridge_pipeline.api.report import render_report
from skillbridge_pipeline.core.roadmaps import llm
from skillbridge_pipeline.core.store import ResultsStore

router = APIRouter()


def stored_analysis(store: ResultsStore, resume_id: str, jd_id: str) -> str:
    """The analysis' stored JSON, or 404."""
    stored = store.get_analysis_json(resume_id, jd_id)
    if stored is None:
        raise HTTPException(404, f"no analysis of resume {resume_id!r} against JD {jd_id!r}")
    return stored


def roadmap_of(store: ResultsStore, resume_id: str, jd_id: str) -> dict:
    stored = store.get_roadmap(resume_id, jd_id)
    if stored is None:
        raise HTTPException(404, f"no roadmap for resume {resume_id!r} and JD {jd_id!r}")
    return stored


@router.get(
    "/api/analyses/{resume_id}/{jd_id}",
    response_model=schemas.Analysis,
    responses={**AUTH, **NOT_FOUND},
    dependencies=[PairReader],
)
def get_analysis(resume_id: str, jd_id: str, store: Store) -> Response:
    """The gaps of one resume against one JD, by priority, with their evidence."""
    # Returned as stored (the schema's shape), without decoding and re-encoding it.
    return Response(stored_analysis(store, resume_id, jd_id), media_type="application/json")


@router.get(
    "/api/roadmap/{resume_id}/{jd_id}",
    response_model=schemas.Roadmap,
    responses={**AUTH, **NOT_FOUND},
    dependencies=[PairReader],
)
def get_roadmap(resume_id: str, jd_id: str, store: Store) -> dict:
    return {
        "resume_id": resume_id,
        "jd_id": jd_id,
        **roadmap_of(store, resume_id, jd_id)["roadmap"],
    }


@router.get(
    "/api/suggestions/{resume_id}/{jd_id}",
    response_model=schemas.Suggestions,
    responses={**AUTH, **NOT_FOUND},
    dependencies=[PairReader],
)
def get_suggestions(resume_id: str, jd_id: str, store: Store) -> dict:
    """The resume enhancer's checked rewrites toward the JD's terms."""
    stored = roadmap_of(store, resume_id, jd_id)
    return {"resume_id": resume_id, "jd_id": jd_id, "suggestions": stored["suggestions"]}


@router.post(
    "/api/chat/{session_id}",
    response_model=schemas.ChatAnswer,
    responses={**AUTH, **NOT_FOUND, 413: {"model": schemas.Problem}},
    dependencies=[SessionReader],
)
def chat(
    session_id: str, question: schemas.ChatQuestion, store: Store, settings: Settings
) -> schemas.ChatAnswer:
    """Ask about one of this session's finished analyses (the latest unless named)."""
    done = [r for r in store.requests_for_session(session_id) if r.status == "done"]
    if question.resume_id or question.jd_id:
        done = [
            r
            for r in done
            if question.resume_id in (None, r.resume_id) and question.jd_id in (None, r.jd_id)
        ]
    if not done:
        raise HTTPException(404, f"session {session_id!r} has no finished analysis to discuss")
    latest = done[-1]
    analysis = json.loads(stored_analysis(store, latest.resume_id, latest.jd_id))
    answer = llm.chat(question.question, analysis, settings.llm)
    return schemas.ChatAnswer(resume_id=latest.resume_id, jd_id=latest.jd_id, answer=answer)


@router.get(
    "/report/{resume_id}/{jd_id}",
    response_class=HTMLResponse,
    responses=JSON_PROBLEMS,
    dependencies=[BrowserPairReader],
)
def report(resume_id: str, jd_id: str, store: Store) -> HTMLResponse:
    """A printable page: match, gaps chart, coverage with evidence, roadmap, suggestions
    (`?token=` works here: a browser opening a link cannot send a header)."""
    analysis = json.loads(stored_analysis(store, resume_id, jd_id))
    stored = store.get_roadmap(resume_id, jd_id)
    documents = {
        "resume": store.get_document("resume", resume_id),
        "jd": store.get_document("jd", jd_id),
    }
    return HTMLResponse(render_report(analysis, stored, documents))
