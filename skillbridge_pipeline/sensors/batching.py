"""One run over a batch of consecutive partitions: how both sensors turn bursts into few runs."""

from collections.abc import Sequence

from dagster import RunRequest
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)


def range_run_request(
    job_name: str, keys: Sequence[str], run_key: str, tags: dict[str, str]
) -> RunRequest:
    """A run of `job_name` over `keys`, which must be consecutive in their dynamic partition
    set: a single partition, or a range its single-run backfill policy executes at once."""
    if len(keys) == 1:
        return RunRequest(run_key=run_key, job_name=job_name, partition_key=keys[0], tags=tags)
    return RunRequest(
        run_key=run_key,
        job_name=job_name,
        tags={
            **tags,
            ASSET_PARTITION_RANGE_START_TAG: keys[0],
            ASSET_PARTITION_RANGE_END_TAG: keys[-1],
        },
    )


def partition_keys(instance, partitions_def_name: str, partition: str) -> list[str]:
    """The keys a run's partition (one key, or a `first..last` range) stands for."""
    if ".." not in partition:
        return [partition]
    start, end = partition.split("..", 1)
    keys = instance.get_dynamic_partitions(partitions_def_name)
    if start not in keys or end not in keys:
        return []
    return keys[keys.index(start) : keys.index(end) + 1]
