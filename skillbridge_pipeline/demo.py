"""`skillbridge demo`: the main job on the embedded default, start to finish.

Copies the sample documents into the inbox, evaluates the real inbox sensor, then executes the
runs it asks for in this process against the project's Dagster instance (so they appear in the
UI), and prints what was found.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from dagster import DagsterInstance, build_sensor_context

from skillbridge_pipeline.core.documents import KIND_FOLDERS
from skillbridge_pipeline.core.taxonomy import CATEGORIES, DATA_DIR
from skillbridge_pipeline.settings import skillbridge_home

SAMPLES_DIR = DATA_DIR / "samples"


def copy_samples(inbox: Path, samples: Path = SAMPLES_DIR) -> int:
    copied = 0
    for folder in KIND_FOLDERS.values():
        target = inbox / folder
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted((samples / folder).glob("*")):
            if source.is_file() and not source.name.startswith("."):
                shutil.copyfile(source, target / source.name)
                copied += 1
    return copied


def run_pending(
    instance: DagsterInstance, defs, max_ticks: int = 50, log_level: str = "WARNING"
) -> list[tuple[str, bool]]:
    """Evaluate the inbox sensor until it has nothing to do, executing each run it requests
    in process. Returns (run id, success) per run."""
    from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor

    sensor = defs.resolve_sensor_def(document_inbox_sensor.name)
    resources = defs.resources
    runs = []
    for _ in range(max_ticks):
        with build_sensor_context(instance=instance, resources=resources) as context:
            result = sensor(context)
        if not hasattr(result, "run_requests"):
            break
        for request in result.dynamic_partitions_requests or []:
            existing = set(instance.get_dynamic_partitions(request.partitions_def_name))
            new = [k for k in request.partition_keys if k not in existing]
            if new:
                instance.add_dynamic_partitions(request.partitions_def_name, new)
        for request in result.run_requests:
            job = defs.resolve_job_def(request.job_name)
            outcome = job.execute_in_process(
                instance=instance,
                partition_key=request.partition_key,
                tags=request.tags,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
                raise_on_error=False,
            )
            runs.append((outcome.run_id, outcome.success))
    return runs


def summary(store) -> str:
    counts = store.status_counts()
    lines = ["", "SkillBridge demo — embedded default", "=" * 36]
    for kind, folder in KIND_FOLDERS.items():
        by_status = {s: n for (k, s), n in counts.items() if k == kind}
        total = sum(by_status.values())
        detail = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
        lines.append(f"{folder:>8}: {total} documents ({detail or 'none'})")
    categories = store.category_counts()
    lines += ["", "Skills found per category (all documents):"]
    for key, label in CATEGORIES.items():
        lines.append(f"  {label:<22} {categories.get(key, 0):>5}")
    lines += ["", "Per document:"]
    with store.engine.connect() as conn:
        from sqlalchemy import select

        from skillbridge_pipeline.core.store import documents

        rows = conn.execute(
            select(documents).order_by(documents.c.kind, documents.c.filename)
        ).all()
    for row in rows:
        if row.status == "extracted":
            skills = store.document_skills(row.kind, row.doc_id)
            top = Counter({s["name"]: s["confidence"] for s in skills}).most_common(8)
            extra = f" [{row.role_family}, {row.seniority}]" if row.kind == "jd" else ""
            lines.append(
                f"  {row.kind:<6} {row.filename}{extra}: {len(skills)} skills — "
                + ", ".join(name for name, _ in top)
            )
        else:
            lines.append(f"  {row.kind:<6} {row.filename}: {row.status.upper()} — {row.error}")
    return "\n".join(lines)


def run_demo() -> int:
    from skillbridge_pipeline.definitions import defs

    home = skillbridge_home()
    instance = DagsterInstance.get()
    copied = copy_samples(home / "inbox")
    print(f"Copied {copied} sample documents into {home / 'inbox'}")
    runs = run_pending(instance, defs)
    ok = sum(1 for _, success in runs if success)
    print(
        f"Executed {len(runs)} runs ({ok} succeeded, {len(runs) - ok} failed visibly "
        f"for bad documents) on the Dagster instance in {instance.root_directory}"
    )
    store_resource = defs.resources["results_store"]
    from skillbridge_pipeline.core.store import ResultsStore

    store = ResultsStore(store_resource.url)
    store.create_schema()
    print(summary(store))
    print(
        "\nSee the runs, asset lineage and checks in the Dagster UI: `skillbridge dev`, then open "
        "http://127.0.0.1:3000"
    )
    store.dispose()
    return 0
