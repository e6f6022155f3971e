"""Replaying dead letters as fresh runs; a successful replay resolves the row.

A document's letter re-runs that document alone: a new one-document batch in strict mode, so
if it fails again the run fails visibly in the UI (and its failure is recorded again); a JD
page's letter fetches that page again the same way. A batch's letter (a run that failed after
its retries) re-runs the batch under a fresh run.

Two ways to run the replay: in this process (the embedded default, where no daemon need be
running: the answer is known when `replay` returns), or through the instance's run coordinator
and launcher with `dagster job launch` (production: the daemon dequeues it and the configured
launcher runs it — a container with DockerRunLauncher — like every other run). A launched
replay stays `replayed`; its run's outcome is in the Dagster UI and `skillbridge status`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from dagster._core.storage.tags import PARTITION_NAME_TAG

from skillbridge_pipeline.core.documents.batches import new_batch_key
from skillbridge_pipeline.core.store import ResultsStore, dead_letters
from skillbridge_pipeline.demo import execute
from skillbridge_pipeline.jobs import DOCUMENT_JOBS
from skillbridge_pipeline.partitions import BATCH_TAG, STRICT_TAG
from skillbridge_pipeline.settings import PROJECT_ROOT

REPLAY_TAG = "skillbridge/replay_of"
# (job name, partition key, tags) -> run id: a run submitted to the instance's launcher.
Launch = Callable[[str, str | None, dict[str, str]], str]


def launch_with_run_launcher(job_name: str, partition_key: str | None, tags: dict) -> str:
    """Submit the run as the UI would: `dagster job launch` on this project's workspace."""
    run_id = str(uuid.uuid4())
    if partition_key:
        tags = {**tags, PARTITION_NAME_TAG: partition_key}
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "job", "launch", "-w", str(PROJECT_ROOT / "workspace.yaml")]
    command += ["-j", job_name, "--tags", json.dumps(tags), "--run-id", run_id]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"dagster job launch failed for {job_name}: {last}")
    return run_id


def replay(
    instance, defs, store: ResultsStore, ids: list[int], launch: Launch | None = None
) -> list[tuple[int, bool | None, str]]:
    """(dead letter id, success, run id) per replayed row; success is None for a run handed
    to the launcher (not finished yet). Rows without a job are skipped."""
    outcomes = []
    for dead_letter_id in ids:
        letter = dead_letters.get(store, dead_letter_id)
        if letter is None or not letter.job_name:
            continue
        tags = {REPLAY_TAG: str(letter.id)}
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
        if batch:
            tags[BATCH_TAG] = batch
        run_key = f"replay-{letter.id}-{letter.attempts}"
        dead_letters.set_status(store, [letter.id], "replayed", replay_run_key=run_key)
        if launch is not None:
            outcomes.append((letter.id, None, launch(job_name, batch, tags)))
            continue
        run_id, success = execute(instance, defs, job_name, batch, tags)
        if success:
            dead_letters.set_status(store, [letter.id], "resolved")
        outcomes.append((letter.id, success, run_id))
    return outcomes
