"""The one Definitions object of the code location."""

from dagster import Definitions, in_process_executor

from skillbridge_pipeline.assets.documents import DOCUMENT_ASSETS
from skillbridge_pipeline.assets.features import gap_features, skill_embeddings
from skillbridge_pipeline.assets.gaps import skill_gaps
from skillbridge_pipeline.assets.pages import jd_pages
from skillbridge_pipeline.assets.roadmaps import learning_resources, roadmaps
from skillbridge_pipeline.jobs import ALL_JOBS
from skillbridge_pipeline.ml_training.assets import gap_model, gap_training_examples, skill_vectors
from skillbridge_pipeline.resources import resources_for
from skillbridge_pipeline.sensors.analysis_sensor import analysis_sensor
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor
from skillbridge_pipeline.sensors.kafka_sensor import kafka_sensor
from skillbridge_pipeline.sensors.run_failure_sensor import run_failure_dead_letters
from skillbridge_pipeline.settings import selected_environment


def build_definitions(resources: dict) -> Definitions:
    """The whole project over a given resource set (tests pass their own).

    Runs execute their steps in the run's own process: every job is a chain of steps, so a
    process per step (Dagster's default) would only add a code-location start per step."""
    return Definitions(
        executor=in_process_executor,
        assets=[
            jd_pages,
            *(asset for assets in DOCUMENT_ASSETS.values() for asset in assets),
            skill_vectors,
            gap_training_examples,
            gap_model,
            skill_embeddings,
            gap_features,
            skill_gaps,
            learning_resources,
            roadmaps,
        ],
        jobs=ALL_JOBS,
        sensors=[document_inbox_sensor, kafka_sensor, analysis_sensor, run_failure_dead_letters],
        resources=resources,
    )


defs = build_definitions(resources_for(selected_environment()))
