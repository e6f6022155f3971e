"""Messages into the pipeline: documents and analysis requests, from Kafka or the inbox.

The Pydantic models below are the contract: `schemas/events.schema.json` is generated from them
(`python -m skillbridge_pipeline.core.documents.events > schemas/events.schema.json`; a test
checks it is current). Parsing is strict and says why a message is refused, so a malformed
message becomes a dead-letter row (Kafka) or a rejected file (inbox) with its reason, instead
of stalling its partition.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from skillbridge_pipeline.core.documents.identity import printable

DocumentId = Annotated[
    str, Field(pattern=r"^[0-9a-f]{16}$", description="A document's id: its content hash.")
]


class DocumentEvent(BaseModel):
    """One resume or JD, its bytes inline."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Document")

    kind: Literal["resume", "jd"]
    filename: str = Field(
        min_length=1,
        max_length=512,
        description="Original file name; its extension selects the parser.",
    )
    content_base64: str = Field(description="The document's bytes, base64.")

    @field_validator("content_base64")
    @classmethod
    def _decodes(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("not valid base64") from None
        return value

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.content_base64, validate=True)

    @property
    def name(self) -> str:
        """The file's own name, without any folders a sender put before it."""
        return self.filename.rsplit("/", 1)[-1]


class AnalysisRequestEvent(BaseModel):
    """Score a resume against a JD, named by its id or by the URL of its page."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Analysis request",
        json_schema_extra={"oneOf": [{"required": ["jd_id"]}, {"required": ["jd_url"]}]},
    )

    kind: Literal["analysis_request"] = "analysis_request"  # request files may leave it out
    resume_id: DocumentId
    jd_id: DocumentId | None = None
    jd_url: str | None = Field(
        None, pattern=r"^https?://", max_length=2048, description="A job page to fetch."
    )
    session_id: str | None = Field(
        None, min_length=1, max_length=128, description="Whose WebSocket is told."
    )

    @field_validator("session_id", "jd_url")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and not printable(value):
            raise ValueError("holds control characters, NUL or undecodable text")
        return value

    @model_validator(mode="after")
    def _one_jd(self) -> AnalysisRequestEvent:
        if (self.jd_id is None) == (self.jd_url is None):
            raise ValueError("a request names its JD by jd_id or by jd_url (one of them)")
        return self

    def request(self) -> AnalysisRequest:
        jd_id = self.jd_id or "url-" + hashlib.sha256(self.jd_url.encode()).hexdigest()[:16]
        return AnalysisRequest(self.resume_id, jd_id, self.session_id, self.jd_url)


Event = Annotated[DocumentEvent | AnalysisRequestEvent, Field(discriminator="kind")]
_KINDS = ("resume", "jd", "analysis_request")
_EVENT = TypeAdapter(Event)


@dataclass(frozen=True)
class AnalysisRequest:
    resume_id: str
    jd_id: str  # for a JD given by URL: "url-" and the URL's hash until it is fetched
    session_id: str | None
    jd_url: str | None = None

    @property
    def request_id(self) -> str:
        key = f"{self.resume_id}:{self.jd_id}:{self.session_id or ''}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]


def _reason(error: ValidationError) -> str:
    """Pydantic's errors as one line a person reads: 'resume_id: String should match …'."""
    parts = []
    for item in error.errors(include_url=False)[:3]:
        where = ".".join(str(p) for p in item["loc"] if p not in _KINDS)
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


_NOT_JSON = {"message": "JSON", "request": "valid JSON"}  # the words release 1 wrote


def _json_object(data: bytes | None, what: str) -> dict:
    if not data:
        raise ValueError(f"empty {what}")
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{what} is not {_NOT_JSON[what]} ({error})") from None
    except RecursionError:
        raise ValueError(f"{what} is JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object")
    return value


def parse_event(value: bytes | None) -> DocumentEvent | AnalysisRequest:
    """A Kafka message: a document, or a request; ValueError with the reason."""
    fields = _json_object(value, "message")
    if fields.get("kind") not in _KINDS:
        raise ValueError(f"kind must be resume, jd or analysis_request, not {fields.get('kind')!r}")
    try:
        event = _EVENT.validate_python(fields)
    except ValidationError as error:
        raise ValueError(_reason(error)) from None
    return event.request() if isinstance(event, AnalysisRequestEvent) else event


def parse_request(data: bytes) -> AnalysisRequest:
    """A request file: {"resume_id", "jd_id" or "jd_url", "session_id"?}; ValueError."""
    fields = _json_object(data, "request")
    try:
        return AnalysisRequestEvent.model_validate(fields).request()
    except ValidationError as error:
        raise ValueError(_reason(error)) from None


def document_event(kind: str, filename: str, content: bytes) -> bytes:
    event = DocumentEvent(
        kind=kind, filename=filename, content_base64=base64.b64encode(content).decode()
    )
    return event.model_dump_json().encode()


def request_event(fields: dict) -> bytes:
    """A request's fields as the message the requests topic carries; ValueError with the
    reason when they are not a request."""
    try:
        event = AnalysisRequestEvent.model_validate({"kind": "analysis_request", **fields})
    except ValidationError as error:
        raise ValueError(_reason(error)) from None
    return event.model_dump_json(exclude_none=True).encode()


def events_json_schema() -> dict:
    """The JSON Schema of one message, as `schemas/events.schema.json` holds it."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://skillbridge.example/schemas/events.schema.json",
        "title": "SkillBridge event",
        "description": "One message on the resumes, jds or analysis-requests topic (UTF-8 JSON "
        "value); an analysis request is also what a file in inbox/requests/ holds.",
        **_EVENT.json_schema(),
    }


if __name__ == "__main__":
    print(json.dumps(events_json_schema(), indent=2))
