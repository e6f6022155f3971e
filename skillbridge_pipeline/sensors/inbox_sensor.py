"""The inbox sensor: files dropped in inbox/resumes/ and inbox/jds/ become documents and runs.

Per tick, bounded: land up to `max_files_per_tick` files (bytes first, then the row), add one
dynamic partition per new document, and request one run per batch of up to `batch_size`
documents (a partition range over a single-run backfill policy). A burst of 10,000 files is
drained over a few ticks as a few dozen runs, not 10,000. A batch of resumes that analysis
requests already wait on (their JDs extracted, a gap model trained) runs as
`resumes_and_gaps_job`, which scores those requests in the same run.

Idempotency: the landing row is keyed by content hash, so the same bytes twice are one
document. Which documents were dispatched, and under which run key, is kept in the results
store; a batch whose documents are still queued long after dispatch (the daemon died before
launching it) is requested again with the same run key, which Dagster de-duplicates.
"""

from datetime import timedelta

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from skillbridge_pipeline.assets.documents import DOCUMENT_JOBS, DOCUMENT_PARTITIONS, STRICT_TAG
from skillbridge_pipeline.assets.gaps import RESUMES_AND_GAPS_JOB
from skillbridge_pipeline.core.intake import (
    Batch,
    land_inbox,
    land_requests,
    plan_batches,
    requests_scorable_with,
    scan_inbox,
)
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.metrics import EVENTS_PROCESSED_TOTAL
from skillbridge_pipeline.resources import (
    InboxResource,
    LandingStoreResource,
    ModelStoreResource,
    ResultsStoreResource,
)
from skillbridge_pipeline.sensors import SENSOR_INTERVAL_SECONDS
from skillbridge_pipeline.sensors.batching import range_run_request

STALE_AFTER = timedelta(minutes=10)
MAX_FAILURE_RUNS_PER_TICK = 20
MAX_STALE_BATCHES_PER_TICK = 5


def batch_run_request(batch: Batch, requests_to_score: int = 0) -> RunRequest:
    """The batch's run; with requests to score, the run that extracts and scores."""
    tags = {"skillbridge/source": "inbox", "skillbridge/documents": str(len(batch.doc_ids))}
    job = DOCUMENT_JOBS[batch.kind]
    if requests_to_score:
        job, tags["skillbridge/requests"] = RESUMES_AND_GAPS_JOB, str(requests_to_score)
    return range_run_request(job.name, batch.doc_ids, batch.run_key, tags)


def mark_scorable(store: ResultsStore, batch: Batch) -> int:
    """Requests the batch's run can score are marked `scoring` under its run key: the analysis
    sensor leaves them, and a failed run fails them through the failure hook."""
    scorable = requests_scorable_with(store, batch.doc_ids)
    if scorable:
        store.set_request_status([r.request_id for r in scorable], "scoring", run_key=batch.run_key)
    return len(scorable)


def scoring_under(store: ResultsStore, batch: Batch) -> int:
    return sum(
        1
        for r in store.requests_for_resumes(batch.doc_ids)
        if r.status == "scoring" and r.run_key == batch.run_key
    )


def failure_run_request(kind: str, doc_id: str) -> RunRequest:
    return RunRequest(
        run_key=f"{kind}-failed-{doc_id}",
        job_name=DOCUMENT_JOBS[kind].name,
        partition_key=doc_id,
        tags={STRICT_TAG: "true", "skillbridge/source": "failure-rerun"},
    )


@sensor(
    name="document_inbox_sensor",
    jobs=[*DOCUMENT_JOBS.values(), RESUMES_AND_GAPS_JOB],
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Lands files from the inbox and launches batched runs for new documents.",
)
def document_inbox_sensor(
    context: SensorEvaluationContext,
    inbox: InboxResource,
    landing: LandingStoreResource,
    results_store: ResultsStoreResource,
    models: ModelStoreResource,
) -> SensorResult | SkipReason:
    store = results_store.store
    files = scan_inbox(inbox.root, inbox.max_files_per_tick)
    report = land_inbox(inbox.root, files, landing.landing, store)
    if report.unreadable:
        context.log.warning(f"{len(report.unreadable)} inbox files could not be read")
    for outcome, count in (("landed", report.landed), ("duplicate", report.duplicates)):
        EVENTS_PROCESSED_TOTAL.labels(source="inbox", topic="inbox", outcome=outcome).inc(count)
    new_requests, rejected = land_requests(
        inbox.root, store, inbox.max_files_per_tick, fetch_job=inbox.fetch_job
    )
    if rejected:
        context.log.warning(f"rejected {len(rejected)} malformed analysis requests: {rejected[:5]}")

    batches = plan_batches(store.undispatched(inbox.max_documents_per_tick), inbox.batch_size)
    new_keys: dict[str, list[str]] = {}
    for batch in batches:
        new_keys.setdefault(batch.kind, []).extend(batch.doc_ids)
    can_score = models.registry.latest_version() is not None
    requests = [
        batch_run_request(b, mark_scorable(store, b) if can_score and b.kind == "resume" else 0)
        for b in batches
    ]

    for kind, run_key, doc_ids in store.stale_batches(STALE_AFTER, MAX_STALE_BATCHES_PER_TICK):
        stale = Batch(kind, doc_ids, run_key)
        requests.append(batch_run_request(stale, scoring_under(store, stale)))

    for record in store.failures_to_report(MAX_FAILURE_RUNS_PER_TICK):
        request = failure_run_request(record.kind, record.doc_id)
        store.mark_failure_reported(record.kind, record.doc_id, request.run_key or "")
        requests.append(request)

    for batch in batches:
        store.mark_dispatched(batch.kind, batch.doc_ids, batch.run_key)

    if not requests:
        return SkipReason(
            f"no new documents (landed {report.landed}, duplicates {report.duplicates}, "
            f"analysis requests {new_requests})"
        )
    context.log.info(
        f"landed {report.landed} new, {report.duplicates} duplicate; "
        f"{len(batches)} batch runs, {len(requests) - len(batches)} other runs"
    )
    return SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[
            DOCUMENT_PARTITIONS[kind].build_add_request(keys) for kind, keys in new_keys.items()
        ],
    )
