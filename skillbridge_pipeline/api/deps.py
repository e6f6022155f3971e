"""What every route module shares: the app's store, registry and settings as dependencies, the
token checks, paging parameters and the documented error responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from skillbridge_pipeline.api import schemas
from skillbridge_pipeline.api.security import requires, requires_pair
from skillbridge_pipeline.api.settings import ApiSettings
from skillbridge_pipeline.core.store import ResultsStore, tokens
from skillbridge_pipeline.ml_training.registry import ModelRegistry


def _store(request: Request) -> ResultsStore:
    return request.app.state.store


def _settings(request: Request) -> ApiSettings:
    return request.app.state.settings


def _registry(request: Request) -> ModelRegistry:
    return request.app.state.registry


Store = Annotated[ResultsStore, Depends(_store)]
Settings = Annotated[ApiSettings, Depends(_settings)]
Registry = Annotated[ModelRegistry, Depends(_registry)]

Reader = Depends(requires("read"))  # service tokens: a session's token is refused
Admin = Depends(requires("admin"))
SessionReader = Depends(requires("read", session_scoped=True))  # or that session's own token
SessionToken = Annotated[tokens.ApiToken, SessionReader]
PairReader = Depends(requires_pair())  # or the token of a session that asked for the pair

MAX_PAGE = 100
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]

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
