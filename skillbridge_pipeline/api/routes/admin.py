"""Operators' routes (admin scope): the dead-letter queue, and session tokens for browsers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from skillbridge_pipeline.api import schemas
from skillbridge_pipeline.api.deps import AUTH, Admin, Limit, Offset, Store
from skillbridge_pipeline.core.store import dead_letters, tokens

router = APIRouter(dependencies=[Admin], responses=AUTH)


@router.get("/api/dead-letters", response_model=schemas.DeadLetterPage)
def list_dead_letters(
    store: Store,
    status: Annotated[str | None, Query(pattern="^(open|replayed|resolved)$")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> schemas.DeadLetterPage:
    """Failed events, for operators (admin scope)."""
    letters = dead_letters.listing(store, status, limit, offset)
    return schemas.DeadLetterPage(items=letters, offset=offset, limit=limit)


@router.post("/api/tokens", response_model=schemas.TokenCreated, status_code=201)
def create_session_token(body: schemas.TokenRequest, store: Store) -> schemas.TokenCreated:
    """A read token bound to one session, for a browser (admin scope): it follows only
    that session's socket, requests, analyses, roadmap and chat. Without a session id the
    system makes an unguessable one. The secret is shown once."""
    session_id = body.session_id or tokens.new_session_id()
    token, secret = tokens.create(store, body.name, "read", session_id)
    return schemas.TokenCreated(
        id=token.id, name=token.name, scope=token.scope, session_id=session_id, secret=secret
    )
