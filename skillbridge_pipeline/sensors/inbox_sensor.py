"""The inbox sensor: files dropped in inbox/resumes/ and inbox/jds/ become documents and runs.

Per tick, bounded: land up to `max_files_per_tick` regular files (bytes first, then the row;
links and special files are refused, a file still being written waits for a later tick), record
request files, then dispatch every landed document — from the inbox or from Kafka — into
batches (`sensors/dispatch.py`): one partition and one run per batch. A burst of 10,000 files
is drained as a handful of large batches, not 10,000 partitions.

Idempotency: the landing row is keyed by content hash, so the same bytes twice are one
document; a document is claimed into exactly one batch in the results store.
"""

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, sensor

from skillbridge_pipeline.core.documents.intake import (
    land_inbox,
    land_requests,
    scan_inbox,
    settled,
)
from skillbridge_pipeline.metrics import EVENTS_PROCESSED_TOTAL
from skillbridge_pipeline.resources import (
    InboxResource,
    LandingStoreResource,
    ModelStoreResource,
    ResultsStoreResource,
)
from skillbridge_pipeline.sensors import SENSOR_INTERVAL_SECONDS
from skillbridge_pipeline.sensors.dispatch import DISPATCHED_JOBS, dispatch_documents, keep_batches


@sensor(
    name="document_inbox_sensor",
    jobs=DISPATCHED_JOBS,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Lands files from the inbox and launches one run per batch of new documents.",
)
def document_inbox_sensor(
    context: SensorEvaluationContext,
    inbox: InboxResource,
    landing: LandingStoreResource,
    results_store: ResultsStoreResource,
    models: ModelStoreResource,
) -> SensorResult:
    store = results_store.store
    scan = scan_inbox(inbox.root, inbox.max_files_per_tick)
    files, writing = settled(scan.files)
    report = land_inbox(inbox.root, files, landing.landing, store)
    if left := scan.refused + writing + report.unreadable:
        context.log.warning(f"{len(left)} inbox entries left alone: {'; '.join(left[:5])}")
    for outcome, count in (("landed", report.landed), ("duplicate", report.duplicates)):
        EVENTS_PROCESSED_TOTAL.labels(source="inbox", topic="inbox", outcome=outcome).inc(count)
    new_requests, rejected = land_requests(inbox.root, store, inbox.max_files_per_tick)
    if rejected:
        context.log.warning(f"rejected {len(rejected)} malformed analysis requests: {rejected[:5]}")
    dispatched = dispatch_documents(
        store,
        inbox,
        models.registry.latest_version() is not None,
        source="inbox",
    )
    keep_batches(context, store, inbox, dispatched)
    if dispatched.run_requests:
        context.log.info(
            f"landed {report.landed} new, {report.duplicates} duplicate; "
            f"{len(dispatched.new_batches)} batches of {dispatched.documents} documents "
            f"and {dispatched.pages} JD pages to fetch"
        )
    return dispatched.sensor_result(
        skip_reason=(
            f"no new documents (landed {report.landed}, duplicates {report.duplicates}, "
            f"analysis requests {new_requests})"
        )
    )
