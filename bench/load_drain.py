"""Load: 10,000 documents published to Kafka, and separately dropped into the inbox, drained to
the results store. Prints the time to publish/drop, the time to drain, the throughput and its
ratio to the target (150 documents/s), peak memory, and the counts that must be equal:
documents sent = stored = extracted, each document in exactly one batch, each batch
materialised once.

`--compare-names-only` drains the same documents with the semantic linker off and then on,
in one run, and prints both rates and the linker's cost as their ratio.

`--prior-documents N` drains the same documents a second time into a store and an instance
that already hold N documents and their batches (partitions), and prints both rates and their
ratio (target: at most 1.2x slower): the cost per document must not grow with history.

Runs execute in this process, as `run_pending` (what the daemon launches, minus its process
start-up per run). Kafka is a memory-backed tansu broker on loopback.
Run: .venv/bin/python bench/load_drain.py [--documents 10000] [--source kafka|inbox|both]
     [--prior-documents 100000]
"""

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from dagster import AssetKey, instance_for_test

from skillbridge_pipeline.broker import TansuBroker
from skillbridge_pipeline.core.documents.events import document_event
from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import run_pending
from skillbridge_pipeline.resources import (
    KafkaResource,
    SkillExtractorResource,
    embedded_resources,
)

DATA = Path(__file__).parents[1] / "data"
TARGET_PER_SECOND = 150
MAX_HISTORY_SLOWDOWN = 1.2
PRIOR_BATCH_SIZE = 250


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


