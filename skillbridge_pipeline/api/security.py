"""Bearer tokens with scopes, request size limits, and logs without personal data."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import Depends, HTTPException, Request, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from skillbridge_pipeline.core.store import ResultsStore, tokens

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine or more digits joined by spaces, dashes or brackets (not dots: addresses, versions).
_PHONE = re.compile(r"(?<![\w.:])\+?\d(?:[ ()-]*\d){8,}(?![\w.])")
_TOKEN = re.compile(r"(token=|sig=)[^&\s\"]+|(Bearer )\S+")
# Declares the scheme in the OpenAPI schema (Swagger UI's Authorize); the checks below read the
# header themselves, so a refusal is the same with or without it.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token: `skillbridge tokens create --name NAME` prints one.",
)
Declared = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


def redact(text: str) -> str:
    text = _TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)
    return _PHONE.sub(_phone, _EMAIL.sub("[email]", text))


def _phone(match: re.Match) -> str:
    """A phone number has a "+", a leading 0 or separators; a bare count such as
    limit=1000000000 is a number, kept."""
    digits = match.group()
    return digits if digits.isdigit() and not digits.startswith("0") else "[phone]"


class RedactingFilter(logging.Filter):
    """Emails, phone numbers and token secrets never reach a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Redact the parts, keeping the arguments: uvicorn's formatters unpack them.
        record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def bearer_secret(headers, query_params=None) -> str | None:
    """From `Authorization: Bearer ...`; `?token=` only where `query_params` are passed: the
    report page and the socket, where a browser cannot send a header."""
    header = headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret:
        return secret.strip()
    return (query_params or {}).get("token") or None


def authorise(
    store: ResultsStore,
    secret: str | None,
    scope: str,
    session_id: str | None = None,
    session_scoped: bool = False,
) -> tokens.ApiToken:
    """401 without a valid, unrevoked token; 403 when its scope does not allow this, or when a
    token bound to a session asks for something outside that session."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if not secret:
        raise HTTPException(401, "a bearer token is required", headers=challenge)
    token = tokens.verify(store, secret)
    if token is None or token.revoked_at is not None:
        raise HTTPException(401, "the token is unknown or revoked", headers=challenge)
    if not token.allows(scope):
        raise HTTPException(403, f"the token's scope ({token.scope}) does not allow {scope}")
    if token.session_id is not None and (
        not session_scoped or (session_id is not None and session_id != token.session_id)
    ):
        raise HTTPException(
            403, "this token follows one session only: its requests, analyses, roadmap and chat"
        )
    return token


def requires(scope: str, session_scoped: bool = False, query_token: bool = False):
    """A FastAPI dependency: the request carries a token allowing `scope`. `session_scoped`
    routes are open to a session's own token too (the path's session_id must be its own)."""

    def check(request: Request, _: Declared = None) -> tokens.ApiToken:
        store = request.app.state.store
        return authorise(
            store,
            bearer_secret(request.headers, request.query_params if query_token else None),
            scope,
            request.path_params.get("session_id"),
            session_scoped,
        )

    return check


def requires_pair(query_token: bool = False):
    """A dependency for routes of one (resume, JD) pair: a service token, or the token of a
    session that asked for this pair."""
    check_token = requires("read", session_scoped=True, query_token=query_token)

    def check(request: Request, _: Declared = None) -> tokens.ApiToken:
        token = check_token(request)
        params = request.path_params
        session_owns_pair(request.app.state.store, token, params["resume_id"], params["jd_id"])
        return token

    return check


def websocket_token(websocket: WebSocket, scope: str) -> tokens.ApiToken:
    store = websocket.app.state.store
    return authorise(
        store,
        bearer_secret(websocket.headers, websocket.query_params),
        scope,
        websocket.path_params.get("session_id"),
        session_scoped=True,
    )


def session_owns_pair(store: ResultsStore, token: tokens.ApiToken, resume_id: str, jd_id: str):
    """A session's token reads only the analyses its session asked for."""
    if token.session_id is None:
        return
    asked = {(r.resume_id, r.jd_id) for r in store.requests_for_session(token.session_id)}
    if (resume_id, jd_id) not in asked:
        raise HTTPException(403, "this analysis belongs to another session")


class BodyLimit:
    """413 for a body over `max_bytes`, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(413, f"the request body is over {self.max_bytes} bytes")
            return message

        await self.app(scope, limited, send)


async def _too_large(send: Send, max_bytes: int) -> None:
    body = f'{{"detail":"the request body is over {max_bytes} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
