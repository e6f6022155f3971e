"""Where the embedded default keeps its files, and which environment is selected."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("embedded", "production")


def skillbridge_home() -> Path:
    """Root of the embedded default's state: inbox, landing store, Parquet, results DB."""
    return Path(os.environ.get("SKILLBRIDGE_HOME", PROJECT_ROOT / "var")).resolve()


def selected_environment() -> str:
    env = os.environ.get("SKILLBRIDGE_ENV", "embedded")
    if env not in ENVIRONMENTS:
        raise SettingError(f"SKILLBRIDGE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    return env


class SettingError(RuntimeError):
    """A setting that is missing or wrong, said by its environment variable's name."""
