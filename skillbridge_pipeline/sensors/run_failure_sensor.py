"""Dead letters for runs that died before any step could fail (crash, lost worker, a run
that could not start): the failure hook never fired for them, so this sensor records them and
fails their batch with the reason, so no document or request waits forever."""

from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    RunFailureSensorContext,
    run_failure_sensor,
)
from dagster._core.storage.tags import PARTITION_NAME_TAG

from skillbridge_pipeline.core.store import dead_letters
from skillbridge_pipeline.hooks import batch_letter, fail_batch
from skillbridge_pipeline.resources import ResultsStoreResource


@run_failure_sensor(
    name="run_failure_dead_letters",
    default_status=DefaultSensorStatus.RUNNING,
    description="Records failed runs that no step failure explains in the dead-letter queue.",
)
def run_failure_dead_letters(
    context: RunFailureSensorContext, results_store: ResultsStoreResource
) -> None:
    run = context.dagster_run
    if context.instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_FAILURE):
        return  # the failure hook has recorded it, with the step's own error
    batch = run.tags.get(PARTITION_NAME_TAG)
    store = results_store.store
    message = context.failure_event.message or "the run failed before any step did"
    recorded = dead_letters.record_or_spool(
        store,
        results_store.spool,
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
