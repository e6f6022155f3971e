"""Retries, the failure hook as the dead-letter queue, and replay — on a real instance."""

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES, make_image_only_pdf
from dagster import instance_for_test

from skillbridge_pipeline.core.documents.batches import new_batch_key
from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore, dead_letters
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import execute, run_pending
from skillbridge_pipeline.metrics import metrics_registry
from skillbridge_pipeline.replay import replay
from skillbridge_pipeline.resources import embedded_resources

pytestmark = pytest.mark.slow


def test_a_permanent_failure_is_one_dead_letter_without_retries(tmp_path):
    resources = embedded_resources(tmp_path)
    store = ResultsStore(resources["results_store"].url)
    inbox = tmp_path / "inbox" / "resumes"
    inbox.mkdir(parents=True)
    scan = make_image_only_pdf()
    (inbox / "scan.pdf").write_bytes(scan)
    (inbox / "ok.txt").write_text("Python and SQL developer")
    with instance_for_test() as instance:
        run_pending(instance, build_definitions(resources))
    [letter] = dead_letters.listing(store)
    assert (letter.job_name, letter.asset, letter.subject) == (
        "resumes_job",
        "resume_texts",
        document_id(scan),
    )
    batch = store.get_document("resume", document_id(scan))["batch_key"]
    assert letter.partition_key == batch and batch.startswith("resume-")
    assert store.get_batch(batch).status == "done"  # the batch went on
    assert store.get_document("resume", document_id(b"Python and SQL developer"))
    assert letter.attempts == 1  # a corrupt document is not retried
    assert "no text layer" in letter.error_message and letter.status == "open"
    assert Path(letter.payload).read_bytes() == scan  # pointer to the kept raw payload
    assert metrics_registry(store).get_sample_value("dlq_depth") == 1


def test_a_transient_failure_is_retried_then_replayed_and_resolved(tmp_path, trained):
    resources = embedded_resources(tmp_path)
    defs = build_definitions(resources)
    store = ResultsStore(resources["results_store"].url)
    resume = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_bytes()
    jd = (SAMPLES / "jds" / "skillspan_cloud_devops_engineer.txt").read_bytes()
    (tmp_path / "inbox" / "resumes").mkdir(parents=True)
    (tmp_path / "inbox" / "jds").mkdir(parents=True)
    (tmp_path / "inbox" / "resumes" / "ana.txt").write_bytes(resume)
    (tmp_path / "inbox" / "jds" / "jd.txt").write_bytes(jd)
    with instance_for_test() as instance:
        run_pending(instance, defs)
        store.add_request("req1", document_id(resume), document_id(jd), None, source="test")
        batch = new_batch_key("analysis")
        assert store.claim_requests(["req1"], batch, new_batch_job="gaps_job") == 1
        instance.add_dynamic_partitions("batches", [batch])
        # No trained model yet: the scoring step fails, is retried, then dead-lettered.
        _, success = execute(instance, defs, "gaps_job", batch)
        assert not success
        [letter] = dead_letters.listing(store)
        assert (letter.asset, letter.partition_key) == ("skill_gaps", batch)
        assert store.get_batch(batch).status == "failed"
        assert letter.attempts == 4 and letter.error_type == "NoTrainedModel"
        [failed] = store.requests_with_status("failed", 10)  # the request is told why
        assert failed.error.startswith("scoring failed: NoTrainedModel")
        # The dependency comes back: replay succeeds and the row is resolved.
        shutil.copytree(trained[0] / "models", tmp_path / "models")
        [(letter_id, ok, _)] = replay(instance, defs, store, [letter.id])
        assert ok and dead_letters.get(store, letter_id).status == "resolved"
        assert store.get_analysis(document_id(resume), document_id(jd))["skill_gaps"]
        # Replaying twice does no harm: same stored result, still resolved.
        before = store.get_analysis(document_id(resume), document_id(jd))
        [(_, again, _)] = replay(instance, defs, store, [letter.id])
        assert again and dead_letters.get(store, letter_id).status == "resolved"
        assert store.get_analysis(document_id(resume), document_id(jd)) == before
        assert dead_letters.depth(store) == 0


def run_failure_sensor_sees(instance, run_id: str, resources: dict) -> None:
    """Evaluate the run-failure sensor on a failed run, as the daemon does."""
    from dagster import DagsterEventType, build_run_status_sensor_context

    from skillbridge_pipeline.sensors.run_failure_sensor import run_failure_dead_letters

    [record] = instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE)
    with build_run_status_sensor_context(
        sensor_name="run_failure_dead_letters",
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run_id),
        dagster_event=record.dagster_event,
        resources=resources,
    ) as status_context:
        run_failure_dead_letters(status_context.for_run_failure())


