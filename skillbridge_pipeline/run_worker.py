"""The Celery app that production's run launcher hands runs to (dagster-celery's
`CeleryRunLauncher`, configured in deploy/production/dagster.yaml):

    celery -A skillbridge_pipeline.run_worker worker -Q $SKILLBRIDGE_CELERY_QUEUE

Each worker process executes one whole run at a time and stays up between runs. A fresh run
process paid ~7 s before its first step (importing Dagster, the code location, Great
Expectations for the blocking checks and torch for the model, and building the skill matcher);
a worker does it once, before its pool forks, so every run finds them ready. Workers on any
number of hosts consume one queue: this is how production spreads runs over machines. Broker
and result backend are Redis URLs from the environment (SKILLBRIDGE_CELERY_BROKER,
SKILLBRIDGE_CELERY_BACKEND).

This module is the worker's entry point only (the celery CLI imports it by name): no other module
imports it, so the app it makes at import time costs nothing elsewhere.
"""

from __future__ import annotations

import importlib
import os

from celery.signals import worker_init
from dagster_celery.config import DEFAULT_CONFIG
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_execute_job_task, create_resume_job_task

# Libraries a run imports on its way to an analysis, beyond the code location itself.
WARM_MODULES = ("great_expectations", "torch", "skillbridge_pipeline.ml_training.model")


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set: the run worker needs the broker the launcher uses")
    return value


app = make_app(
    app_args={
        "broker": _setting("SKILLBRIDGE_CELERY_BROKER"),
        "backend": _setting("SKILLBRIDGE_CELERY_BACKEND"),
        "config_source": DEFAULT_CONFIG,
        "task_default_queue": _setting("SKILLBRIDGE_CELERY_QUEUE"),
    }
)
execute_job = create_execute_job_task(app)
resume_job = create_resume_job_task(app)


@worker_init.connect
def _load_before_fork(**_) -> None:
    """In the worker's main process: its pool processes fork from it with the code location,
    these libraries and the skill matcher loaded."""
    from skillbridge_pipeline.definitions import defs
    from skillbridge_pipeline.resources import shared_extractor

    for module in WARM_MODULES:
        importlib.import_module(module)
    matcher = defs.resources["skill_extractor"]
    shared_extractor(matcher.taxonomy_dir, matcher.min_confidence)
