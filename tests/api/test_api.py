"""The results API over a store filled by a real pipeline run, served by uvicorn on loopback."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from conftest import SAMPLES, with_trained_model

from skillbridge_pipeline.api.app import create_app
from skillbridge_pipeline.api.settings import ApiSettings
from skillbridge_pipeline.broker import free_port
from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore, tokens

pytestmark = pytest.mark.slow
PAIRS = json.loads((SAMPLES / "requests.json").read_text())
EMPTY_ID = document_id(b"")
FRONTEND_JD = document_id((SAMPLES / "jds" / "junior_frontend_developer.json").read_bytes())

PIPELINE = f"""
import sys
from pathlib import Path
from dagster import instance_for_test
from skillbridge_pipeline.core.documents.intake import write_request
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import copy_samples, run_pending
from skillbridge_pipeline.resources import embedded_resources
home = Path(sys.argv[1])
copy_samples(home / "inbox")
(home / "inbox" / "resumes" / "empty.txt").write_bytes(b"")
write_request(home / "inbox", "{EMPTY_ID}", "{FRONTEND_JD}", "demo")
with instance_for_test(temp_dir=str(home / "dagster")) as instance:
    run_pending(instance, build_definitions(embedded_resources(home)))
"""


def pair_ids(pair: dict) -> tuple[str, str]:
    resume = document_id((SAMPLES / "resumes" / pair["resume"]).read_bytes())
    return resume, document_id((SAMPLES / "jds" / pair["jd"]).read_bytes())


@dataclass
class Served:
    url: str
    home: Path
    store: ResultsStore
    app: object
    read: str
    admin: str
    revoked: str

    def get(self, path: str, token: str | None = None, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(self.url + path, headers=headers, timeout=30, **kwargs)

    def post(self, path: str, token: str, body: dict) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.post(self.url + path, json=body, headers=headers, timeout=30)


def serve(app) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def served(trained, tmp_path_factory):
    home = with_trained_model(trained, tmp_path_factory.mktemp("served"))
    metrics = home / "metrics"
    metrics.mkdir()
    (home / "dagster").mkdir()  # the Dagster instance, kept for later runs
    # The pipeline runs in its own process, as runs do, writing its counters to the folder.
    done = subprocess.run(
        [sys.executable, "-c", PIPELINE, str(home)],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics), "SKILLBRIDGE_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    settings = ApiSettings(
        results_url=f"sqlite:///{home / 'results.db'}",
        models_path=home / "models",
        metrics_dir=metrics,
        ws_poll_seconds=0.05,
    )
    app = create_app(settings)
    store = app.state.store
    revoked, revoked_secret = tokens.create(store, "former", "admin")
    tokens.revoke(store, revoked.id)
    server, thread, url = serve(app)
    yield Served(
        url,
        home,
        store,
        app,
        read=tokens.create(store, "reader", "read")[1],
        admin=tokens.create(store, "operator", "admin")[1],
        revoked=revoked_secret,
    )
    server.should_exit = True
    thread.join(10)


def test_documents_analyses_roadmaps_and_status_from_the_store(served):
    page = served.get("/api/resumes?limit=2&offset=1", served.read).json()
    assert page["total"] == 6 and len(page["items"]) == 2 and page["offset"] == 1
    everything = served.get("/api/resumes?limit=100", served.read).json()["items"]
    assert everything[1:3] == page["items"]  # pages are slices of one stable order
    resume_id, jd_id = pair_ids(PAIRS[0])
    resume = served.get(f"/api/resumes/{resume_id}", served.read).json()
    assert resume["status"] == "extracted" and resume["skills"]
    assert {"surface", "start_offset", "mentions"} <= set(resume["skills"][0])
    jd = served.get(f"/api/jds/{jd_id}", served.read).json()
    assert jd["kind"] == "jd" and jd["skill_count"] == len(jd["skills"])

    analysis = served.get(f"/api/analyses/{resume_id}/{jd_id}", served.read).json()
    assert analysis == served.store.get_analysis(resume_id, jd_id)
    roadmap = served.get(f"/api/roadmap/{resume_id}/{jd_id}", served.read).json()
    assert list(roadmap["weeks"]) == ["week1", "week2", "week3", "week4"]
    assert roadmap["mode"] == "template"
    suggestions = served.get(f"/api/suggestions/{resume_id}/{jd_id}", served.read).json()
    assert suggestions["suggestions"] == served.store.get_roadmap(resume_id, jd_id)["suggestions"]

    statuses = served.get("/api/sessions/demo/requests", served.read).json()
    assert sorted(s["status"] for s in statuses) == ["done"] * 4 + ["failed"]
    [failed] = [s for s in statuses if s["status"] == "failed"]
    assert failed["error"] == "the resume failed: file is empty"
    one = served.get(f"/api/requests/{failed['request_id']}", served.read).json()
    assert one == failed

    letters = served.get("/api/dead-letters", served.admin).json()["items"]
    assert [(d["job_name"], d["subject"]) for d in letters] == [("resumes_job", EMPTY_ID)]
    # A failed document's lineage: its batch, the run that took it, the stage that failed.
    empty = served.get(f"/api/resumes/{EMPTY_ID}", served.read).json()
    assert (empty["status"], empty["error_stage"]) == ("failed", "parse")
    assert empty["batch"]["batch_key"] == empty["batch_key"] == letters[0]["partition_key"]
    assert empty["batch"]["status"] == "done" and empty["batch"]["run_id"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/resumes/0000000000000000",
        "/api/jds/nope",
        "/api/analyses/0000/1111",
        "/api/roadmap/0000/1111",
        "/api/suggestions/0000/1111",
        "/api/requests/nope",
    ],
)
def test_unknown_ids_are_404_with_a_reason(served, path):
    response = served.get(path, served.read)
    assert response.status_code == 404 and response.json()["detail"].startswith("no ")


def test_tokens_missing_wrong_revoked_and_scope(served):
    resume_id, jd_id = pair_ids(PAIRS[0])
    path = f"/api/analyses/{resume_id}/{jd_id}"
    missing = served.get(path)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert served.get(path, "sb_not-a-real-token").status_code == 401
    assert served.get(path, served.revoked).status_code == 401
    assert served.get(path, served.read).status_code == 200
    assert served.get(path, served.admin).status_code == 200  # admin includes read
    assert served.get("/api/dead-letters", served.read).status_code == 403
    assert served.get("/api/dead-letters").status_code == 401
    health = served.get("/health")  # open
    assert health.status_code == 200 and health.json()["store"] is True
    assert served.get("/metrics").status_code == 200  # open unless configured


def test_tokens_cli_creates_lists_and_revokes(served, tmp_path):
    command = [str(Path(sys.executable).with_name("skillbridge")), "tokens"]
    env = {**os.environ, "SKILLBRIDGE_HOME": str(tmp_path)}
    created = subprocess.run(
        [*command, "create", "--name", "ci", "--scope", "admin"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    secret = created.stdout.strip()
    store = ResultsStore(f"sqlite:///{tmp_path / 'results.db'}")
    token = tokens.verify(store, secret)
    assert token and token.scope == "admin" and token.revoked_at is None
    listed = subprocess.run([*command, "list"], capture_output=True, text=True, env=env, timeout=60)
    assert "ci" in listed.stdout and secret not in listed.stdout  # only the hash is kept
    subprocess.run([*command, "revoke", str(token.id)], env=env, timeout=60, check=True)
    assert tokens.verify(store, secret).revoked_at is not None


def test_metrics_count_what_the_pipeline_processes_did(served):
    from prometheus_client.parser import text_string_to_metric_families

    text = served.get("/metrics").text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }

    def value(name: str, **labels) -> float | None:
        return samples.get((name, tuple(sorted(labels.items()))))

    assert value("analysis_completed_total", outcome="done") == 4
    assert value("analysis_completed_total", outcome="failed") == 1
    assert value("gap_analysis_latency_seconds_count") == 4
    landed = value("events_processed_total", source="inbox", topic="inbox", outcome="landed")
    assert landed == 12  # 6 resumes (one empty) and 6 JDs
    assert value("skillbridge_documents", kind="resume", status="extracted") == 5
    assert value("skillbridge_documents", kind="resume", status="failed") == 1
    assert value("dlq_depth") == 1
    version = served.get("/health").json()["model_version"]
    assert value("skillbridge_model_info", version=version) == 1


def test_websocket_pushes_to_its_session_and_resumes_after_reconnect(served):
    from dagster import instance_for_test
    from websockets.sync.client import connect

    from skillbridge_pipeline.core.documents.intake import write_request
    from skillbridge_pipeline.definitions import build_definitions
    from skillbridge_pipeline.demo import run_pending
    from skillbridge_pipeline.resources import embedded_resources

    ws_url = served.url.replace("http", "ws")
    auth = {"Authorization": f"Bearer {served.read}"}
    with connect(f"{ws_url}/ws/demo", additional_headers=auth) as socket:
        seen = [json.loads(socket.recv(timeout=10)) for _ in range(5)]
    assert sorted(e["event"] for e in seen) == ["analysis.failed"] + ["analysis.ready"] * 4
    ready = [e for e in seen if e["event"] == "analysis.ready"]
    assert {(e["resume_id"], e["jd_id"]) for e in ready} == {pair_ids(p) for p in PAIRS}
    for event in ready:
        stored = served.store.get_analysis(event["resume_id"], event["jd_id"])
        assert event["overall_match"] == stored["overall_match"]
    [failed] = [e for e in seen if e["event"] == "analysis.failed"]
    assert failed["reason"] == "the resume failed: file is empty"

    # While the client is away, one more analysis finishes for this session.
    resume_id, _ = pair_ids(PAIRS[0])
    _, other_jd = pair_ids(PAIRS[2])
    write_request(served.home / "inbox", resume_id, other_jd, "demo")
    with instance_for_test(temp_dir=str(served.home / "dagster")) as instance:
        run_pending(instance, build_definitions(embedded_resources(served.home)))
    last = max(e["id"] for e in seen)
    with connect(f"{ws_url}/ws/demo?last_event_id={last}", additional_headers=auth) as socket:
        missed = json.loads(socket.recv(timeout=10))
        assert (missed["event"], missed["resume_id"], missed["jd_id"]) == (
            "analysis.ready",
            resume_id,
            other_jd,
        )
        with pytest.raises(TimeoutError):
            socket.recv(timeout=0.5)  # nothing twice
    with (
        connect(f"{ws_url}/ws/someone-else", additional_headers=auth) as socket,
        pytest.raises(TimeoutError),
    ):
        socket.recv(timeout=1)  # nothing is pushed to another session


def test_one_poll_serves_every_open_socket(served):
    from contextlib import ExitStack

    from sqlalchemy import event
    from websockets.sync.client import connect

    hub = served.app.state.notifications
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM notifications" in statement:
            statements.append(statement)

    resume_id, jd_id = pair_ids(PAIRS[0])
    sessions = [f"live-{n}" for n in range(12)]
    auth = {"Authorization": f"Bearer {served.read}"}
    ws_url = served.url.replace("http", "ws")
    event.listen(served.store.engine, "before_cursor_execute", count)
    polls_before = hub.polls
    with ExitStack() as open_sockets:
        sockets = [
            open_sockets.enter_context(
                connect(f"{ws_url}/ws/{session}?last_event_id=0", additional_headers=auth)
            )
            for session in sessions
        ]
        for session in sessions:  # each finishes while every socket is open
            served.store.add_request(session, resume_id, jd_id, session, source="api")
            served.store.set_request_status([session], "done")
        for session, socket in zip(sessions, sockets, strict=True):
            pushed = json.loads(socket.recv(timeout=10))
            assert (pushed["event"], pushed["session_id"], pushed["request_id"]) == (
                "analysis.ready",
                session,
                session,
            )
            with pytest.raises(TimeoutError):
                socket.recv(timeout=0.2)  # its own event only, once
    event.remove(served.store.engine, "before_cursor_execute", count)
    # Per socket, one query (its catch-up); every live event came through the hub's polls,
    # which read all sessions at once.
    per_socket = [s for s in statements if "notifications.session_id =" in s]
    assert len(per_socket) == len(sessions)
    assert hub.polls > polls_before


def test_a_socket_that_cannot_reach_the_store_leaves_no_subscription():
    import asyncio

    from sqlalchemy.exc import OperationalError

    from skillbridge_pipeline.api.notifier import NotificationHub

    unreachable = ResultsStore(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/none")
    hub = NotificationHub(unreachable, poll_seconds=0.05)
    with pytest.raises(OperationalError):
        asyncio.run(hub.subscribe("s1"))
    assert hub.sessions == set()


def test_websocket_needs_a_token_and_a_refusal_is_no_server_error(served, caplog):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    caplog.set_level(logging.INFO)
    with pytest.raises(InvalidStatus) as refused:
        connect(served.url.replace("http", "ws") + "/ws/demo")
    assert refused.value.response.status_code in (401, 403)
    # Release 1 logged each refused socket at ERROR, with a traceback.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_websocket_takes_an_absurd_last_event_id_without_a_traceback(served, caplog):
    from websockets.sync.client import connect

    caplog.set_level(logging.INFO)
    ws_url = served.url.replace("http", "ws")
    auth = {"Authorization": f"Bearer {served.read}"}
    for last in (str(10**30), "-5", "abc"):
        with connect(f"{ws_url}/ws/demo?last_event_id={last}", additional_headers=auth) as socket:
            socket.ping().wait(5)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "OverflowError" not in caplog.text


def test_log_redaction_keeps_numbers_that_are_not_phone_numbers():
    from skillbridge_pipeline.api.security import redact

    assert redact("GET /api/resumes?limit=1000000000") == "GET /api/resumes?limit=1000000000"
    assert redact("call +44 20 7946 0958 or 020 7946 0958") == "call [phone] or [phone]"


def test_chat_answers_about_the_session_and_logs_no_personal_data(served, caplog):
    caplog.set_level(logging.INFO)
    question = "I am ana@example.com, call +44 20 7946 0958: what should I learn first?"
    response = served.post("/api/chat/demo", served.read, {"question": question})
    assert response.status_code == 200
    body = response.json()
    assert body["answer"].startswith("Start with")  # no key: rules answer the question asked
    assert served.store.get_analysis(body["resume_id"], body["jd_id"])
    unknown = served.post("/api/chat/nobody", served.read, {"question": "hi"})
    assert unknown.status_code == 404
    logging.getLogger("uvicorn.access").warning(f"POST /api/chat?token={served.read} {question}")
    assert "ana@example.com" not in caplog.text and "7946" not in caplog.text
    assert served.read not in caplog.text


def test_request_size_limit_and_cors_closed_by_default(served, tmp_path):
    from fastapi.testclient import TestClient

    too_big = httpx.post(
        f"{served.url}/api/chat/demo",
        content=b"{" + b" " * 40_000 + b"}",
        headers={"Authorization": f"Bearer {served.read}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert too_big.status_code == 413
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    closed = httpx.options(f"{served.url}/api/resumes", headers=preflight, timeout=30)
    assert "access-control-allow-origin" not in closed.headers
    settings = ApiSettings(
        results_url=f"sqlite:///{tmp_path / 'r.db'}",
        models_path=tmp_path / "models",
        cors_origins=("https://app.example",),
    )
    opened = TestClient(create_app(settings)).options(
        "/api/resumes", headers={**preflight, "Origin": "https://app.example"}
    )
    assert opened.headers["access-control-allow-origin"] == "https://app.example"


def test_health_is_503_without_a_model_or_store(tmp_path):
    from fastapi.testclient import TestClient

    settings = ApiSettings(
        results_url="postgresql+psycopg2://nobody@127.0.0.1:1/none", models_path=tmp_path
    )
    response = TestClient(create_app(settings)).get("/health")
    assert response.status_code == 503
    assert response.json()["store"] is False and len(response.json()["problems"]) == 2


def test_report_page_renders_in_headless_chromium(served, tmp_path):
    from pypdf import PdfReader

    resume_id, jd_id = pair_ids(PAIRS[0])
    html = served.get(f"/report/{resume_id}/{jd_id}", served.read).text
    analysis = served.store.get_analysis(resume_id, jd_id)
    assert f"{analysis['overall_match'] * 100:.0f}%" in html
    assert analysis["skill_gaps"][0]["name"] in html and "Week 4" in html
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium package is required (scripts/services.sh installs it)"
    url = f"{served.url}/report/{resume_id}/{jd_id}?token={served.read}"
    shot, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    subprocess.run(
        [chromium, *flags, f"--screenshot={shot}", "--window-size=1100,1400", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    subprocess.run(
        [chromium, *flags, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000)
    assert len(colours) > 50  # text, chart and table, not a blank page
    bar_colours = {(0xB3, 0x26, 0x1E), (0xE8, 0x71, 0x0A), (0xF9, 0xAB, 0x00), (0x80, 0x86, 0x8B)}
    assert bar_colours & {c for _, c in colours}  # the gaps chart was drawn
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert (
        "Skill-gap report" in text
        and "Week 1" in text
        and analysis["skill_gaps"][0]["name"] in text
    )


def test_no_route_answers_500_and_every_answer_matches_the_schema(served):
    """A bounded schemathesis run over every operation, with an admin token: no 5xx, and every
    response (status, headers, body) as the OpenAPI schema says."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/openapi.json", served.app)
    auth = {"Authorization": f"Bearer {served.admin}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case) -> None:
            case.call_and_validate(headers=auth)

        check()


def test_a_session_token_follows_only_its_own_session(served):
    """Release 1: any read token followed any session, and session ids such as "demo" are
    guessable. A browser's token is bound to its session."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    made = served.post("/api/tokens", served.admin, {"name": "browser", "session_id": "demo"})
    assert made.status_code == 201, made.text
    demo = made.json()["secret"]
    other = served.post("/api/tokens", served.admin, {"name": "another browser"}).json()
    assert other["session_id"].startswith("s_") and len(other["session_id"]) >= 20  # unguessable
    refused = served.post("/api/tokens", served.read, {"name": "x"})
    assert refused.status_code == 403  # only admins hand out tokens

    own = served.get("/api/sessions/demo/requests", demo)
    assert own.status_code == 200 and own.json()
    done = next(r for r in own.json() if r["status"] == "done")
    pair = f"{done['resume_id']}/{done['jd_id']}"
    for path in (f"/api/analyses/{pair}", f"/api/roadmap/{pair}", f"/api/suggestions/{pair}"):
        assert served.get(path, demo).status_code == 200, path
        assert served.get(path, other["secret"]).status_code == 403, path  # not its session's
        assert served.get(path, served.read).status_code == 200, path  # a service token
    assert served.get(f"/api/requests/{done['request_id']}", demo).status_code == 200
    assert served.get(f"/api/requests/{done['request_id']}", other["secret"]).status_code == 403
    assert served.get("/api/sessions/demo/requests", other["secret"]).status_code == 403
    assert served.get("/api/resumes", demo).status_code == 403  # no listing of everything
    asked = served.post("/api/chat/demo", other["secret"], {"question": "What first?"})
    assert asked.status_code == 403
    ws_url = served.url.replace("http", "ws")
    with connect(f"{ws_url}/ws/demo?token={demo}") as socket:  # a browser: ?token= here
        socket.ping().wait(5)
    with pytest.raises(InvalidStatus):
        connect(f"{ws_url}/ws/demo?token={other['secret']}")
    report = httpx.get(f"{served.url}/report/{pair}?token={demo}", timeout=30)
    assert report.status_code == 303 and demo not in report.headers["location"]
    report = httpx.get(served.url + report.headers["location"], timeout=30)  # a signed link
    assert report.status_code == 200 and "Skill-gap report" in report.text


def test_query_tokens_only_where_a_browser_needs_them(served):
    assert served.get(f"/api/resumes?token={served.read}").status_code == 401
    assert served.get("/api/resumes", served.read).status_code == 200
