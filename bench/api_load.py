"""The results API under load, and the WebSocket notification delay, on loopback.

The API runs as `skillbridge api` would (uvicorn, one process); the load generator is a
keep-alive HTTP/1.1 client on asyncio with 16 connections in this process, on the same 2 cores.
Targets: >= 500 requests/s and p99 < 50 ms on GET /api/analyses/{resume}/{jd}; a result row
written -> the WebSocket message received in < 1 s.

Needs a results store with analyses: --home DIR (a SKILLBRIDGE_HOME after `skillbridge demo`),
or, without it, the demo pipeline is run into a temporary home first (trains the model: ~3 min).
Run: .venv/bin/python bench/api_load.py [--home var] [--seconds 10] [--connections 16]
     [--other-sockets 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from skillbridge_pipeline.broker import free_port, wait_for_port
from skillbridge_pipeline.core.store import ResultsStore, tokens

TARGET_RPS, TARGET_P99_MS, TARGET_WS_S = 500, 50, 1.0


def demo_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="skillbridge-bench-"))
    env = {**os.environ, "SKILLBRIDGE_HOME": str(home)}
    subprocess.run(
        [str(Path(sys.executable).with_name("skillbridge")), "demo"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return home


async def one_connection(port: int, path: bytes, token: str, deadline: float, latencies: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        b"GET "
        + path
        + b" HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer "
        + token.encode()
        + b"\r\n\r\n"
    )
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head[:80]
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
    writer.close()


async def load(port: int, path: str, token: str, seconds: float, connections: int) -> list:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            one_connection(port, path.encode(), token, deadline, latencies)
            for _ in range(connections)
        )
    )
    return latencies


async def notification_delays(
    port: int, store: ResultsStore, token: str, pair, rounds: int, other_sockets: int = 0
):
    """Row written -> message received on one socket, while `other_sockets` sockets of other
    sessions stay open beside it."""
    from contextlib import AsyncExitStack

    from websockets.asyncio.client import connect

    def open_socket(session: str):
        return connect(
            f"ws://127.0.0.1:{port}/ws/{session}",
            additional_headers={"Authorization": f"Bearer {token}"},
        )

    session = f"bench-{uuid.uuid4().hex[:8]}"
    delays = []
    async with AsyncExitStack() as others, open_socket(session) as socket:
        for number in range(other_sockets):
            await others.enter_async_context(open_socket(f"{session}-other-{number}"))
        for _ in range(rounds):
            request_id = uuid.uuid4().hex[:16]
            store.add_request(request_id, pair[0], pair[1], session, source="bench")
            written = time.perf_counter()
            store.set_request_status([request_id], "done")  # the row the pipeline writes
            event = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            delays.append(time.perf_counter() - written)
            assert event["request_id"] == request_id
            await asyncio.sleep(0.05)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--other-sockets", type=int, default=500)
    args = parser.parse_args()
    home = (args.home or demo_home()).resolve()
    store = ResultsStore(f"sqlite:///{home / 'results.db'}")
    store.create_schema()
    with store.engine.connect() as conn:
        pair = conn.exec_driver_sql("SELECT resume_id, jd_id FROM analyses LIMIT 1").first()
    assert pair, f"no analyses in {home}: run the demo there first"
    _, secret = tokens.create(store, "bench", "read")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "skillbridge_pipeline.api.app:create_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={**os.environ, "SKILLBRIDGE_HOME": str(home)},
    )
    try:
        assert wait_for_port(port, 60), "the API did not start"
        path = f"/api/analyses/{pair[0]}/{pair[1]}"
        asyncio.run(load(port, path, secret, 1.0, args.connections))  # warm-up
        latencies = asyncio.run(load(port, path, secret, args.seconds, args.connections))
        delays = asyncio.run(notification_delays(port, store, secret, pair, 20))
        crowded = asyncio.run(
            notification_delays(port, store, secret, pair, 20, args.other_sockets)
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    rps = len(latencies) / args.seconds
    cut = statistics.quantiles(latencies, n=100)
    p50, p99 = statistics.median(latencies) * 1000, cut[98] * 1000
    print(
        f"GET {path}: {len(latencies)} requests in {args.seconds:.0f} s over "
        f"{args.connections} connections = {rps:.0f} req/s ({rps / TARGET_RPS:.2f}x target); "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({TARGET_P99_MS / p99:.2f}x under {TARGET_P99_MS} ms)"
    )
    print(
        f"WebSocket: result row written -> message received, 20 rounds: median "
        f"{statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms "
        f"(target < {TARGET_WS_S * 1000:.0f} ms)"
    )
    print(
        f"same, with {args.other_sockets} other sessions' sockets open: median "
        f"{statistics.median(crowded) * 1000:.0f} ms, max {max(crowded) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
