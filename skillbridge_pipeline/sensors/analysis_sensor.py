"""The analysis sensor: requested (resume, JD) pairs whose documents are ready become runs of
`skill_gaps`, one run per batch of resumes (a partition range over a single-run policy).

A request waits while either document is still being processed, and fails with the document's
reason if either document failed. Run keys name the newest request in the batch, so a new
request for an already scored resume gets a new run. Requests that arrive with a new resume
for an already extracted JD never reach this sensor: the inbox sensor hands them to the run
that extracts the resume (`resumes_and_gaps_job`).
"""

from dagster import (
    DefaultSensorStatus,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from skillbridge_pipeline.assets.gaps import GAPS_JOB
from skillbridge_pipeline.core.documents import failed_document_reason
from skillbridge_pipeline.core.intake import plan_gap_batches
from skillbridge_pipeline.metrics import ANALYSIS_COMPLETED_TOTAL
from skillbridge_pipeline.resources import (
    InboxResource,
    ModelStoreResource,
    ResultsStoreResource,
)
from skillbridge_pipeline.sensors import SENSOR_INTERVAL_SECONDS
from skillbridge_pipeline.sensors.batching import range_run_request

MAX_REQUESTS_PER_TICK = 2000


@sensor(
    name="analysis_sensor",
    jobs=[GAPS_JOB],
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Scores requested resume/JD pairs once both documents are extracted.",
)
def analysis_sensor(
    context: SensorEvaluationContext,
    results_store: ResultsStoreResource,
    inbox: InboxResource,
    models: ModelStoreResource,
) -> SensorResult | SkipReason:
    store = results_store.store
    pending = store.requests_with_status("pending", MAX_REQUESTS_PER_TICK)
    if not pending:
        return SkipReason("no pending analysis requests")
    if not models.registry.latest_version():
        return SkipReason(
            f"{len(pending)} requests wait for a trained gap model: materialise gap_model "
            "(the train_gap_model_job)"
        )
    resumes = store.document_statuses("resume", {r.resume_id for r in pending})
    jds = store.document_statuses("jd", {r.jd_id for r in pending})
    ready: dict[str, int] = {}
    ready_requests: dict[str, list] = {}
    for request in pending:
        resume, jd = resumes.get(request.resume_id), jds.get(request.jd_id)
        failed = [
            (kind, doc)
            for kind, doc in (("resume", resume), ("jd", jd))
            if doc and doc[1] == "failed"
        ]
        if failed:
            kind, doc = failed[0]
            store.set_request_status(
                [request.request_id], "failed", error=failed_document_reason(kind, doc[2])
            )
            ANALYSIS_COMPLETED_TOTAL.labels(outcome="failed").inc()
        elif resume and jd and resume[1] == "extracted" and jd[1] == "extracted":
            ready[request.resume_id] = resume[0]
            ready_requests.setdefault(request.resume_id, []).append(request)
    if not ready:
        return SkipReason(f"{len(pending)} requests wait for their documents")
    order = store.dispatched_resume_seqs(min(ready.values()), max(ready.values()))
    runs = []
    for batch in plan_gap_batches(ready, order, inbox.batch_size):
        batch_requests = [r for key in batch for r in ready_requests[key]]
        run_key = f"gaps-{max(r.seq for r in batch_requests)}-{batch[0]}-{batch[-1]}"
        tags = {
            "skillbridge/source": "analysis-requests",
            "skillbridge/requests": str(len(batch_requests)),
        }
        runs.append(range_run_request(GAPS_JOB.name, batch, run_key, tags))
        store.set_request_status([r.request_id for r in batch_requests], "scoring", run_key=run_key)
    return SensorResult(run_requests=runs)
