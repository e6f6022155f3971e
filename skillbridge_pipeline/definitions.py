"""The one Definitions object of the code location."""

from dagster import Definitions

from skillbridge_pipeline.assets.documents import DOCUMENT_ASSETS, DOCUMENT_JOBS
from skillbridge_pipeline.resources import resources_for
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor
from skillbridge_pipeline.settings import selected_environment


def build_definitions(resources: dict) -> Definitions:
    """The whole project over a given resource set (tests pass their own)."""
    return Definitions(
        assets=[asset for assets in DOCUMENT_ASSETS.values() for asset in assets],
        jobs=list(DOCUMENT_JOBS.values()),
        sensors=[document_inbox_sensor],
        resources=resources,
    )


defs = build_definitions(resources_for(selected_environment()))
