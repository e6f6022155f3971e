"""Retries and the failure hook that feeds the dead-letter queue, for every job."""

from dagster import (
    Backoff,
    DagsterEventType,
    HookContext,
    Jitter,
    RetryPolicy,
    failure_hook,
)

from skillbridge_pipeline.core import dead_letters
from skillbridge_pipeline.metrics import ANALYSIS_COMPLETED_TOTAL

GAPS_JOB_NAME = "gaps_job"
RESUMES_AND_GAPS_JOB_NAME = "resumes_and_gaps_job"
SCORING_JOB_NAMES = (GAPS_JOB_NAME, RESUMES_AND_GAPS_JOB_NAME)  # runs that score requests

# Storage, the vector store, the LLM and page fetches fail transiently; a permanent error (a
# corrupt document) raises Failure(allow_retries=False) and is not retried.
TRANSIENT_RETRIES = RetryPolicy(
    max_retries=3, delay=0.5, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)


@failure_hook(required_resource_keys={"results_store", "landing"})
def record_dead_letter(context: HookContext) -> None:
    """One DLQ row per failed step (after its retries), keyed by what it was processing; spooled
    locally when the results store is what failed."""
    from skillbridge_pipeline.sensors.run_failure_sensor import run_partition

    run = context.instance.get_run_by_id(context.run_id)
    partition = run_partition(run.tags if run else {})
    restarts = sum(
        1
        for record in context.instance.all_logs(
            context.run_id, of_type=DagsterEventType.STEP_RESTARTED
        )
        if record.step_key == context.step_key
    )
    error = context.op_exception
    results_store = context.resources.results_store
    payload = None
    if partition and ".." not in partition:
        kind = "resume" if context.job_name.startswith(("resumes", "gaps")) else "jd"
        kept = context.resources.landing.landing.find(kind, partition)
        payload = str(kept) if kept else None
    recorded = dead_letters.record_or_spool(
        results_store.store,
        results_store.spool,
        event_key=f"{context.job_name}:{context.step_key}:{partition or '-'}",
        subject=partition,
        asset=context.step_key,
        partition_key=partition,
        job_name=context.job_name,
        run_id=context.run_id,
        error_type=type(error).__name__ if error else "Unknown",
        error_message=_message(error),
        attempts=restarts + 1,
        payload=payload,
    )
    if recorded is None:
        context.log.warning("the results store is down: dead letter spooled for later")
    elif context.job_name in SCORING_JOB_NAMES and partition:
        # The requests being scored are failed with the reason (their sessions are told);
        # `skillbridge dlq replay` puts them back to scoring.
        from skillbridge_pipeline.sensors.batching import partition_keys

        resumes = partition_keys(context.instance, "resumes", partition)
        reason = f"{type(error).__name__ if error else 'Unknown'}: {_message(error)}"
        failed = results_store.store.fail_scoring(resumes, reason)
        ANALYSIS_COMPLETED_TOTAL.labels(outcome="failed").inc(failed)


def _message(error: BaseException | None) -> str:
    if error is None:
        return "the step failed without an exception"
    description = getattr(error, "description", None)
    return description or str(error) or type(error).__name__
