"""Through the real daemon: the time from an event published to Kafka to its analysis readable
in the API (p50 and p95 over --requests sequential requests; target p50 < 8 s with the
Kafka sensor's 5 s interval), and analyses per minute when --burst requests arrive at once
(target >= 1,000/min). Prints each figure's ratio to its target. Starts `skillbridge stack up`
on a temporary root and stops it after.

Needs a trained model: --models DIR (e.g. var/models after `skillbridge demo`).
Run: .venv/bin/python bench/stack_latency.py --models var/models [--requests 20] [--burst 500]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from skillbridge_pipeline import stack
from skillbridge_pipeline.broker import free_port
from skillbridge_pipeline.core.documents.events import document_event, request_event
from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore, tokens
from skillbridge_pipeline.resources import KafkaResource

SAMPLES = Path(__file__).parents[1] / "data" / "samples"
TARGET_P50_S = 8.0
TARGET_PER_MINUTE = 1000


def resume_text(number: int) -> bytes:
    base = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_text()
    return f"{base}\nReference {uuid.uuid4().hex} #{number}\n".encode()


def publish(kafka: KafkaResource, resumes: list[bytes], jd_id: str) -> None:
    producer = kafka.producer()
    for number, data in enumerate(resumes):
        producer.produce(kafka.resumes_topic, document_event("resume", f"r{number}.txt", data))
    for data in resumes:
        request = {"resume_id": document_id(data), "jd_id": jd_id}
        producer.produce(kafka.requests_topic, request_event(request))
    assert producer.flush(30) == 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="skillbridge-stack-"))
    suffix = uuid.uuid4().hex[:8]
    config = stack.StackConfig(
        root=root / "stack",
        results_db=f"skillbridge_bench_{suffix}",
        dagster_db=f"skillbridge_bench_dagster_{suffix}",
        webserver_port=free_port(),
        api_port=free_port(),
    )
    config.root.mkdir(parents=True)
    shutil.copytree(args.models, config.root / "models")
    stack.up(config)
    try:
        store = ResultsStore(config.database_url(config.results_db))
        _, secret = tokens.create(store, "bench", "read")
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{config.api_port}",
            headers={"Authorization": f"Bearer {secret}"},
        )
        kafka = KafkaResource(bootstrap_servers=f"127.0.0.1:{config.kafka_port}")
        jd = (SAMPLES / "jds" / "skillspan_cloud_devops_engineer.txt").read_bytes()
        jd_id = document_id(jd)
        producer = kafka.producer()
        producer.produce(kafka.jds_topic, document_event("jd", "jd.txt", jd))
        producer.flush(30)
        while api.get(f"/api/jds/{jd_id}").json().get("status") != "extracted":
            time.sleep(0.5)

        # Warm-up: the first roadmap fills the fresh Chroma's catalog collection (every
        # learning resource embedded, minutes of CPU on 2 cores); measured apart, then the
        # sequential requests run on a warm stack, as a deployed one is.
        started = time.perf_counter()
        warm = resume_text(-1)
        publish(kafka, [warm], jd_id)
        while api.get(f"/api/roadmap/{document_id(warm)}/{jd_id}").status_code != 200:
            time.sleep(0.5)
        print(f"warm-up: first request -> roadmap readable {time.perf_counter() - started:.1f} s")

        latencies = []
        for number in range(args.requests):
            data = resume_text(number)
            started = time.perf_counter()
            publish(kafka, [data], jd_id)
            while api.get(f"/api/analyses/{document_id(data)}/{jd_id}").status_code != 200:
                time.sleep(0.25)
            latencies.append(time.perf_counter() - started)
        cut = statistics.quantiles(latencies, n=20)
        p50 = statistics.median(latencies)
        print(
            f"event published -> analysis readable in the API, {len(latencies)} sequential "
            f"requests: p50 {p50:.1f} s, p95 {cut[18]:.1f} s (target p50 < {TARGET_P50_S:.0f} s: "
            f"{TARGET_P50_S / p50:.2f}x)"
        )

        if args.burst:
            burst = [resume_text(10_000 + n) for n in range(args.burst)]
            started = time.perf_counter()
            publish(kafka, burst, jd_id)
            remaining = {document_id(d) for d in burst}
            while remaining:
                time.sleep(1)
                done = {r.resume_id for r in store.requests_with_status("done", 100_000)}
                remaining -= done
            seconds = time.perf_counter() - started
            per_minute = args.burst / seconds * 60
            print(
                f"{args.burst} requests at once (with their {args.burst} resumes): all analysed "
                f"in {seconds:.0f} s = {per_minute:.0f} analyses/min (target >= "
                f"{TARGET_PER_MINUTE}/min: {per_minute / TARGET_PER_MINUTE:.2f}x)"
            )
        report_runs(config)
    finally:
        stack.down(config.root)
        stack.drop_databases(config)


def report_runs(config: stack.StackConfig) -> None:
    """Per job, from Dagster's run storage: runs, launch overhead and run time (medians)."""
    dagster_db = create_engine(config.database_url(config.dagster_db))
    with dagster_db.connect() as conn:
        rows = conn.execute(
            text(
                "select pipeline_name, create_timestamp, start_time, end_time from runs "
                "where start_time is not null and end_time is not null"
            )
        ).all()
        steps = conn.execute(
            text(
                "select e.run_id, e.step_key, e.dagster_event_type, e.timestamp from event_logs e "
                "join runs r on r.run_id = e.run_id where r.pipeline_name = 'resumes_and_gaps_job'"
                " and e.dagster_event_type in ('STEP_START', 'STEP_SUCCESS', 'PIPELINE_START')"
            )
        ).all()
    dagster_db.dispose()
    report_steps(steps)
    by_job: dict[str, list[tuple[float, float]]] = {}
    for job, created, start, end in rows:
        by_job.setdefault(job, []).append(
            (start - created.replace(tzinfo=UTC).timestamp(), end - start)
        )
    for job, timings in sorted(by_job.items()):
        print(
            f"{job}: {len(timings)} runs; launch overhead (created -> started, queueing "
            f"included) median {statistics.median(t[0] for t in timings):.1f} s; "
            f"run (started -> ended) median {statistics.median(t[1] for t in timings):.1f} s"
        )


def report_steps(events) -> None:
    """Where a `resumes_and_gaps_job` run spends its time: per step, the median from the run's
    start to the step's start, and the step's own duration."""
    runs: dict[str, dict] = {}
    for run_id, step, kind, stamp in events:
        runs.setdefault(run_id, {})[(step, kind)] = stamp.timestamp()
    offsets: dict[str, list[tuple[float, float]]] = {}
    for marks in runs.values():
        start = marks.get((None, "PIPELINE_START"))
        for (step, kind), stamp in marks.items():
            done = marks.get((step, "STEP_SUCCESS"))
            if kind == "STEP_START" and start and done:
                offsets.setdefault(step, []).append((stamp - start, done - stamp))
    for step, timings in sorted(
        offsets.items(), key=lambda i: statistics.median(t[0] for t in i[1])
    ):
        print(
            f"  {step}: starts at +{statistics.median(t[0] for t in timings):.2f} s, "
            f"takes {statistics.median(t[1] for t in timings):.2f} s (median of {len(timings)})"
        )


if __name__ == "__main__":
    main()
