"""`skillbridge demo`: the main job on the embedded default, start to finish.

Copies the sample documents into the inbox, evaluates the real inbox sensor, then executes the
runs it asks for in this process against the project's Dagster instance (so they appear in the
UI), and prints what was found.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from dagster import (
    DagsterInstance,
    DeleteDynamicPartitionsRequest,
    RunStatusSensorDefinition,
    build_sensor_context,
)
from dagster._core.storage.tags import SENSOR_NAME_TAG

from skillbridge_pipeline.core.documents.identity import KIND_FOLDERS, document_id
from skillbridge_pipeline.core.documents.intake import write_request
from skillbridge_pipeline.core.roadmaps.engine import plan_lines
from skillbridge_pipeline.core.skills.taxonomy import CATEGORIES, DATA_DIR
from skillbridge_pipeline.hooks import EXECUTOR_TAG
from skillbridge_pipeline.settings import PROJECT_ROOT, skillbridge_home

SAMPLES_DIR = DATA_DIR / "samples"
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"  # the code location `skillbridge dev` serves


def copy_samples(inbox: Path, samples: Path = SAMPLES_DIR, requests: bool = True) -> int:
    """Sample documents into the inbox and, with `requests`, the sample analysis requests."""
    copied = 0
    for folder in KIND_FOLDERS.values():
        target = inbox / folder
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted((samples / folder).glob("*")):
            if source.is_file() and not source.name.startswith("."):
                shutil.copyfile(source, target / source.name)
                copied += 1
    if requests:
        for number, pair in enumerate(json.loads((samples / "requests.json").read_text())):
            write_request(
                inbox,
                document_id((samples / "resumes" / pair["resume"]).read_bytes()),
                document_id((samples / "jds" / pair["jd"]).read_bytes()),
                pair.get("session_id"),
                name=f"sample-{number}.json",
            )
    return copied


def run_pending(
    instance: DagsterInstance,
    defs,
    max_ticks: int = 50,
    log_level: str = "WARNING",
    on_run: Callable[[str, bool], None] | None = None,
) -> list[tuple[str, bool]]:
    """Evaluate the sensors until none has anything to do, executing each run they request in
    this process (what the daemon would launch), keeping each sensor's cursor between ticks as
    the daemon does. Returns (run id, success) per run; `on_run` hears of each."""
    sensors = [
        defs.resolve_sensor_def(s.name)
        for s in defs.sensors or []
        if not isinstance(s, RunStatusSensorDefinition)  # those react to runs, not ticks
    ]
    cursors: dict[str, str | None] = {}
    runs = []
    for _ in range(max_ticks):
        progressed = False
        for sensor in sensors:
            # Only what the sensor asks for, as the daemon gives it (building the extractor or
            # the embedder for every tick would cost seconds).
            needed = {k: defs.resources[k] for k in sensor.required_resource_keys}
            with build_sensor_context(
                instance=instance, resources=needed, cursor=cursors.get(sensor.name)
            ) as context:
                result = sensor(context)
            cursor = getattr(result, "cursor", None) or context.cursor
            progressed |= cursor != cursors.get(sensor.name)
            cursors[sensor.name] = cursor
            if not hasattr(result, "run_requests"):
                continue
            for request in result.dynamic_partitions_requests or []:
                apply_partitions_request(instance, request)
            for request in result.run_requests:
                runs.append(
                    execute(
                        instance,
                        defs,
                        request.job_name,
                        request.partition_key,
                        # as the daemon tags it: the UI says which sensor launched the run
                        {SENSOR_NAME_TAG: sensor.name, **request.tags},
                        log_level,
                    )
                )
                if on_run:
                    on_run(*runs[-1])
                progressed = True
        if not progressed:
            break
    return runs


def apply_partitions_request(instance: DagsterInstance, request) -> None:
    """What the daemon does with a sensor's dynamic-partitions request."""
    name = request.partitions_def_name
    if isinstance(request, DeleteDynamicPartitionsRequest):
        for key in request.partition_keys:
            instance.delete_dynamic_partition(name, key)
    elif request.partition_keys:
        instance.add_dynamic_partitions(name, list(request.partition_keys))


def execute(
    instance: DagsterInstance,
    defs,
    job_name: str,
    partition_key: str | None = None,
    tags: dict | None = None,
    log_level: str = "WARNING",
) -> tuple[str, bool]:
    """Execute a run of `job_name` in this process, created as the workspace's code location
    would create it (`workspace_origin`): the UI links it to the location, lists it under the
    job and can re-execute it, as it does the daemon's runs. `execute_in_process` makes runs
    without an origin, which the UI shows as launched from nowhere."""
    from dagster._core.definitions.job_base import InMemoryJob
    from dagster._core.execution.api import create_execution_plan, execute_run
    from dagster._core.execution.execute_in_process import merge_run_tags

    job = defs.resolve_job_def(job_name)
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    run_tags = merge_run_tags(
        job_def=job,
        partition_key=partition_key,
        tags={EXECUTOR_TAG: f"{socket.gethostname()}:{os.getpid()}", **(tags or {})},
        asset_selection=None,
        instance=instance,
        run_config=run_config,
    )
    remote_origin, code_origin = workspace_origin(job_name)
    run = instance.create_run_for_job(
        job_def=job,
        execution_plan=create_execution_plan(
            job,
            run_config=run_config,
            instance_ref=instance.get_ref() if instance.is_persistent else None,
            tags=run_tags,
        ),
        run_config=run_config,
        tags=run_tags,
        remote_job_origin=remote_origin,
        job_code_origin=code_origin,
    )
    result = execute_run(InMemoryJob(job), run, instance)
    return run.run_id, result.success


