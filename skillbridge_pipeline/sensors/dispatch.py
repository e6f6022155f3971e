"""Dispatch, the one stage between landing and runs: landed documents become batches and runs.

Both the inbox sensor and the Kafka sensor call it after they land what they took in, so a
document waits for one sensor tick, not two. Documents are claimed into a batch in the results
store atomically, so the same bytes from Kafka and from the inbox are one document in one batch
whichever sensor dispatches it. Per tick it also re-requests batches whose run never started
(the daemon died between the tick and the launch; the run key is the batch key, so Dagster
de-duplicates), dead-letters a batch that never starts after a few requests, and retires
batches past the retention window from the partition set (their data stays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from dagster import (
    DagsterRunStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
)

from skillbridge_pipeline.core.documents.batches import batch_sizes, new_batch_key
from skillbridge_pipeline.core.documents.identity import DOCUMENT_KINDS
from skillbridge_pipeline.core.documents.intake import requests_scorable_with
from skillbridge_pipeline.core.store import ResultsStore, dead_letters
from skillbridge_pipeline.hooks import (
    batch_letter,
    dead_letter_run,
    fail_batch,
    recover_abandoned_runs,
)
from skillbridge_pipeline.jobs import DOCUMENT_JOBS, JD_PAGES_JOB, RESUMES_AND_GAPS_JOB
from skillbridge_pipeline.partitions import BATCH_TAG, BATCHES, batch_run_request
from skillbridge_pipeline.resources import InboxResource

STALE_AFTER = timedelta(minutes=10)
MAX_STALE_BATCHES_PER_TICK = 5
MAX_BATCH_REQUESTS = 3  # a batch whose run never starts after this many requests is dead
MAX_RETIRED_PER_TICK = 1000
MAX_PAGES_PER_BATCH = 20  # a page batch's run: at most 5 rounds of parallel crawls
MAX_PAGE_BATCHES_PER_TICK = 5
DISPATCHED_JOBS = [*DOCUMENT_JOBS.values(), RESUMES_AND_GAPS_JOB, JD_PAGES_JOB]  # the sensors'


@dataclass
class Dispatch:
    run_requests: list[RunRequest] = field(default_factory=list)
    new_batches: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    documents: int = 0
    pages: int = 0  # JD pages to fetch

    def sensor_result(self, cursor: str | None = None, skip_reason: str | None = None):
        partitions = []
        if self.new_batches:
            partitions.append(BATCHES.build_add_request(self.new_batches))
        if self.retired:
            partitions.append(BATCHES.build_delete_request(self.retired))
        return SensorResult(
            run_requests=self.run_requests,
            dynamic_partitions_requests=partitions,
            cursor=cursor,
            skip_reason=None if self.run_requests or partitions else skip_reason,
        )


def dispatch_documents(
    store: ResultsStore,
    inbox: InboxResource,
    can_score: bool,
    source: str,
) -> Dispatch:
    """Claim the landed backlog into batches and ask for one run per batch. A batch of resumes
    that pending requests wait on (their JD extracted, a model trained) runs as
    `resumes_and_gaps_job`, which scores those requests in the same run. Requests waiting for
    a JD page go into page batches, one `jd_pages_job` run each."""
    out = Dispatch()
    backlog = store.landed_counts()
    for kind in DOCUMENT_KINDS:
        sizes = batch_sizes(
            backlog.get(kind, 0), inbox.max_batch_size, inbox.max_documents_per_tick
        )
        for size in sizes:
            key, job = new_batch_key(kind), DOCUMENT_JOBS[kind].name
            documents = store.claim_documents(kind, key, size, job)
            if not documents:
                break  # another dispatcher took them
            tags = {"skillbridge/source": source, "skillbridge/documents": str(len(documents))}
            if can_score and kind == "resume":
                scorable = requests_scorable_with(store, [d.doc_id for d in documents])
                if claimed := store.claim_requests([r.request_id for r in scorable], key):
                    job = RESUMES_AND_GAPS_JOB.name
                    store.update_batch(key, job_name=job)
                    tags["skillbridge/requests"] = str(claimed)
            out.new_batches.append(key)
            out.run_requests.append(batch_run_request(key, job, tags))
            out.documents += len(documents)
    for _ in range(MAX_PAGE_BATCHES_PER_TICK):
        key = new_batch_key("page")
        if not (pages := store.claim_fetches(key, MAX_PAGES_PER_BATCH, JD_PAGES_JOB.name)):
            break
        out.new_batches.append(key)
        tags = {"skillbridge/source": source, "skillbridge/pages": str(pages)}
        out.run_requests.append(batch_run_request(key, JD_PAGES_JOB.name, tags))
        out.pages += pages
    return out


def keep_batches(
    context: SensorEvaluationContext, store: ResultsStore, inbox: InboxResource, out: Dispatch
) -> None:
    """Unstarted batches requested again; runs whose process died under them (a killed
    `skillbridge process`) and batches their ended run left running dead-lettered; old batches
    retired from the partition set. One sensor only (the inbox's) does this: Dagster
    de-duplicates run keys per sensor."""
    for run_id in recover_abandoned_runs(context.instance, store, None):
        context.log.warning(f"run {run_id} lost its process: its batch is a dead letter now")
    fail_orphaned(context, store)
    requeued = requeue_unstarted(context, store)
    out.run_requests += requeued
    out.new_batches += [r.partition_key for r in requeued]  # re-added if the tick was lost
    out.retired = store.batches_to_retire(
        timedelta(hours=inbox.batch_retention_hours), MAX_RETIRED_PER_TICK
    )
    if out.retired:
        store.mark_retired(out.retired)


def fail_orphaned(context: SensorEvaluationContext, store: ResultsStore) -> None:
    """Batches still `running` long after their run ended cancelled or failed without failing
    them (a cancelled run, a failure no run-failure sensor saw): dead-lettered with the reason,
    their documents failed, so none stays queued for good; `dlq replay` runs them again."""
    for batch in store.batches_in("running", STALE_AFTER, MAX_STALE_BATCHES_PER_TICK):
        run = context.instance.get_run_by_id(batch.run_id) if batch.run_id else None
        if run is not None and run.status in (DagsterRunStatus.CANCELED, DagsterRunStatus.FAILURE):
            reason = f"its run ended {run.status.value.lower()} and left the batch unfinished"
            dead_letter_run(store, None, run, reason)


def requeue_unstarted(context: SensorEvaluationContext, store: ResultsStore) -> list[RunRequest]:
    """Batches dispatched long ago with no run at all: requested again under the same run key,
    or, after MAX_BATCH_REQUESTS, dead-lettered with their documents listed."""
    runs = []
    for batch in store.unstarted_batches(STALE_AFTER, MAX_STALE_BATCHES_PER_TICK):
        launched = context.instance.get_run_records(
            RunsFilter(tags={BATCH_TAG: batch.batch_key}), limit=1
        )
        if launched:
            continue  # queued or running: its own run settles it
        if batch.attempts >= MAX_BATCH_REQUESTS:
            reason = f"its run was requested {batch.attempts} times and never started"
            dead_letters.record(
                store,
                event_key=f"batch:{batch.batch_key}",
                subject=batch.batch_key,
                asset=None,
                partition_key=batch.batch_key,
                job_name=batch.job_name,
                error_type="BatchNeverStarted",
                error_message=reason,
                payload=batch_letter(store, batch.batch_key),
            )
            fail_batch(store, batch.batch_key, reason)
            store.update_batch(batch.batch_key, status="dead")
            continue
        store.update_batch(batch.batch_key, attempts=batch.attempts + 1)
        runs.append(
            batch_run_request(batch.batch_key, batch.job_name, {"skillbridge/source": "requeue"})
        )
    return runs
