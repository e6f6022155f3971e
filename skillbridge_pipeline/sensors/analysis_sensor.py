"""The analysis sensor: requested (resume, JD) pairs whose documents are ready become batches of
requests, one partition and one `gaps_job` run each.

A request waits while either document is still being processed, and fails with the document's
reason if either document failed. Requests are claimed into their batch atomically (pending ->
scoring), so no request is scored by two runs. Requests that arrive with a new resume for an
already extracted JD never reach this sensor: the dispatch hands them to the run that extracts
the resume (`resumes_and_gaps_job`).
"""

from dagster import (
    DefaultSensorStatus,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from skillbridge_pipeline.core.documents.batches import new_batch_key
from skillbridge_pipeline.core.documents.identity import failed_document_reason
from skillbridge_pipeline.hooks import fail_requests
from skillbridge_pipeline.jobs import GAPS_JOB
from skillbridge_pipeline.partitions import BATCHES, batch_run_request
from skillbridge_pipeline.resources import (
    InboxResource,
    ModelStoreResource,
    ResultsStoreResource,
)
from skillbridge_pipeline.sensors import SENSOR_INTERVAL_SECONDS

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
    ready = []
    for request in pending:
        resume, jd = resumes.get(request.resume_id), jds.get(request.jd_id)
        failed = [
            (kind, doc)
            for kind, doc in (("resume", resume), ("jd", jd))
            if doc and doc[1] == "failed"
        ]
        if failed:
            kind, doc = failed[0]
            fail_requests(store, [request.request_id], failed_document_reason(kind, doc[2]))
        elif resume and jd and resume[1] == "extracted" and jd[1] == "extracted":
            ready.append(request.request_id)
    if not ready:
        return SkipReason(f"{len(pending)} requests wait for their documents")
    runs, keys = [], []
    size = inbox.max_batch_size
    for start in range(0, len(ready), size):
        key = new_batch_key("analysis")
        claimed = store.claim_requests(
            ready[start : start + size], key, new_batch_job=GAPS_JOB.name
        )
        if claimed:
            keys.append(key)
            tags = {"skillbridge/source": "analysis-requests", "skillbridge/requests": str(claimed)}
            runs.append(batch_run_request(key, GAPS_JOB.name, tags))
    return SensorResult(
        run_requests=runs, dynamic_partitions_requests=[BATCHES.build_add_request(keys)]
    )
