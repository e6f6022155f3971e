"""Retries, the failure hook that feeds the dead-letter queue for every job, and the recovery
of runs whose process died under them."""

import json
import os
import socket
from contextlib import suppress
from pathlib import Path

from dagster import (
    Backoff,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    Failure,
    HookContext,
    Jitter,
    RetryPolicy,
    RunsFilter,
    failure_hook,
)
from dagster._core.storage.tags import PARTITION_NAME_TAG
from sqlalchemy.exc import OperationalError

from skillbridge_pipeline.core.store import ResultsStore, dead_letters
from skillbridge_pipeline.metrics import ANALYSIS_COMPLETED_TOTAL

# Which process executes a run in-process ("host:pid"): a run still `started` whose process is
# gone was killed (SIGKILL, out of memory) and no one else will ever end it.
EXECUTOR_TAG = "skillbridge/executed_by"

# Storage, the vector store, the LLM and page fetches fail transiently; a bad document never
# raises out of a batch, and in strict mode raises Failure(allow_retries=False): not retried.
TRANSIENT_RETRIES = RetryPolicy(
    max_retries=3, delay=0.5, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)
# A site that is down or overloaded is given about half a minute to come back.
PAGE_RETRIES = RetryPolicy(
    max_retries=3, delay=5, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)


def step_coordinates(context) -> dict[str, str]:
    """Where a dead letter written inside an asset step comes from: asset, batch, job, run."""
    return {
        "asset": context.asset_key.to_user_string(),
        "partition_key": context.partition_key,
        "job_name": context.job_name,
        "run_id": context.run.run_id,
    }


def fail_batch(store: ResultsStore, batch_key: str, reason: str) -> list[str]:
    """A batch whose run failed for good: the batch, its documents not yet done and the
    requests it was scoring or fetching fail with the reason (sessions are told); nothing stays
    queued without one. Returns the documents it failed; `skillbridge dlq replay` resumes all."""
    store.update_batch(batch_key, status="failed", error=reason[:2000])
    failed = store.fail_unfinished(batch_key, f"its batch's run failed: {reason}")
    held = store.fail_held_requests(batch_key, reason)
    ANALYSIS_COMPLETED_TOTAL.labels(outcome="failed").inc(held)
    return failed


def fail_requests(store: ResultsStore, request_ids: list[str], reason: str) -> None:
    """Requests that cannot be scored fail with the reason (their sessions are told)."""
    store.set_request_status(request_ids, "failed", error=reason)
    ANALYSIS_COMPLETED_TOTAL.labels(outcome="failed").inc(len(request_ids))


def batch_letter(store: ResultsStore, batch_key: str | None) -> str | None:
    """A batch's dead-letter payload: the documents it holds (their bytes are in landing), or
    the JD pages it was to fetch."""
    if not batch_key:
        return None
    documents = [f"{d.kind}:{d.doc_id}" for d in store.batch_documents(batch_key)]
    letter: dict = {"batch": batch_key, "documents": documents}
    if pages := [r.jd_url for r in store.requests_in_batch(batch_key) if r.jd_url]:
        letter["pages"] = pages
    return json.dumps(letter)


def dead_letter_run(store: ResultsStore, spool: Path | None, run: DagsterRun, message: str) -> None:
    """A run that failed with no step failure to explain it (it never started, its worker was
    lost, its process was killed): one dead letter for its batch, and the batch failed with the
    reason, so nothing it held waits forever; `skillbridge dlq replay` runs the batch again."""
    batch = run.tags.get(PARTITION_NAME_TAG)
    recorded = dead_letters.record_or_spool(
        store,
        spool,
        event_key=f"{run.job_name}:run:{batch or run.run_id}",
        subject=batch,
        asset=None,
        partition_key=batch,
        job_name=run.job_name,
        run_id=run.run_id,
        error_type="RunFailure",
        error_message=message,
        payload=batch_letter(store, batch),
    )
    if recorded is not None and batch:
        fail_batch(store, batch, f"RunFailure: {message}")


def recover_abandoned_runs(
    instance: DagsterInstance, store: ResultsStore, spool: Path | None
) -> list[str]:
    """Runs executed in-process on this host whose process has died mid-run: failed in the
    instance, their batches dead-lettered with the reason (`dlq replay` runs them again), so no
    document stays queued for good. Returns their run ids."""
    unfinished = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]
    recovered = []
    for run in instance.get_runs(RunsFilter(statuses=unfinished)):
        host, _, pid = run.tags.get(EXECUTOR_TAG, "").rpartition(":")
        if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
            continue
        message = (
            f"the process that ran it (pid {pid}) ended before the run did: killed, out of "
            "memory or a lost machine"
        )
        instance.report_run_failed(run, message)
        dead_letter_run(store, spool, run, message)
        recovered.append(run.run_id)
    return recovered


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@failure_hook(required_resource_keys={"results_store"})
def record_dead_letter(context: HookContext) -> None:
    """One DLQ row per failed step (after its retries), naming its batch and the batch's
    documents; spooled locally when the results store is what failed."""
    run = context.instance.get_run_by_id(context.run_id)
    batch = (run.tags if run else {}).get(PARTITION_NAME_TAG)
    error = context.op_exception
    store = context.resources.results_store.store
    reason = f"{type(error).__name__ if error else 'Unknown'}: {_message(error)}"
    if isinstance(error, Failure) and {"doc_id", "request_id"} & set(error.metadata or {}):
        # A document or page replayed alone failed again: its own dead letter says so already.
        if batch:
            fail_batch(store, batch, reason)
        return
    restarts = sum(
        1
        for record in context.instance.all_logs(
            context.run_id, of_type=DagsterEventType.STEP_RESTARTED
        )
        if record.step_key == context.step_key
    )
    letter = {
        "event_key": f"{context.job_name}:{context.step_key}:{batch or '-'}",
        "subject": batch,
        "asset": context.step_key,
        "partition_key": batch,
        "job_name": context.job_name,
        "run_id": context.run_id,
        "error_type": type(error).__name__ if error else "Unknown",
        "error_message": _message(error),
        "attempts": restarts + 1,
    }
    with suppress(OperationalError):  # the store is down: spooled without the list
        letter["payload"] = batch_letter(store, batch)
    recorded = dead_letters.record_or_spool(store, context.resources.results_store.spool, **letter)
    if recorded is None:
        context.log.warning("the results store is down: dead letter spooled for later")
    elif batch:
        fail_batch(store, batch, reason)


def _message(error: BaseException | None) -> str:
    if error is None:
        return "the step failed without an exception"
    description = getattr(error, "description", None)
    return description or str(error) or type(error).__name__
