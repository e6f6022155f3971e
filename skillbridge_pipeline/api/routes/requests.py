"""Analysis requests: one's status, a session's list, and the session's WebSocket."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketException, status
from starlette.websockets import WebSocketDisconnect

from skillbridge_pipeline.api import schemas
from skillbridge_pipeline.api.deps import AUTH, NOT_FOUND, SessionReader, SessionToken, Store
from skillbridge_pipeline.api.notifier import serve_socket
from skillbridge_pipeline.api.security import websocket_token
from skillbridge_pipeline.core.store import RequestRecord

# What a client is told: fetching a JD page and waiting for documents are both "queued".
REQUEST_STATUS = {
    "fetching": "queued",
    "pending": "queued",
    "scoring": "running",
    "done": "done",
    "failed": "failed",
}

router = APIRouter()


def request_status(request: RequestRecord) -> schemas.RequestStatus:
    return schemas.RequestStatus(
        request_id=request.request_id,
        resume_id=request.resume_id,
        jd_id=request.jd_id,
        session_id=request.session_id,
        status=REQUEST_STATUS[request.status],
        error=request.error,
        requested_at=request.requested_at,
    )


@router.get(
    "/api/requests/{request_id}",
    response_model=schemas.RequestStatus,
    responses={**AUTH, **NOT_FOUND},
)
def get_request(request_id: str, token: SessionToken, store: Store) -> schemas.RequestStatus:
    """An analysis request's status: queued, running, done or failed (with the reason)."""
    request = store.get_request(request_id)
    if request is None:
        raise HTTPException(404, f"no analysis request {request_id!r}")
    if token.session_id not in (None, request.session_id):
        raise HTTPException(403, "this request belongs to another session")
    return request_status(request)


@router.get(
    "/api/sessions/{session_id}/requests",
    response_model=list[schemas.RequestStatus],
    responses=AUTH,
    dependencies=[SessionReader],
)
def session_requests(session_id: str, store: Store) -> list[schemas.RequestStatus]:
    return [request_status(r) for r in store.requests_for_session(session_id)]


@router.websocket("/ws/{session_id}")
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
        await serve_socket(websocket, websocket.app.state.notifications, session_id, last)
