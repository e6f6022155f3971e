"""Replaying dead letters as fresh runs; a successful replay resolves the row.

A document's letter re-runs that document alone: a new one-document batch in strict mode, so
if it fails again the run fails visibly in the UI (and its failure is recorded again); a JD
page's letter fetches that page again the same way. A
batch's letter (a run that failed after its retries) re-runs the batch under a fresh run.
"""

from __future__ import annotations

from skillbridge_pipeline.core.documents.batches import new_batch_key
from skillbridge_pipeline.core.store import ResultsStore, dead_letters
from skillbridge_pipeline.demo import execute
from skillbridge_pipeline.jobs import DOCUMENT_JOBS
from skillbridge_pipeline.partitions import BATCH_TAG, STRICT_TAG


def replay(instance, defs, store: ResultsStore, ids: list[int]) -> list[tuple[int, bool, str]]:
    """(dead letter id, success, run id) per replayed row. Rows without a job are skipped."""
    outcomes = []
    for dead_letter_id in ids:
        letter = dead_letters.get(store, dead_letter_id)
        if letter is None or not letter.job_name:
            continue
        tags = {"skillbridge/replay_of": str(letter.id)}
        job_name, batch = letter.job_name, letter.partition_key
        if letter.event_key.startswith("document:"):
            _, kind, doc_id = letter.event_key.split(":", 2)
            batch, job_name = new_batch_key(kind), DOCUMENT_JOBS[kind].name
            store.claim_document_alone(kind, doc_id, batch, job_name)
            instance.add_dynamic_partitions("batches", [batch])
            tags[STRICT_TAG] = "true"
        elif letter.event_key.startswith("page:"):
            batch = new_batch_key("page")
            store.refetch_alone(letter.subject, batch, job_name)
            instance.add_dynamic_partitions("batches", [batch])
            tags[STRICT_TAG] = "true"
        elif batch:
            store.requeue_held_requests(batch)
            store.update_batch(batch, status="dispatched", error=None)
        run_key = f"replay-{letter.id}-{letter.attempts}"
        dead_letters.set_status(store, [letter.id], "replayed", replay_run_key=run_key)
        run_id, success = execute(
            instance, defs, job_name, batch, {**tags, **({BATCH_TAG: batch} if batch else {})}
        )
        if success:
            dead_letters.set_status(store, [letter.id], "resolved")
        outcomes.append((letter.id, success, run_id))
    return outcomes