def test_a_run_that_died_before_any_step_is_a_dead_letter(tmp_path):
    from dagster._core.test_utils import create_run_for_test

    resources = embedded_resources(tmp_path)
    store = ResultsStore(resources["results_store"].url)
    store.create_schema()
    store.land("resume", "a" * 16, filename="cv.txt", size_bytes=1, source="t", landing_path="x")
    batch = new_batch_key("resume")
    store.claim_documents("resume", batch, 10, "resumes_job")
    with instance_for_test() as instance:
        run = create_run_for_test(
            instance, job_name="resumes_job", tags={"dagster/partition": batch}
        )
        instance.report_run_failed(run)  # e.g. the worker was lost before the step started
        run_failure_sensor_sees(instance, run.run_id, resources)
        run_failure_sensor_sees(instance, run.run_id, resources)  # evaluated twice: one row
    [letter] = dead_letters.listing(store)
    assert (letter.job_name, letter.partition_key, letter.error_type) == (
        "resumes_job",
        batch,
        "RunFailure",
    )
    assert letter.run_id == run.run_id and letter.attempts == 2
    assert "a" * 16 in letter.payload  # the batch's documents, listed
    document = store.get_document("resume", "a" * 16)  # not left queued without a reason
    assert document["status"] == "failed" and "batch's run failed" in document["error"]


def test_postgres_refusing_connections_mid_run_is_spooled_then_replayed(tmp_path, postgres_url):
    from dagster import DagsterEventType, build_sensor_context
    from faults import TcpProxy
    from sqlalchemy.engine import make_url

    from skillbridge_pipeline.resources import EmbeddingResource, ResultsStoreResource
    from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor

    server = make_url(postgres_url)
    proxy = TcpProxy(server.host, server.port or 5432).accept()
    url = server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    spool = tmp_path / "spool"
    results_store = ResultsStoreResource(url=url, dead_letter_spool=str(spool))
    resources = {
        **embedded_resources(tmp_path),
        "results_store": results_store,
        "embeddings": EmbeddingResource(results_store=results_store),
    }
    defs = build_definitions(resources)
    store = ResultsStore(url)
    store.create_schema()
    resume = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_bytes()
    (tmp_path / "inbox" / "resumes").mkdir(parents=True)
    (tmp_path / "inbox" / "resumes" / "ana.txt").write_bytes(resume)
    with instance_for_test() as instance:
        with build_sensor_context(instance=instance, resources=resources) as context:
            dispatch = document_inbox_sensor(context)
        [request] = dispatch.run_requests
        instance.add_dynamic_partitions("batches", [request.partition_key])
        proxy.refuse()  # PostgreSQL goes away between the dispatch and the run
        store.dispose()
        run_id, success = execute(
            instance, defs, request.job_name, request.partition_key, request.tags
        )
        assert not success
        restarts = instance.all_logs(run_id, of_type=DagsterEventType.STEP_RESTARTED)
        assert len(restarts) == 3  # retried with backoff before giving up
        assert len(list(spool.glob("*.json"))) == 1  # the dead letter waits locally
        proxy.accept()  # PostgreSQL is back
        assert dead_letters.drain(store, spool) == 1 and not list(spool.glob("*.json"))
        [letter] = dead_letters.listing(store)
        assert letter.asset == "raw_resumes" and letter.error_type == "OperationalError"
        assert letter.attempts == 4 and letter.status == "open"
        assert letter.partition_key == request.partition_key  # its documents are in the batch
        [(_, ok, _)] = replay(instance, defs, store, [letter.id])
    assert ok and dead_letters.get(store, letter.id).status == "resolved"
    assert store.get_document("resume", document_id(resume))["status"] == "extracted"
    proxy.refuse()
    from skillbridge_pipeline.core.store.db import metadata

    metadata.drop_all(ResultsStore(postgres_url).engine)  # leave the shared database empty


KILLABLE_RUN = """
import sys
from pathlib import Path
from dagster import instance_for_test
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import run_pending
from skillbridge_pipeline.resources import embedded_resources
with instance_for_test(temp_dir=sys.argv[2]) as instance:
    run_pending(instance, build_definitions(embedded_resources(Path(sys.argv[1]))))
"""


def stored_results(store: ResultsStore) -> tuple[list, list]:
    """Everything the pipeline stores about documents, less times, paths and run keys."""
    from sqlalchemy import select

    from skillbridge_pipeline.core.store.documents import document_skills, documents

    kept = [documents.c[n] for n in ("kind", "doc_id", "status", "format", "error", "text_chars")]
    kept += [documents.c[n] for n in ("skill_count", "title", "role_family", "seniority")]
    with store.engine.connect() as conn:
        docs = conn.execute(select(*kept).order_by(documents.c.doc_id)).all()
        skills = conn.execute(
            select(document_skills).order_by(document_skills.c.doc_id, document_skills.c.skill_id)
        ).all()
    return [tuple(r) for r in docs], [tuple(r) for r in skills]


