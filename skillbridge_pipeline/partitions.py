"""The one partition set of the pipeline, batches (documents of one kind, or analysis
requests), and the run tags that name a batch.

Every batch-level asset (raw_*, *_texts, *_skills, skill_gaps, roadmaps) is partitioned by it,
so a run that extracts new resumes can score the requests waiting on them in the same run and
the same partition. A key's first part says what the batch holds; each asset materialises only
the batches of its kind. Documents and requests find their batch in the results store.
"""

from dagster import DynamicPartitionsDefinition, RunRequest

BATCHES = DynamicPartitionsDefinition(name="batches")
BATCH_TAG = "skillbridge/batch"
STRICT_TAG = "skillbridge/strict"  # a replayed document alone: its failure fails the run


def batch_run_request(
    batch_key: str, job_name: str, tags: dict[str, str] | None = None
) -> RunRequest:
    """The batch's run. The run key is the batch key: a re-requested batch is de-duplicated."""
    return RunRequest(
        run_key=batch_key,
        job_name=job_name,
        partition_key=batch_key,
        tags={BATCH_TAG: batch_key, **(tags or {})},
    )
