"""`skillbridge stack`: the production stack as local processes, up or down."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def cmd_stack(args: argparse.Namespace) -> int:
    """The production stack as local processes (no containers): up or down."""
    from skillbridge_pipeline import stack

    root = Path(args.root).resolve()
    if args.action == "down":
        stopped = stack.down(root)
        print("stopped: " + (", ".join(stopped) or "nothing was running"))
        return 0
    config = stack.StackConfig(
        root=root,
        webserver_port=args.webserver_port,
        api_port=args.api_port,
        groq_api_key=os.environ.get("GROQ_API_KEY", ""),
        kafka_storage=args.kafka_storage,
    )
    for item in stack.up(config):
        print(f"{item.name:<18} pid {item.pid:<7} " + (f"port {item.port}" if item.port else ""))
    print(
        f"Dagster UI http://127.0.0.1:{args.webserver_port}  API http://127.0.0.1:{args.api_port}"
    )
    print("environment of the stack's processes:")
    for key, value in config.environment().items():
        print(f"  {key}={value}")
    return 0
