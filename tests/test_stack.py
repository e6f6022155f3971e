"""The production stack end to end through the real Dagster daemon: Kafka in, API and
WebSocket out, Dagster's runs in PostgreSQL. Started with `stack.up`, stopped with `stack.down`."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid

import httpx
import pytest
from conftest import POSTGRES_ADMIN_URL, SAMPLES
from sqlalchemy import create_engine, text

from skillbridge_pipeline import stack
from skillbridge_pipeline.broker import free_port
from skillbridge_pipeline.core.documents.events import document_event, request_event
from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore, tokens
from skillbridge_pipeline.resources import KafkaResource

pytestmark = pytest.mark.slow


@pytest.fixture
def running_stack(trained, tmp_path, s3_bucket, monkeypatch):
    """The stack with its broker's log in S3 (a local moto server), as it would keep it."""
    storage_url, credentials = s3_bucket
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)  # the stack's processes inherit the environment
    suffix = uuid.uuid4().hex[:8]
    config = stack.StackConfig(
        root=tmp_path / "stack",
        postgres_admin_url=POSTGRES_ADMIN_URL,
        results_db=f"skillbridge_e2e_{suffix}",
        dagster_db=f"skillbridge_e2e_dagster_{suffix}",
        webserver_port=free_port(),
        api_port=free_port(),
        kafka_storage=storage_url,
    )
    (config.root).mkdir(parents=True)
    shutil.copytree(trained[0] / "models", config.root / "models")
    started = stack.up(config)
    yield config, started
    stopped = stack.down(config.root)
    assert set(stopped) >= {
        "kafka",
        "chroma",
        "run-worker",
        "dagster-webserver",
        "dagster-daemon",
        "api",
    }
    for item in started:
        if item.pid:
            with pytest.raises(ProcessLookupError):
                os.killpg(item.pid, 0)  # every process group it started is gone
    stack.drop_databases(config)


def test_kafka_to_api_and_websocket_through_the_daemon(running_stack):
    from websockets.sync.client import connect

    config, started = running_stack
    api = f"http://127.0.0.1:{config.api_port}"
    store = ResultsStore(config.database_url(config.results_db))
    _, secret = tokens.create(store, "e2e", "read")
    auth = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{api}/health", timeout=10).status_code == 200

    resume = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_bytes()
    jd = (SAMPLES / "jds" / "skillspan_cloud_devops_engineer.txt").read_bytes()
    resume_id, jd_id = document_id(resume), document_id(jd)
    kafka = KafkaResource(bootstrap_servers=f"127.0.0.1:{config.kafka_port}")
    with connect(f"ws://127.0.0.1:{config.api_port}/ws/e2e", additional_headers=auth) as ws:
        producer = kafka.producer()
        producer.produce(kafka.resumes_topic, document_event("resume", "ana.txt", resume))
        producer.produce(kafka.jds_topic, document_event("jd", "devops.txt", jd))
        request = {"resume_id": resume_id, "jd_id": jd_id, "session_id": "e2e"}
        producer.produce(kafka.requests_topic, request_event(request))
        assert producer.flush(20) == 0
        del producer
        event = json.loads(ws.recv(timeout=300))  # the daemon's sensors launch every run
    assert (event["event"], event["resume_id"], event["jd_id"]) == (
        "analysis.ready",
        resume_id,
        jd_id,
    )
    analysis = httpx.get(f"{api}/api/analyses/{resume_id}/{jd_id}", headers=auth, timeout=10)
    assert analysis.status_code == 200
    assert analysis.json()["overall_match"] == event["overall_match"]
    roadmap = None
    for _ in range(120):  # the roadmap step follows in the same run
        roadmap = httpx.get(f"{api}/api/roadmap/{resume_id}/{jd_id}", headers=auth, timeout=10)
        if roadmap.status_code == 200:
            break
        time.sleep(0.5)
    assert roadmap.status_code == 200 and len(roadmap.json()["weeks"]) == 4

    # A second candidate for the JD, now extracted: the resume and its request arrive together
    # and one run extracts and scores it.
    second = resume + b"\nOn call for Terraform-managed Kubernetes clusters.\n"
    seen = f"ws://127.0.0.1:{config.api_port}/ws/e2e?last_event_id={event['id']}"
    with connect(seen, additional_headers=auth) as ws:
        producer = kafka.producer()
        request = {**request, "resume_id": document_id(second), "session_id": "e2e"}
        producer.produce(kafka.requests_topic, request_event(request))
        assert producer.flush(20) == 0  # the request first: it waits when the resume lands
        producer.produce(kafka.resumes_topic, document_event("resume", "ana2.txt", second))
        assert producer.flush(20) == 0
        del producer
        later = json.loads(ws.recv(timeout=300))
    assert (later["event"], later["resume_id"], later["jd_id"]) == (
        "analysis.ready",
        document_id(second),
        jd_id,
    )

    dagster_db = create_engine(config.database_url(config.dagster_db))
    expected = {"resumes_job", "jds_job", "gaps_job", "resumes_and_gaps_job"}
    jobs: set[str] = set()
    for _ in range(120):  # a scoring run finishes after its roadmap step
        with dagster_db.connect() as conn:
            runs = conn.execute(text("select pipeline_name, status from runs")).all()
        jobs = {job for job, status in runs if status == "SUCCESS"}
        if expected <= jobs:
            break
        time.sleep(0.5)
    with dagster_db.connect() as conn:
        tagged = conn.execute(
            text(
                "select count(distinct r.run_id) from runs r join run_tags t on t.run_id = "
                "r.run_id where t.key = :key and r.status = 'SUCCESS'"
            ),
            {"key": "dagster-celery/task_id"},
        ).scalar()
        started_in = conn.execute(
            text("select event from event_logs where event like :pid"),
            {"pid": "%Started process for run (pid: %"},
        ).all()
    dagster_db.dispose()
    assert expected <= jobs  # launched by the daemon, recorded in PostgreSQL
    # ... and every run handed to the warm run worker, executed by one of its pool processes
    assert tagged == sum(1 for _, status in runs if status == "SUCCESS")
    [worker] = [item for item in started if item.name == "run-worker"]
    pids = {int(p) for (e,) in started_in for p in re.findall(r"\(pid: (\d+)\)", e)}
    assert pids and all(os.getpgid(pid) == worker.pid for pid in pids)
