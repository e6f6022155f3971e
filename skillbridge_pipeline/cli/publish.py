"""`skillbridge publish`: one document or analysis request produced to Kafka."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def cmd_publish(args: argparse.Namespace) -> int:
    """Produce one event: a document (base64 in JSON) or an analysis request (a JSON file)."""
    from skillbridge_pipeline.core.documents.events import (
        document_event,
        parse_event,
        request_event,
    )
    from skillbridge_pipeline.resources import KafkaResource

    bootstrap = args.bootstrap or os.environ.get("SKILLBRIDGE_KAFKA_BOOTSTRAP")
    if not bootstrap:
        print(
            "no Kafka: pass --bootstrap HOST:PORT or set SKILLBRIDGE_KAFKA_BOOTSTRAP",
            file=sys.stderr,
        )
        return 2
    source = Path(args.file)
    if not source.is_file():
        print(f"not a file: {source}", file=sys.stderr)
        return 2
    if args.kind == "request":
        try:
            request = json.loads(source.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            print(
                f"{source} is not a JSON request ({error or 'nested too deeply'})", file=sys.stderr
            )
            return 2
        if not isinstance(request, dict):
            print(
                f"{source} must hold one JSON object (resume_id, jd_id or jd_url, session_id), "
                f"not a {type(request).__name__}",
                file=sys.stderr,
            )
            return 2
        try:
            value = request_event(request)
        except ValueError as error:
            print(f"{source} is not an analysis request: {error}", file=sys.stderr)
            return 2
    else:
        from skillbridge_pipeline.core.documents.parsing import DEFAULT_MAX_BYTES

        data = source.read_bytes()
        if len(data) > DEFAULT_MAX_BYTES:
            print(
                f"{source} is {len(data) / 1_048_576:.1f} MB, over the "
                f"{DEFAULT_MAX_BYTES / 1_048_576:.0f} MB document limit; nothing was published",
                file=sys.stderr,
            )
            return 2
        value = document_event(args.kind, source.name, data)
    try:
        parse_event(value)
    except ValueError as error:
        print(f"not a valid event: {error}", file=sys.stderr)
        return 2
    kafka = KafkaResource(bootstrap_servers=bootstrap)
    producer = kafka.producer()
    producer.produce(kafka.topic_for(args.kind), value=value)
    if producer.flush(30) != 0:
        print("the event was not delivered within 30 s", file=sys.stderr)
        return 1
    print(f"published {args.kind} {source.name} to {kafka.topic_for(args.kind)}")
    return 0
