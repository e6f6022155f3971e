"""Messages into the pipeline: the Pydantic models, the JSON Schema made from them, and the
parser agree on what is accepted."""

import json

import jsonschema
import pytest
from conftest import PROJECT_ROOT

from skillbridge_pipeline.core.documents.events import (
    DocumentEvent,
    document_event,
    events_json_schema,
    parse_event,
    parse_request,
    request_event,
)

RESUME_ID, JD_ID = "0123456789abcdef", "fedcba9876543210"


def test_the_schema_file_is_generated_from_the_models():
    on_disk = json.loads((PROJECT_ROOT / "schemas/events.schema.json").read_text())
    assert on_disk == events_json_schema(), (
        "schemas/events.schema.json is stale: python -m skillbridge_pipeline.core.documents.events"
        " > schemas/events.schema.json"
    )


GOOD = [
    json.loads(document_event("resume", "cv.pdf", b"%PDF-1.4 ...")),
    {"kind": "analysis_request", "resume_id": RESUME_ID, "jd_id": JD_ID},
    {"kind": "analysis_request", "resume_id": RESUME_ID, "jd_url": "https://jobs.example/1"},
    {"kind": "analysis_request", "resume_id": RESUME_ID, "jd_id": JD_ID, "session_id": "s-1"},
]
BAD = [
    ({"kind": "resume", "filename": "cv.txt"}, "content_base64"),
    ({"kind": "resume", "filename": "", "content_base64": ""}, "filename"),
    ({"kind": "jd", "filename": "jd.txt", "content_base64": "", "extra": 1}, "extra"),
    ({"kind": "analysis_request", "resume_id": "abc", "jd_id": JD_ID}, "resume_id"),
    ({"kind": "analysis_request", "resume_id": RESUME_ID}, "jd_id or by jd_url"),
    (
        {"kind": "analysis_request", "resume_id": RESUME_ID, "jd_id": JD_ID, "jd_url": "https://a"},
        "one of them",
    ),
    ({"kind": "analysis_request", "resume_id": RESUME_ID, "jd_url": "ftp://a/b"}, "jd_url"),
    ({"kind": "analysis_request", "resume_id": RESUME_ID, "jd_id": 7}, "jd_id"),
    ({"kind": "image", "filename": "a.png", "content_base64": ""}, "kind must be"),
]


@pytest.mark.parametrize("message", GOOD)
def test_what_the_schema_accepts_the_parser_accepts(message):
    jsonschema.validate(message, events_json_schema())
    parsed = parse_event(json.dumps(message).encode())
    if isinstance(parsed, DocumentEvent):
        assert parsed.content == b"%PDF-1.4 ..." and parsed.name == "cv.pdf"
    else:
        assert parsed.resume_id == RESUME_ID and len(parsed.request_id) == 16


@pytest.mark.parametrize(("message", "reason"), BAD)
def test_what_the_schema_refuses_the_parser_refuses_with_a_reason(message, reason):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(message, events_json_schema())
    with pytest.raises(ValueError, match=reason):
        parse_event(json.dumps(message).encode())


def test_a_request_file_may_leave_out_the_kind_and_a_url_names_its_jd():
    request = parse_request(json.dumps({"resume_id": RESUME_ID, "jd_url": "https://j.example/9"}))
    assert request.jd_url == "https://j.example/9" and request.jd_id.startswith("url-")
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_request(b"{resume_id: 1}")
    with pytest.raises(ValueError, match="must be a JSON object"):
        parse_request(b"[1, 2]")


def test_a_request_event_is_what_the_parser_reads_back():
    fields = {"resume_id": RESUME_ID, "jd_url": "https://j.example/9", "session_id": "s-2"}
    message = request_event(fields)
    jsonschema.validate(json.loads(message), events_json_schema())
    assert parse_event(message) == parse_request(json.dumps(fields).encode())
    assert b"jd_id" not in message  # fields left out stay out
    with pytest.raises(ValueError, match="resume_id"):
        request_event({"resume_id": "not-an-id", "jd_id": JD_ID})
