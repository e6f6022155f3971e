"""The `skillbridge` command line. Each command lives in one module of this package, as a
`cmd_*` function; `arguments` builds the parser with their help lines, and `main` runs one.
Each command imports what it needs when it runs, so `skillbridge --help` starts in well under a
second.

    analyze    analyze (one pair, several JDs, --batch) and how an answer is printed
    inbox      submit, process, status
    results    results, chat (stored analyses and their reports)
    dlq        dlq (list, show, replay dead letters)
    build      build-taxonomy, build-linker, train, extract-skills
    dev        dev, demo
    stack      stack
    api        api, tokens
    publish    publish
    common     what several commands share
    arguments  the parser and `DESCRIPTION`
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from skillbridge_pipeline.cli.analyze import (
    ANALYZE_CHUNK,
    _analyze_batch,
    advice_lines,
    cmd_analyze,
)
from skillbridge_pipeline.cli.api import cmd_api, cmd_tokens
from skillbridge_pipeline.cli.arguments import DESCRIPTION, parser
from skillbridge_pipeline.cli.build import (
    cmd_build_linker,
    cmd_build_taxonomy,
    cmd_extract_skills,
    cmd_train,
)
from skillbridge_pipeline.cli.dev import cmd_demo, cmd_dev
from skillbridge_pipeline.cli.dlq import cmd_dlq
from skillbridge_pipeline.cli.inbox import cmd_process, cmd_status, cmd_submit
from skillbridge_pipeline.cli.publish import cmd_publish
from skillbridge_pipeline.cli.results import cmd_chat, cmd_results
from skillbridge_pipeline.cli.stack import cmd_stack
from skillbridge_pipeline.settings import SettingError, skillbridge_home

__all__ = [
    "ANALYZE_CHUNK",
    "DESCRIPTION",
    "_analyze_batch",
    "advice_lines",
    "cmd_analyze",
    "cmd_api",
    "cmd_build_linker",
    "cmd_build_taxonomy",
    "cmd_chat",
    "cmd_demo",
    "cmd_dev",
    "cmd_dlq",
    "cmd_extract_skills",
    "cmd_process",
    "cmd_publish",
    "cmd_results",
    "cmd_stack",
    "cmd_status",
    "cmd_submit",
    "cmd_tokens",
    "cmd_train",
    "main",
    "parser",
]


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Counters made in this process and in the runs it starts reach the API's /metrics through
    # this folder (set before anything imports prometheus_client).
    metrics_dir = os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(skillbridge_home() / "metrics")
    )
    Path(metrics_dir).mkdir(parents=True, exist_ok=True)
    try:
        return args.run(args)
    except SettingError as error:
        print(f"skillbridge {args.command}: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        if (damage := _store_damage(error)) is None:
            raise
        print(f"skillbridge {args.command}: {damage}", file=sys.stderr)
        return 1


def _store_damage(error: Exception) -> str | None:
    """A damaged results store said in one line (not 118 lines of traceback), else None."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    from skillbridge_pipeline.core.store import StoreDamaged

    if isinstance(error, StoreDamaged):
        return str(error)
    if isinstance(error, DatabaseError) and not isinstance(error, OperationalError):
        return (
            f"the results store is damaged ({error.orig}); restore it from a backup, or move "
            "it away to start an empty one"
        )
    return None
