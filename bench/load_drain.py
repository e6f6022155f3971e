"""Load: 10,000 documents published to Kafka, and separately dropped into the inbox, drained to
the results store. Prints the time to publish/drop, the time to drain, the throughput, and the
counts that must be equal: documents sent = landed = extracted = materialised once each.

Runs execute in this process, as `run_pending` (what the daemon launches, minus its process
start-up per run). Kafka is a memory-backed tansu broker on loopback.
Run: .venv/bin/python bench/load_drain.py [--documents 10000] [--source kafka|inbox|both]
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

from dagster import AssetKey, instance_for_test

from skillbridge_pipeline.broker import TansuBroker
from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.events import document_event
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import run_pending
from skillbridge_pipeline.resources import KafkaResource, embedded_resources

DATA = Path(__file__).parents[1] / "data"


def documents(count: int) -> list[bytes]:
    """Distinct resume-like texts: a sample resume's lines and a SkillSpan posting's, per id."""
    resumes = [p.read_text() for p in sorted((DATA / "samples" / "resumes").glob("*.txt"))]
    postings = [
        json.loads(line)["text"][:1500] for line in (DATA / "skillspan/postings-train.jsonl").open()
    ]
    return [
        f"Candidate {i}\n{resumes[i % len(resumes)]}\nExperience notes:\n"
        f"{postings[i % len(postings)]}\n".encode()
        for i in range(count)
    ]


def drain(home: Path, kafka: KafkaResource | None, docs: list[bytes], feed) -> dict:
    resources = embedded_resources(home)
    if kafka:
        resources["kafka"] = kafka
    defs = build_definitions(resources)
    store = ResultsStore(resources["results_store"].url)
    started = time.perf_counter()
    feed()
    fed = time.perf_counter() - started
    with instance_for_test() as instance:
        runs = run_pending(instance, defs, max_ticks=500)
        drained = time.perf_counter() - started
        materialised: list[str] = []
        cursor = None
        while True:
            page = instance.fetch_materializations(
                AssetKey("resume_skills"), limit=5000, cursor=cursor
            )
            materialised += [r.partition_key for r in page.records]
            if not page.has_more:
                break
            cursor = page.cursor
    expected = {document_id(d) for d in docs}
    statuses = store.status_counts()
    return {
        "documents": len(docs),
        "fed_s": fed,
        "drained_s": drained,
        "runs": len(runs),
        "failed_runs": sum(1 for _, ok in runs if not ok),
        "extracted": statuses.get(("resume", "extracted"), 0),
        "rows": sum(statuses.values()),
        "materialised": len(materialised),
        "materialised_once": len(set(materialised)) == len(materialised),
        "all_expected": set(materialised) == expected,
    }


def report(source: str, figures: dict) -> None:
    n = figures["documents"]
    equal = (
        figures["extracted"] == figures["rows"] == figures["materialised"] == n
        and figures["materialised_once"]
        and figures["all_expected"]
    )
    print(
        f"{source}: {n} documents fed in {figures['fed_s']:.1f} s, drained to the results store "
        f"in {figures['drained_s']:.1f} s = {n / figures['drained_s']:.0f} documents/s over "
        f"{figures['runs']} runs ({figures['failed_runs']} failed); stored rows "
        f"{figures['rows']}, extracted {figures['extracted']}, materialised "
        f"{figures['materialised']} -> {'counts equal' if equal else 'COUNTS DIFFER'}"
    )


def via_kafka(docs: list[bytes]) -> dict:
    with TansuBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        kafka = KafkaResource(bootstrap_servers=broker.bootstrap_servers)
        broker.create_topics(kafka.topics)

        def publish() -> None:
            producer = kafka.producer()
            for i, data in enumerate(docs):
                producer.produce(kafka.resumes_topic, document_event("resume", f"r{i}.txt", data))
                producer.poll(0)
            assert producer.flush(60) == 0

        return drain(Path(tmp), kafka, docs, publish)


def via_inbox(docs: list[bytes]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox" / "resumes"
        inbox.mkdir(parents=True)

        def drop() -> None:
            for i, data in enumerate(docs):
                (inbox / f"resume_{i:05d}.txt").write_bytes(data)

        return drain(Path(tmp), None, docs, drop)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--source", choices=["kafka", "inbox", "both"], default="both")
    args = parser.parse_args()
    docs = documents(args.documents)
    if args.source in ("kafka", "both"):
        report("kafka", via_kafka(docs))
    if args.source in ("inbox", "both"):
        report("inbox", via_inbox(docs))


if __name__ == "__main__":
    main()
