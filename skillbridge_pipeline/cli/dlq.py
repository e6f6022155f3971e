"""`skillbridge dlq`: the dead-letter queue (list, show, replay)."""

from __future__ import annotations

import argparse
import json
import sys

from skillbridge_pipeline.cli.common import _default_dagster_home


def cmd_dlq(args: argparse.Namespace) -> int:
    """The dead-letter queue: list, show, replay."""
    from skillbridge_pipeline.core.store import dead_letters

    _default_dagster_home()
    from skillbridge_pipeline.definitions import defs

    results_store = defs.resources["results_store"]
    store = results_store.open()
    if moved := dead_letters.drain(store, results_store.spool):
        print(f"moved {moved} spooled dead letters into the store", file=sys.stderr)
    if args.action == "list":
        for letter in dead_letters.listing(store, args.status, args.limit):
            print(
                f"{letter.id:>5} {letter.status:<9} {letter.job_name}/{letter.asset} "
                f"{letter.partition_key or '-'} x{letter.attempts}: {letter.error_message[:90]}"
            )
        return 0
    if args.action == "show" and len(args.ids) != 1:
        print("dlq show takes one dead-letter id (see dlq list)", file=sys.stderr)
        return 2
    if args.action == "replay" and not (args.ids or args.all):
        print("dlq replay takes dead-letter ids, or --all", file=sys.stderr)
        return 2
    if unknown := [i for i in args.ids if dead_letters.get(store, i) is None]:
        print(
            f"unknown dead letter id {', '.join(map(str, unknown))} (see dlq list)", file=sys.stderr
        )
        return 2
    if args.action == "show":
        print(json.dumps(dead_letters.get(store, args.ids[0]).__dict__, indent=2, default=str))
        return 0
    from dagster import DagsterInstance

    from skillbridge_pipeline.replay import launch_with_run_launcher, replay
    from skillbridge_pipeline.settings import selected_environment

    # Production hands replays to the instance's launcher (the daemon runs them); the embedded
    # default runs them here, where no daemon need be running.
    launch = launch_with_run_launcher if selected_environment() == "production" else None
    ids = [d.id for d in dead_letters.listing(store, "open", 10_000)] if args.all else args.ids
    for letter_id, success, run_id in replay(DagsterInstance.get(), defs, store, ids, launch):
        if success is None:
            print(f"{letter_id}: launched run {run_id} through the instance's run launcher")
        else:
            print(f"{letter_id}: {'resolved' if success else 'failed again'} (run {run_id})")
    return 0
