"""Dagster on this machine: `skillbridge dev` (the UI and daemon) and `skillbridge demo`."""

from __future__ import annotations

import argparse
import os
import sys

from skillbridge_pipeline.cli.common import _default_dagster_home
from skillbridge_pipeline.settings import PROJECT_ROOT


def cmd_demo(args: argparse.Namespace) -> int:
    _default_dagster_home()
    from skillbridge_pipeline.demo import run_demo

    return run_demo()


def cmd_dev(args: argparse.Namespace) -> int:
    """The Dagster UI and daemon, quiet unless --verbose. SIGTERM stops them cleanly even when
    started in the background: Dagster maps SIGTERM onto SIGINT's handler, and a shell without
    job control starts background commands with SIGINT ignored, so both are reset here."""
    import signal

    _default_dagster_home()
    argv = [
        sys.executable,
        "-W",
        "ignore::FutureWarning",  # `dagster dev` says it is superseded by `dg dev` on every start
        "-m",
        "dagster",
        "dev",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "--host",
        args.host,
        "--port",
        str(args.port),
        # At info the daemon logs every sensor tick ("skipped: no pending analysis requests").
        "--log-level",
        "info" if args.verbose else "warning",
    ]
    print(
        f"Dagster UI: http://{args.host}:{args.port} (ready in about a minute; "
        "Ctrl-C or SIGTERM stops it)",
        flush=True,
    )
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not os.isatty(0) and os.getpgrp() != os.getpid():
        os.setpgrp()  # its own process group: `kill -- -PID` reaches the UI, daemon and servers
    # From the instance's folder: in the checkout, Dagster warns that ./dagster.yaml is not used.
    os.chdir(os.environ["DAGSTER_HOME"])
    os.execv(argv[0], argv)
    return 0  # not reached