def add_history(store: ResultsStore, instance, count: int) -> None:
    """`count` extracted documents in batches of PRIOR_BATCH_SIZE, in the store and as the
    instance's partitions: what a long-running deployment holds."""
    from skillbridge_pipeline.core.store.batches import batches
    from skillbridge_pipeline.core.store.documents import documents

    stamp = datetime.now(UTC)
    keys = [f"resume-20260101T000000-h{b:05d}" for b in range(-(-count // PRIOR_BATCH_SIZE))]
    with store.engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(
                documents.insert(),
                [
                    {
                        "kind": "resume",
                        "doc_id": f"{i:016x}",
                        "filename": f"old{i}.txt",
                        "size_bytes": 1000,
                        "source": "inbox",
                        "landing_path": "-",
                        "status": "extracted",
                        "batch_key": keys[i // PRIOR_BATCH_SIZE],
                        "received_at": stamp,
                        "updated_at": stamp,
                    }
                    for i in range(start, min(count, start + 5000))
                ],
            )
        conn.execute(
            batches.insert(),
            [
                {
                    "batch_key": key,
                    "kind": "resume",
                    "size": PRIOR_BATCH_SIZE,
                    "status": "done",
                    "strict": 0,
                    "attempts": 1,
                    "retired": 0,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for key in keys
            ],
        )
    instance.add_dynamic_partitions("batches", keys)


def drain(
    home: Path,
    kafka: KafkaResource | None,
    docs: list[bytes],
    feed,
    prior: int = 0,
    link_by_meaning: bool = True,
) -> dict:
    resources = embedded_resources(home)
    resources["skill_extractor"] = SkillExtractorResource(link_by_meaning=link_by_meaning)
    if kafka:
        resources["kafka"] = kafka
    defs = build_definitions(resources)
    store = ResultsStore(resources["results_store"].url)
    store.create_schema()
    with instance_for_test() as instance:
        if prior:
            add_history(store, instance, prior)
        started = time.perf_counter()
        feed()
        fed = time.perf_counter() - started
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
    stored = store.documents_by_id("resume", expected)
    batch_of = {doc_id: record.batch_key for doc_id, record in stored.items()}
    sizes = {key: store.get_batch(key).size for key in set(batch_of.values()) if key}
    statuses = store.status_counts()
    return {
        "documents": len(docs),
        "fed_s": fed,
        "drained_s": drained,
        "runs": len(runs),
        "failed_runs": sum(1 for _, ok in runs if not ok),
        "stored": len(stored),
        "extracted": sum(1 for r in stored.values() if r.status == "extracted"),
        "other_rows": sum(statuses.values()) - prior - len(stored),
        "batches": len(sizes),
        "in_one_batch": all(batch_of.values()) and sum(sizes.values()) == len(docs),
        "materialised": len(materialised),
        "materialised_once": sorted(materialised) == sorted(sizes),
    }


def report(source: str, figures: dict) -> float:
    n = figures["documents"]
    equal = (
        figures["stored"] == figures["extracted"] == n
        and figures["other_rows"] == 0
        and figures["in_one_batch"]
        and figures["materialised_once"]
    )
    rate = n / figures["drained_s"]
    print(
        f"{source}: {n} documents fed in {figures['fed_s']:.1f} s, drained to the results store "
        f"in {figures['drained_s']:.1f} s = {rate:.0f} documents/s "
        f"({rate / TARGET_PER_SECOND:.2f}x the {TARGET_PER_SECOND}/s target) over "
        f"{figures['runs']} runs and {figures['batches']} batches ({figures['failed_runs']} "
        f"failed runs); sent {n}, stored {figures['stored']}, extracted {figures['extracted']}, "
        f"each in one batch: {figures['in_one_batch']}, each batch materialised once: "
        f"{figures['materialised_once']} -> {'counts equal' if equal else 'COUNTS DIFFER'}"
    )
    return rate


def peak_memory() -> str:
    """Of the draining process, where the runs execute (the parse worker is a small child)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"peak memory of the draining process: {own:.0f} MiB"


def via_kafka(docs: list[bytes], prior: int = 0, link_by_meaning: bool = True) -> dict:
    with TansuBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        kafka = KafkaResource(bootstrap_servers=broker.bootstrap_servers)
        broker.create_topics(kafka.topics)

        def publish() -> None:
            producer = kafka.producer()
            for i, data in enumerate(docs):
                producer.produce(kafka.resumes_topic, document_event("resume", f"r{i}.txt", data))
                producer.poll(0)
            assert producer.flush(60) == 0

        return drain(Path(tmp), kafka, docs, publish, prior, link_by_meaning)


def via_inbox(docs: list[bytes], prior: int = 0, link_by_meaning: bool = True) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox" / "resumes"
        inbox.mkdir(parents=True)

        def drop() -> None:
            for i, data in enumerate(docs):
                (inbox / f"resume_{i:05d}.txt").write_bytes(data)

        return drain(Path(tmp), None, docs, drop, prior, link_by_meaning)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--source", choices=["kafka", "inbox", "both"], default="both")
    parser.add_argument(
        "--prior-documents", type=int, default=0, help="then drain again into this much history"
    )
    parser.add_argument(
        "--compare-names-only",
        action="store_true",
        help="also drain with the semantic linker off, in the same run, and print the ratio",
    )
    args = parser.parse_args()
    docs = documents(args.documents)
    sources = {"kafka": via_kafka, "inbox": via_inbox}
    if args.compare_names_only:
        for name in ("kafka", "inbox") if args.source == "both" else (args.source,):
            sources[name](documents(50))  # one-time imports and the linker's build, for both
            names = report(f"{name}, names only", sources[name](docs, link_by_meaning=False))
            linked = report(f"{name}, names + linker", sources[name](docs))
            print(
                f"{name}: the linker costs {names / linked:.2f}x ({names:.0f}/s -> {linked:.0f}/s)"
            )
        print(peak_memory())
        return
    for name in ("kafka", "inbox") if args.source == "both" else (args.source,):
        if args.prior_documents:  # the first drain in a process also pays one-time imports
            sources[name](documents(50))
        fresh = report(name, sources[name](docs))
        if args.prior_documents:
            later = report(
                f"{name} after {args.prior_documents} documents",
                sources[name](docs, args.prior_documents),
            )
            slowdown = fresh / later
            print(
                f"{name}: fresh {fresh:.0f}/s, with {args.prior_documents} prior documents "
                f"{later:.0f}/s: {slowdown:.2f}x as slow (target at most {MAX_HISTORY_SLOWDOWN}x)"
            )
    print(peak_memory())


if __name__ == "__main__":
    main()
