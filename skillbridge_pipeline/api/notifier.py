"""The WebSocket notifier: one poller per API process reads the new notifications of every
session and hands each to the sockets of its session, so the results store sees one query per
poll interval however many sockets are open (a poll per socket would grow with them).

A socket first catches up from the store (events after the client's `last_event_id`), having
subscribed before it did, and then takes what the poller hands it; an event that arrives both
ways is sent once, by id.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from skillbridge_pipeline.core.store import ResultsStore

PAGE = 500
log = logging.getLogger("skillbridge")


class NotificationHub:
    def __init__(self, store: ResultsStore, poll_seconds: float):
        self.store = store
        self.poll_seconds = poll_seconds
        self.polls = 0  # store queries made by the poller, all sessions together
        self._queues: dict[str, set[asyncio.Queue]] = {}
        self._last_id = 0
        self._task: asyncio.Task | None = None

    @property
    def sessions(self) -> set[str]:
        """Sessions with at least one open socket."""
        return set(self._queues)

    async def subscribe(self, session_id: str) -> asyncio.Queue:
        idle = not self._queues
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.setdefault(session_id, set()).add(queue)  # before any await: one "idle"
        if idle:  # start from the newest event, not from a backlog nobody was listening to
            try:
                latest = await asyncio.to_thread(self.store.latest_notification_id)
            except Exception:
                self.unsubscribe(session_id, queue)
                raise
            self._last_id = max(self._last_id, latest)
        if self._task is None:
            self._task = asyncio.create_task(self._poll())
        return queue

    def unsubscribe(self, session_id: str, queue: asyncio.Queue) -> None:
        queues = self._queues.get(session_id, set())
        queues.discard(queue)
        if not queues:
            self._queues.pop(session_id, None)

    async def close(self) -> None:
        task = self._task
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            return  # the poller runs on the loop that serves the sockets, and stops with it
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        self._task = None

    async def _poll(self) -> None:
        while True:
            if self._queues:
                try:
                    await self._hand_out_new_events()
                except Exception as error:  # the store is down: keep trying, sockets stay open
                    log.warning(f"notifications unavailable: {error}")
            await asyncio.sleep(self.poll_seconds)

    async def _hand_out_new_events(self) -> None:
        while True:
            events = await asyncio.to_thread(
                self.store.notifications_after, self._last_id, None, PAGE
            )
            self.polls += 1
            for event in events:
                self._last_id = max(self._last_id, event["id"])
                for queue in self._queues.get(event["session_id"], ()):
                    queue.put_nowait(event)
            if len(events) < PAGE:
                return


async def serve_socket(websocket, hub: NotificationHub, session_id: str, last_id: int) -> None:
    """Catch up, then push what the hub hands over, until the client goes."""
    queue = await hub.subscribe(session_id)
    incoming = asyncio.ensure_future(websocket.receive())
    next_event: asyncio.Future | None = None
    try:
        while True:
            missed = await asyncio.to_thread(
                hub.store.notifications_after, last_id, session_id, PAGE
            )
            for event in missed:
                await websocket.send_json(event)
                last_id = event["id"]
            if len(missed) < PAGE:
                break
        while True:
            next_event = next_event or asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait(
                {incoming, next_event}, return_when=asyncio.FIRST_COMPLETED
            )
            if next_event in done:
                event, next_event = next_event.result(), None
                if event["id"] > last_id:
                    await websocket.send_json(event)
                    last_id = event["id"]
            if incoming in done:
                if incoming.result()["type"] == "websocket.disconnect":
                    return
                incoming = asyncio.ensure_future(websocket.receive())  # client text is ignored
    finally:
        hub.unsubscribe(session_id, queue)
        for future in (incoming, next_event):
            if future is not None:
                future.cancel()
