"""Kafka events (see schemas/events.schema.json): documents and analysis requests.

Parsing is strict and says why a message is refused, so a malformed message becomes a
dead-letter row with its reason instead of stalling its partition.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from skillbridge_pipeline.core.documents import DOCUMENT_KINDS
from skillbridge_pipeline.core.intake import AnalysisRequest, request_from_fields


@dataclass(frozen=True)
class DocumentEvent:
    kind: str
    filename: str
    content: bytes


def parse_event(value: bytes | None) -> DocumentEvent | AnalysisRequest:
    if not value:
        raise ValueError("empty message")
    try:
        event = json.loads(value)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"message is not JSON ({error})") from None
    except RecursionError:
        raise ValueError("message is JSON nested too deeply") from None
    if not isinstance(event, dict):
        raise ValueError("message must be a JSON object")
    kind = event.get("kind")
    if kind == "analysis_request":
        return request_from_fields(event)
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"kind must be resume, jd or analysis_request, not {kind!r}")
    filename = event.get("filename")
    if not isinstance(filename, str) or not 0 < len(filename) <= 512:
        raise ValueError("filename must be a string of 1 to 512 characters")
    try:
        content = base64.b64decode(event.get("content_base64") or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ValueError("content_base64 is not valid base64") from None
    return DocumentEvent(kind, filename.rsplit("/", 1)[-1], content)


def document_event(kind: str, filename: str, content: bytes) -> bytes:
    return json.dumps(
        {"kind": kind, "filename": filename, "content_base64": base64.b64encode(content).decode()}
    ).encode()