def workspace_origin(job_name: str, workspace: Path = WORKSPACE_FILE):
    """(remote origin, code origin) of `job_name` as the code location that `workspace.yaml`
    declares loads it: its location name is what the UI matches a run to."""
    from dagster._core.origin import JobPythonOrigin

    repository, code = _workspace_repository(workspace)
    return repository.get_job_origin(job_name), JobPythonOrigin(job_name, code)


@functools.cache
def _workspace_repository(workspace: Path):
    """The repository origins of the workspace's one `python_module` location, read once per
    process (every run the CLI executes asks)."""
    import sys

    import yaml
    from dagster._core.code_pointer import ModuleCodePointer
    from dagster._core.definitions.repository_definition.valid_definitions import (
        SINGLETON_REPOSITORY_NAME,
    )
    from dagster._core.origin import RepositoryPythonOrigin
    from dagster._core.remote_origin import (
        ManagedGrpcPythonEnvCodeLocationOrigin,
        RemoteRepositoryOrigin,
    )
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    [entry] = yaml.safe_load(workspace.read_text(encoding="utf-8"))["load_from"]
    target = entry["python_module"]
    module, location = target["module_name"], target["location_name"]
    directory = str(workspace.parent)
    loadable = LoadableTargetOrigin(
        executable_path=sys.executable, module_name=module, working_directory=directory
    )
    remote = RemoteRepositoryOrigin(
        ManagedGrpcPythonEnvCodeLocationOrigin(loadable, location), SINGLETON_REPOSITORY_NAME
    )
    code = RepositoryPythonOrigin(
        executable_path=sys.executable, code_pointer=ModuleCodePointer(module, "defs", directory)
    )
    return remote, code


def ensure_model(instance: DagsterInstance, defs) -> tuple[str, bool] | None:
    """Train the gap model (embed the taxonomy, build examples, train) if none exists yet."""
    if defs.resources["models"].registry.latest_version():
        return None
    return execute(instance, defs, "train_gap_model_job")


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

        from skillbridge_pipeline.core.store.documents import documents

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


def analyses_summary(store, top: int = 5) -> str:
    lines = ["", "Analyses (top gaps by priority):"]
    for pair in json.loads((SAMPLES_DIR / "requests.json").read_text()):
        resume_id = document_id((SAMPLES_DIR / "resumes" / pair["resume"]).read_bytes())
        jd_id = document_id((SAMPLES_DIR / "jds" / pair["jd"]).read_bytes())
        result = store.get_analysis(resume_id, jd_id)
        if result is None:
            lines.append(f"  {pair['resume']} x {pair['jd']}: not scored")
            continue
        lines.append(
            f"  {pair['resume']} x {pair['jd']}: overall match "
            f"{result['overall_match']:.0%} ({len(result['matched_skills'])} matched, "
            f"{len(result['partial_skills'])} partial, "
            f"{len(result['missing_skills'])} missing)"
        )
        for gap in result["skill_gaps"][:top]:
            closest = gap["closest_resume_skill"]
            near = f", closest: {closest['name']} {closest['similarity']:.2f}" if closest else ""
            lines.append(
                f"    {gap['priority_level']:<8} {gap['priority_score']:.2f}  "
                f"{gap['name']} [{gap['coverage']}{near}]"
            )
        lines += roadmap_lines(store.get_roadmap(resume_id, jd_id))
    return "\n".join(lines)


def roadmap_lines(stored: dict | None) -> list[str]:
    if not stored:
        return ["    (no roadmap yet)"]
    lines = ["    " + line for line in plan_lines(stored["roadmap"], not_yet=5)]
    return lines + [f"    resume: {s['suggested']}" for s in stored["suggestions"][:2]]


def run_demo() -> int:
    from skillbridge_pipeline.definitions import defs

    home = skillbridge_home()
    instance = DagsterInstance.get()
    copied = copy_samples(home / "inbox")
    print(f"Copied {copied} sample documents into {home / 'inbox'}")
    trained = ensure_model(instance, defs)
    if trained:
        print(
            f"Trained the gap model (run {trained[0][:8]}, "
            f"{'succeeded' if trained[1] else 'FAILED'})"
        )
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
    print(analyses_summary(store))
    print(
        "\nSee the runs, asset lineage and checks in the Dagster UI: `skillbridge dev`, then open "
        "http://127.0.0.1:3000"
    )
    store.dispose()
    return 0
