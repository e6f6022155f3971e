"""One (resume, JD) pair: its analysis, roadmap, suggestions and printable report; and the chat
about a session's finished analyses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from skillbridge_pipeline.api import links, schemas
from skillbridge_pipeline.api.deps import (
    AUTH,
    NOT_FOUND,
    PairReader,
    SessionReader,
    Settings,
    Store,
)
from skillbridge_pipeline.api.report import render_page, stored_report
from skillbridge_pipeline.api.security import BEARER, requires_pair
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
    "/api/report-links/{resume_id}/{jd_id}",
    response_model=schemas.ReportLink,
    responses={**AUTH, **NOT_FOUND},
    dependencies=[PairReader],
)
def report_link(resume_id: str, jd_id: str, store: Store, settings: Settings) -> dict:
    """A link that opens this analysis' report page for 15 minutes, with no token in it: safe
    to open in a browser, where the address stays in the history."""
    stored_analysis(store, resume_id, jd_id)
    path, expires = links.report_path(settings.link_key, resume_id, jd_id)
    return {"url": path, "expires_at": datetime.fromtimestamp(expires, UTC)}


REPORT_PROBLEMS = {
    code: {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}
    for code, description in (
        (303, "A token in the address: go to a signed link instead"),
        (401, "No token and no signed link"),
        (403, "A link expired or not this analysis', or a token's scope too narrow"),
        (404, "Unknown"),
    )
}
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}


@router.get(
    "/report/{resume_id}/{jd_id}",
    response_class=HTMLResponse,
    responses=REPORT_PROBLEMS,
    dependencies=[Depends(BEARER)],
)
def report(
    resume_id: str,
    jd_id: str,
    request: Request,
    store: Store,
    settings: Settings,
    expires: Annotated[int | None, Query(ge=0, le=2**40)] = None,
    sig: Annotated[str | None, Query(max_length=128)] = None,  # any text: refused, never a 500
) -> Response:
    """A printable page: match, what to do first, gaps, evidence, roadmap, suggestions. Opened
    with a signed link (`/api/report-links/...`) or a bearer header; a `?token=` in the address
    is checked, then swapped for a signed link so the token leaves the browser's history."""
    try:
        if sig is None or expires is None:
            requires_pair(query_token=True)(request)
            if "token" in request.query_params:
                path, _ = links.report_path(settings.link_key, resume_id, jd_id)
                return RedirectResponse(path, status_code=303, headers=PRIVATE)
        elif not links.verify(settings.link_key, resume_id, jd_id, expires, sig):
            raise HTTPException(403, "this report link has expired or is not this analysis'")
    except HTTPException as refused:
        return _refusal(refused)
    page = stored_report(store, resume_id, jd_id)
    if page is None:
        return _refusal(HTTPException(404, "no such analysis: it may not be scored yet"))
    return HTMLResponse(page, headers=PRIVATE)


def _refusal(refused: HTTPException) -> HTMLResponse:
    """A refusal a person can act on, as a page (this route is opened in browsers)."""
    page = render_page(
        "refusal.html", status=refused.status_code, detail=refused.detail, title="SkillBridge"
    )
    return HTMLResponse(
        page, status_code=refused.status_code, headers={**(refused.headers or {}), **PRIVATE}
    )
