"""The read-only results API, the WebSocket notifier, /health, /metrics and the report page.

It reads the results store only (never Dagster's internals). Every route but /health (and
/metrics unless configured otherwise) needs a bearer token; results are personal data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Annotated

from fastapi import (
    Depends,
    FastAPI,
    HTTPException,
    Query,
    Request,
    WebSocket,
    WebSocketException,
    status,
)
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.websockets import WebSocketDisconnect

from skillbridge_pipeline.api import schemas
from skillbridge_pipeline.api.notifier import NotificationHub, serve_socket
from skillbridge_pipeline.api.report import render_report
from skillbridge_pipeline.api.security import (
    BodyLimit,
    RedactingFilter,
    requires,
    requires_pair,
    websocket_token,
)
from skillbridge_pipeline.api.settings import ApiSettings
from skillbridge_pipeline.core import dead_letters, llm, tokens
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.metrics import metrics_registry
from skillbridge_pipeline.ml_training.registry import ModelRegistry

REQUEST_STATUS = {
    "fetching": "queued",
    "pending": "queued",
    "scoring": "running",
    "done": "done",
    "failed": "failed",
}
KIND_OF = {"resumes": "resume", "jds": "jd"}
NOT_FOUND = {404: {"model": schemas.Problem}}
AUTH = {401: {"model": schemas.Problem}, 403: {"model": schemas.Problem}}
# Routes that answer HTML or text still fail in JSON: say so, or the schema would claim HTML.
JSON_PROBLEMS = {
    code: {
        "description": description,
        "content": {"application/json": {"schema": schemas.Problem.model_json_schema()}},
    }
    for code, description in ((401, "No valid token"), (403, "Scope too narrow"), (404, "Unknown"))
}
Reader = Depends(requires("read"))  # service tokens: a session's token is refused
Admin = Depends(requires("admin"))
SessionReader = Depends(requires("read", session_scoped=True))  # or that session's own token
SessionToken = Annotated[tokens.ApiToken, SessionReader]
PairReader = Depends(requires_pair())  # or the token of a session that asked for the pair
BrowserPairReader = Depends(requires_pair(query_token=True))  # ?token= too: report page
MAX_PAGE = 100
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings.from_environment()
    store = ResultsStore(settings.results_url)
    registry = ModelRegistry(settings.models_path)
    hub = NotificationHub(store, settings.ws_poll_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await hub.close()

    app = FastAPI(
        title="SkillBridge results API",
        version="1.0.0",
        description="Read-only access to skills, gap analyses, roadmaps and their status.",
        lifespan=lifespan,
    )
    app.state.store, app.state.settings, app.state.notifications = store, settings, hub
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    for name in ("uvicorn.access", "uvicorn.error", "skillbridge"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):  # once per process
            logger.addFilter(RedactingFilter())

    try:
        store.create_schema()
    except Exception as error:  # /health reports it; the API still starts
        logging.getLogger("skillbridge").warning(f"results store unavailable: {error}")

    @app.get("/health", response_model=schemas.Health, responses={503: {"model": schemas.Health}})
    def health() -> JSONResponse:
        """Open to all: is the store reachable and is there a trained model?"""
        problems, store_ok = [], True
        try:
            store.status_counts()
        except Exception as error:
            store_ok = False
            problems.append(f"results store unreachable: {type(error).__name__}")
        version = registry.latest_version()
        if not version:
            problems.append("no trained gap model (run train_gap_model_job)")
        body = schemas.Health(
            status="unavailable" if problems else "ok",
            store=store_ok,
            model_version=version,
            problems=problems,
        )
        return JSONResponse(body.model_dump(), status_code=503 if problems else 200)

    metrics_auth = [Depends(requires("read"))] if settings.metrics_need_token else []

    @app.get(
        "/metrics",
        dependencies=metrics_auth,
        response_class=Response,
        responses={
            200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}},
            **({k: JSON_PROBLEMS[k] for k in (401, 403)} if metrics_auth else {}),
        },
    )
    def metrics() -> Response:
        """Prometheus exposition: pipeline counters from every process, store gauges."""
        exposition = generate_latest(metrics_registry(store, registry, settings.metrics_dir))
        return Response(exposition, media_type=CONTENT_TYPE_LATEST)

    for collection, kind in KIND_OF.items():
        app.add_api_route(
            f"/api/{collection}",
            _document_lister(store, kind),
            response_model=schemas.DocumentPage,
            responses=AUTH,
            dependencies=[Reader],
            summary=f"List {collection}",
        )
        app.add_api_route(
            f"/api/{collection}/{{doc_id}}",
            _document_reader(store, kind),
            response_model=schemas.DocumentWithSkills,
            responses={**AUTH, **NOT_FOUND},
            dependencies=[Reader],
            summary=f"One {kind} with its skills and their evidence",
        )

    def stored_analysis(resume_id: str, jd_id: str) -> str:
        """The analysis' stored JSON, or 404."""
        stored = store.get_analysis_json(resume_id, jd_id)
        if stored is None:
            raise HTTPException(404, f"no analysis of resume {resume_id!r} against JD {jd_id!r}")
        return stored

    def analysis_of(resume_id: str, jd_id: str) -> dict:
        return json.loads(stored_analysis(resume_id, jd_id))

    def roadmap_of(resume_id: str, jd_id: str) -> dict:
        stored = store.get_roadmap(resume_id, jd_id)
        if stored is None:
            raise HTTPException(404, f"no roadmap for resume {resume_id!r} and JD {jd_id!r}")
        return stored

    @app.get(
        "/api/analyses/{resume_id}/{jd_id}",
        response_model=schemas.Analysis,
        responses={**AUTH, **NOT_FOUND},
        dependencies=[PairReader],
    )
    def get_analysis(resume_id: str, jd_id: str) -> Response:
        """The gaps of one resume against one JD, by priority, with their evidence."""
        # Returned as stored (the schema's shape), without decoding and re-encoding it.
        return Response(stored_analysis(resume_id, jd_id), media_type="application/json")

    @app.get(
        "/api/roadmap/{resume_id}/{jd_id}",
        response_model=schemas.Roadmap,
        responses={**AUTH, **NOT_FOUND},
        dependencies=[PairReader],
    )
    def get_roadmap(resume_id: str, jd_id: str) -> dict:
        return {"resume_id": resume_id, "jd_id": jd_id, **roadmap_of(resume_id, jd_id)["roadmap"]}

    @app.get(
        "/api/suggestions/{resume_id}/{jd_id}",
        response_model=schemas.Suggestions,
        responses={**AUTH, **NOT_FOUND},
        dependencies=[PairReader],
    )
    def get_suggestions(resume_id: str, jd_id: str) -> dict:
        """The resume enhancer's checked rewrites toward the JD's terms."""
        stored = roadmap_of(resume_id, jd_id)
        return {"resume_id": resume_id, "jd_id": jd_id, "suggestions": stored["suggestions"]}

    @app.get(
        "/api/requests/{request_id}",
        response_model=schemas.RequestStatus,
        responses={**AUTH, **NOT_FOUND},
    )
    def get_request(request_id: str, token: SessionToken) -> schemas.RequestStatus:
        """An analysis request's status: queued, running, done or failed (with the reason)."""
        request = store.get_request(request_id)
        if request is None:
            raise HTTPException(404, f"no analysis request {request_id!r}")
        if token.session_id not in (None, request.session_id):
            raise HTTPException(403, "this request belongs to another session")
        return _request_status(request)

    @app.get(
        "/api/sessions/{session_id}/requests",
        response_model=list[schemas.RequestStatus],
        responses=AUTH,
        dependencies=[SessionReader],
    )
    def session_requests(session_id: str) -> list[schemas.RequestStatus]:
        return [_request_status(r) for r in store.requests_for_session(session_id)]

    @app.get(
        "/api/dead-letters",
        response_model=schemas.DeadLetterPage,
        responses=AUTH,
        dependencies=[Admin],
    )
    def list_dead_letters(
        status: Annotated[str | None, Query(pattern="^(open|replayed|resolved)$")] = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> schemas.DeadLetterPage:
        """Failed events, for operators (admin scope)."""
        letters = dead_letters.listing(store, status, limit, offset)
        return schemas.DeadLetterPage(
            items=letters,
            offset=offset,
            limit=limit,
        )

    @app.post(
        "/api/tokens",
        response_model=schemas.TokenCreated,
        status_code=201,
        responses=AUTH,
        dependencies=[Admin],
    )
    def create_session_token(body: schemas.TokenRequest) -> schemas.TokenCreated:
        """A read token bound to one session, for a browser (admin scope): it follows only
        that session's socket, requests, analyses, roadmap and chat. Without a session id the
        system makes an unguessable one. The secret is shown once."""
        session_id = body.session_id or tokens.new_session_id()
        token, secret = tokens.create(store, body.name, "read", session_id)
        return schemas.TokenCreated(
            id=token.id, name=token.name, scope=token.scope, session_id=session_id, secret=secret
        )

    @app.post(
        "/api/chat/{session_id}",
        response_model=schemas.ChatAnswer,
        responses={**AUTH, **NOT_FOUND, 413: {"model": schemas.Problem}},
        dependencies=[SessionReader],
    )
    def chat(session_id: str, question: schemas.ChatQuestion) -> schemas.ChatAnswer:
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
        analysis = analysis_of(latest.resume_id, latest.jd_id)
        answer = llm.chat(question.question, analysis, settings.llm)
        return schemas.ChatAnswer(resume_id=latest.resume_id, jd_id=latest.jd_id, answer=answer)

    @app.get(
        "/report/{resume_id}/{jd_id}",
        response_class=HTMLResponse,
        responses=JSON_PROBLEMS,
        dependencies=[BrowserPairReader],
    )
    def report(resume_id: str, jd_id: str) -> HTMLResponse:
        """A printable page: match, gaps chart, coverage with evidence, roadmap, suggestions
        (`?token=` works here: a browser opening a link cannot send a header)."""
        analysis = analysis_of(resume_id, jd_id)
        stored = store.get_roadmap(resume_id, jd_id)
        documents = {
            "resume": store.get_document("resume", resume_id),
            "jd": store.get_document("jd", jd_id),
        }
        return HTMLResponse(render_report(analysis, stored, documents))

    @app.websocket("/ws/{session_id}")
    async def notifications(websocket: WebSocket, session_id: str) -> None:
        """Pushes analysis.ready / analysis.failed for this session's requests. A client that
        reconnects with ?last_event_id=N first gets every event after N it missed."""
        try:
            await asyncio.to_thread(websocket_token, websocket, "read")
        except HTTPException as refused:  # closed with a reason, not an ASGI error in the log
            raise WebSocketException(status.WS_1008_POLICY_VIOLATION, str(refused.detail)) from None
        try:  # an id past any the store can hold (10^30) means "after everything there is"
            last = min(max(int(websocket.query_params.get("last_event_id", "0")), 0), 2**63 - 1)
        except ValueError:
            last = 0
        await websocket.accept()
        with suppress(WebSocketDisconnect, RuntimeError):  # RuntimeError: closed while sending
            await serve_socket(websocket, hub, session_id, last)

    @app.exception_handler(HTTPException)
    async def problem(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": error.detail}, status_code=error.status_code, headers=error.headers
        )

    return app


def _document_lister(store: ResultsStore, kind: str):
    def list_documents(offset: Offset = 0, limit: Limit = 50) -> schemas.DocumentPage:
        total, rows = store.list_documents(kind, offset, limit)
        return schemas.DocumentPage(
            items=[schemas.Document(**_document(r)) for r in rows],
            total=total,
            offset=offset,
            limit=limit,
        )

    return list_documents


def _document_reader(store: ResultsStore, kind: str):
    def get_document(doc_id: str) -> schemas.DocumentWithSkills:
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


def _document(row: dict) -> dict:
    return {name: row.get(name) for name in schemas.Document.model_fields}


def _request_status(request) -> schemas.RequestStatus:
    return schemas.RequestStatus(
        request_id=request.request_id,
        resume_id=request.resume_id,
        jd_id=request.jd_id,
        session_id=request.session_id,
        status=REQUEST_STATUS[request.status],
        error=request.error,
        requested_at=request.requested_at,
    )
