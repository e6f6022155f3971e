"""Replaying dead letters: re-run the failed partitions as fresh runs; resolve on success."""

from __future__ import annotations

from skillbridge_pipeline.core import dead_letters
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.demo import execute
from skillbridge_pipeline.hooks import SCORING_JOB_NAMES
from skillbridge_pipeline.sensors.batching import partition_keys


def replay(instance, defs, store: ResultsStore, ids: list[int]) -> list[tuple[int, bool, str]]:
    """(dead letter id, success, run id) per replayed row. Rows without a job are skipped."""
    outcomes = []
    for dead_letter_id in ids:
        letter = dead_letters.get(store, dead_letter_id)
        if letter is None or not letter.job_name:
            continue
        tags = {"skillbridge/replay_of": str(letter.id)}
        partition = letter.partition_key
        if partition and ".." in partition:
            start, end = partition.split("..", 1)
            tags |= {
                "dagster/asset_partition_range_start": start,
                "dagster/asset_partition_range_end": end,
            }
            partition = None
        if letter.job_name in SCORING_JOB_NAMES and letter.partition_key:
            resumes = partition_keys(instance, "resumes", letter.partition_key)
            store.requeue_failed_scoring(resumes)
        run_key = f"replay-{letter.id}-{letter.attempts}"
        dead_letters.set_status(store, [letter.id], "replayed", replay_run_key=run_key)
        run_id, success = execute(instance, defs, letter.job_name, partition, tags)
        if success:
            dead_letters.set_status(store, [letter.id], "resolved")
        outcomes.append((letter.id, success, run_id))
    return outcomes
