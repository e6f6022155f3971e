"""The read-only results API, the WebSocket notifier, /health, /metrics and the report page.

It reads the results store only (never Dagster's internals). Every route but /health (and
/metrics unless configured otherwise) needs a bearer token; results are personal data. The
routes live in `routes/`, one router per concern; they reach the store, the model registry,
the settings and the notification hub through `app.state` (see `deps.py`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline

from skillbridge_pipeline.api.notifier import NotificationHub
from skillbridge_pipeline.api.report import render_page
from skillbridge_pipeline.api.routes import admin, analyses, documents, requests
from skillbridge_pipeline.api.routes.service import service_router
from skillbridge_pipeline.api.security import BodyLimit, RedactingFilter
from skillbridge_pipeline.api.settings import ApiSettings
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.ml_training.registry import ModelRegistry


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings.from_environment()
    store = ResultsStore(settings.results_url)
    hub = NotificationHub(store, settings.ws_poll_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await hub.close()

    # The docs pages' scripts and styles come from the fastapi-offline package, not a CDN: they
    # work on a machine with no internet access.
    app = FastAPIOffline(
        title="SkillBridge results API",
        version="1.0.0",
        description="Read-only access to skills, gap analyses, roadmaps and their status. "
        "**Authorize** with a token from `skillbridge tokens create --name NAME`.",
        lifespan=lifespan,
        swagger_ui_parameters={"persistAuthorization": False, "tryItOutEnabled": True},
    )
    app.state.store, app.state.settings, app.state.notifications = store, settings, hub
    app.state.registry = ModelRegistry(settings.models_path)
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

    app.include_router(service_router(settings.metrics_need_token))
    for routes in (documents, analyses, requests, admin):
        app.include_router(routes.router)
    app.add_exception_handler(HTTPException, problem)

    @app.get("/", include_in_schema=False)
    def front_page(request: Request) -> HTMLResponse:
        """Where a person lands: links to the docs, health and metrics."""
        root = request.scope.get("root_path", "")
        return HTMLResponse(render_page("index.html", title=app.title, root=root))

    return app


async def problem(request: Request, error: HTTPException) -> JSONResponse:
    """Every refusal as {"detail": ...}, the shape the OpenAPI schema promises."""
    return JSONResponse(
        {"detail": error.detail}, status_code=error.status_code, headers=error.headers
    )
