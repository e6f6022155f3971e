"""Dead letters for runs that died before any step could fail (crash, lost worker, a run
that could not start): the failure hook never fired for them, so this sensor records them and
fails their batch with the reason, so no document or request waits forever."""

from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    RunFailureSensorContext,
    run_failure_sensor,
)

from skillbridge_pipeline.hooks import dead_letter_run
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
    message = context.failure_event.message or "the run failed before any step did"
    dead_letter_run(results_store.store, results_store.spool, run, message)
