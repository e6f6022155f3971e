"""Dead letters for runs that died before any step could fail (crash, lost worker, a run
that could not start): the failure hook never fired for them, so this sensor records them."""

from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    RunFailureSensorContext,
    run_failure_sensor,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from skillbridge_pipeline.core import dead_letters
from skillbridge_pipeline.resources import ResultsStoreResource


def run_partition(tags: dict) -> str | None:
    if PARTITION_NAME_TAG in tags:
        return tags[PARTITION_NAME_TAG]
    if ASSET_PARTITION_RANGE_START_TAG in tags:
        return f"{tags[ASSET_PARTITION_RANGE_START_TAG]}..{tags[ASSET_PARTITION_RANGE_END_TAG]}"
    return None


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
    partition = run_partition(run.tags)
    store = results_store.store
    dead_letters.record_or_spool(
        store,
        results_store.spool,
        event_key=f"{run.job_name}:run:{partition or run.run_id}",
        subject=partition,
        asset=None,
        partition_key=partition,
        job_name=run.job_name,
        run_id=run.run_id,
        error_type="RunFailure",
        error_message=context.failure_event.message or "the run failed before any step did",
    )