def test_a_run_killed_mid_run_converges_when_run_again(tmp_path):
    import json
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy.exc import OperationalError

    postings = [
        json.loads(line)["text"]
        for line in (SAMPLES.parent / "skillspan" / "postings-train.jsonl").open()
    ]
    homes = {name: tmp_path / name for name in ("killed", "reference")}
    for home in homes.values():
        (home / "inbox" / "jds").mkdir(parents=True)
        for number, text in enumerate(postings):
            (home / "inbox" / "jds" / f"posting-{number}.txt").write_text(text)
    home, instance_dir = homes["killed"], tmp_path / "instance"
    instance_dir.mkdir()
    store = ResultsStore(embedded_resources(home)["results_store"].url)
    child = subprocess.Popen([sys.executable, "-c", KILLABLE_RUN, str(home), str(instance_dir)])
    statuses: dict = {}
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and child.poll() is None:
            try:
                statuses = store.status_counts()
            except OperationalError:
                statuses = {}  # the schema is not there yet
            if ("jd", "parsed") in statuses:  # texts stored, skills not yet: mid-run
                break
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert ("jd", "parsed") in statuses, f"never caught the run mid-way: {statuses}"
    assert statuses.get(("jd", "extracted"), 0) < len(postings)

    resources = embedded_resources(home)
    defs = build_definitions(resources)
    with instance_for_test(temp_dir=str(instance_dir)) as instance:
        [killed] = instance.get_runs()
        instance.report_run_failed(killed)  # what the daemon's run monitoring does
        run_failure_sensor_sees(instance, killed.run_id, resources)
        [letter] = dead_letters.listing(store)
        [(_, ok, _)] = replay(instance, defs, store, [letter.id])
        assert ok and not run_pending(instance, defs)  # nothing else was left to do
    with instance_for_test() as instance:
        reference_runs = run_pending(
            instance, build_definitions(embedded_resources(homes["reference"]))
        )
    assert reference_runs and all(success for _, success in reference_runs)
    reference = ResultsStore(embedded_resources(homes["reference"])["results_store"].url)
    assert stored_results(store) == stored_results(reference)
    assert store.status_counts() == {("jd", "extracted"): len(postings)}


def test_a_replay_handed_to_the_run_launcher_runs_in_another_process(tmp_path, monkeypatch):
    """Production's path: `dagster job launch` submits the replay to the instance, whose
    coordinator and launcher run it in a process of their own, tagged as the replay of its
    letter, strict as a replay in process. (Production queues it for the daemon; here the
    instance coordinates runs at once, so no daemon is needed to see it end.)"""
    import os
    import time

    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.storage.tags import PARTITION_NAME_TAG

    from skillbridge_pipeline.replay import REPLAY_TAG, launch_with_run_launcher

    home, dagster_home = tmp_path / "home", tmp_path / "dagster"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text(
        (SAMPLES.parents[1] / "dagster.yaml").read_text()
        + "run_coordinator:\n  module: dagster._core.run_coordinator\n"
        + "  class: DefaultRunCoordinator\n"
    )
    monkeypatch.setenv("SKILLBRIDGE_HOME", str(home))  # the launched run's code location
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    resources = embedded_resources(home)
    defs = build_definitions(resources)
    store = ResultsStore(resources["results_store"].url)
    (home / "inbox" / "resumes").mkdir(parents=True)
    scan = make_image_only_pdf()
    (home / "inbox" / "resumes" / "scan.pdf").write_bytes(scan)
    with DagsterInstance.get() as instance:
        run_pending(instance, defs)
        [letter] = dead_letters.listing(store)
        [(letter_id, success, run_id)] = replay(
            instance, defs, store, [letter.id], launch_with_run_launcher
        )
        assert success is None  # handed over: its outcome is the run's
        deadline = time.monotonic() + 300
        while (run := instance.get_run_by_id(run_id)) is None or not run.is_finished:
            assert time.monotonic() < deadline, "the launched replay never finished"
            time.sleep(1)
        assert run.job_name == "resumes_job" and run.tags[REPLAY_TAG] == str(letter.id)
        engine = " ".join(e.user_message for e in instance.all_logs(run_id))
        assert "(pid: " in engine and f"(pid: {os.getpid()})" not in engine  # not this process
        # Still no text layer: the strict replay fails visibly, in its own one-document batch.
        assert run.status == DagsterRunStatus.FAILURE and run.tags["skillbridge/strict"] == "true"
        document = store.get_document("resume", document_id(scan))
        assert document["batch_key"] == run.tags[PARTITION_NAME_TAG] != letter.partition_key
        assert document["status"] == "failed" and "no text layer" in document["error"]
        reopened = dead_letters.get(store, letter_id)  # failed again: open again, same row
        assert reopened.status == "open" and reopened.replay_run_key == f"replay-{letter.id}-1"
