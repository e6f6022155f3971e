"""/health for load balancers and /metrics for Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from skillbridge_pipeline.api import schemas
from skillbridge_pipeline.api.deps import JSON_PROBLEMS, Registry, Settings, Store
from skillbridge_pipeline.api.security import requires
from skillbridge_pipeline.metrics import metrics_registry


def service_router(metrics_need_token: bool) -> APIRouter:
    """The metrics route is open or needs a read token, by configuration (and says which)."""
    router = APIRouter()
    metrics_auth = [Depends(requires("read"))] if metrics_need_token else []

    @router.get(
        "/health", response_model=schemas.Health, responses={503: {"model": schemas.Health}}
    )
    def health(store: Store, registry: Registry) -> JSONResponse:
        """Open to all: can the store be read as the routes read it (every table, the file's
        pages on SQLite), and is there a trained model?"""
        try:
            problems = [f"results store damaged: {p}" for p in store.check()]
        except Exception as error:
            problems = [f"results store unreachable: {type(error).__name__}"]
        store_ok = not problems
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

    @router.get(
        "/metrics",
        dependencies=metrics_auth,
        response_class=Response,
        responses={
            200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}},
            **({k: JSON_PROBLEMS[k] for k in (401, 403)} if metrics_auth else {}),
        },
    )
    def metrics(store: Store, registry: Registry, settings: Settings) -> Response:
        """Prometheus exposition: pipeline counters from every process, store gauges."""
        exposition = generate_latest(metrics_registry(store, registry, settings.metrics_dir))
        return Response(exposition, media_type=CONTENT_TYPE_LATEST)

    return router
