"""What several commands share: the Dagster instance's home, the LLM's settings, and the
argument types of numbers and ports."""

from __future__ import annotations

import argparse
import os

from skillbridge_pipeline.settings import PROJECT_ROOT, skillbridge_home


def _default_dagster_home() -> None:
    """Unless the caller chose another instance, the Dagster instance lives in
    $SKILLBRIDGE_HOME/dagster with the project's dagster.yaml, so one home holds everything."""
    if "DAGSTER_HOME" in os.environ:
        return
    home = skillbridge_home() / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = (PROJECT_ROOT / "dagster.yaml").read_text()
    target = home / "dagster.yaml"
    if not target.exists() or target.read_text() != config:
        target.write_text(config)
    os.environ["DAGSTER_HOME"] = str(home)


def _llm_settings():
    """The LLM as the pipeline's resources configure it (GROQ_API_KEY, GROQ_BASE_URL)."""
    from skillbridge_pipeline.resources import resources_for
    from skillbridge_pipeline.settings import selected_environment

    return resources_for(selected_environment())["llm_client"].settings


def _positive(text: str) -> int:
    """A whole number of at least 1, or argparse's clear refusal."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (1-65535)")
    return value
