"""Hostile input as properties (hypothesis): whatever bytes or text arrive, parsing either
returns text or refuses with a reason (DocumentError), extraction returns skills whose evidence
lies inside the text, and no other exception escapes. The deadline is a hang detector for
inputs of a few kilobytes, not a speed figure (those are in bench/)."""

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillbridge_pipeline.core.documents.events import parse_event, parse_request
from skillbridge_pipeline.core.documents.identity import safe_filename
from skillbridge_pipeline.core.documents.intake import original_name, submitted_name
from skillbridge_pipeline.core.documents.parsing import DocumentError, parse_document

NAMES = ["cv.pdf", "cv.docx", "cv.txt", "cv.md", "cv.html", "cv.json", "cv", "cv.doc", "cv.exe"]
PROPERTY = settings(
    max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def parsed_or_refused(data: bytes, name: str, kind: str) -> str | None:
    try:
        return parse_document(data, name, kind).text
    except DocumentError as error:
        assert error.reason and isinstance(error.reason, str)
        return None


@PROPERTY
@given(st.binary(max_size=4096), st.sampled_from(NAMES), st.sampled_from(["resume", "jd"]))
def test_random_bytes_are_parsed_or_refused_with_a_reason(data, name, kind):
    parsed_or_refused(data, name, kind)


@PROPERTY
@given(st.binary(max_size=2048), st.sampled_from(["%PDF-1.7\n", "PK\x03\x04", "<html>", "{"]))
def test_random_bytes_behind_a_real_magic_number(data, magic):
    for name in ("cv.pdf", "cv.docx", "cv.html", "cv.json"):
        parsed_or_refused(magic.encode("latin-1") + data, name, "resume")


@PROPERTY
@given(st.text(max_size=3000))
def test_random_unicode_text_gives_skills_inside_the_text(extractor, text):
    parsed = parsed_or_refused(text.encode("utf-8"), "cv.txt", "resume")
    for kind in ("resume", "jd"):
        for skill in extractor.extract(text, kind=kind):
            assert 0 <= skill.start < skill.end <= len(text)
            assert all(0 <= s < e <= len(text) for s, e in skill.mentions)
            assert 0 <= skill.confidence <= 1
    if parsed is not None:
        extractor.extract(parsed, kind="resume")


@PROPERTY
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=40,
    )
)
def test_any_json_is_a_document_or_a_reason(value):
    data = json.dumps(value).encode()
    parsed_or_refused(data, "cv.json", "resume")
    parsed_or_refused(data, "jd.json", "jd")
    wrapped = json.dumps({"basics": {"name": "Ana"}, "work": [value], "skills": value}).encode()
    parsed_or_refused(wrapped, "cv.json", "resume")


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_refused_not_a_recursion_error(depth):
    for data in (b"[" * depth, b'{"basics":' * depth, b'{"work": [' + b"[" * depth):
        assert parsed_or_refused(data, "cv.json", "resume") is None
        with pytest.raises(ValueError):
            parse_event(data)
        with pytest.raises(ValueError):
            parse_request(data)


def test_huge_lines_and_control_characters(extractor):
    line = "Python, " * 250_000  # one 2 MB line
    assert parsed_or_refused(line.encode(), "cv.txt", "resume")
    assert parsed_or_refused(b"\x00\x01\x02" * 1000, "cv.txt", "resume") is None
    assert {s.skill_id for s in extractor.extract(line[:20_000])} == {"python"}


# Any code point, lone surrogates and NUL included (hypothesis leaves surrogates out by default).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)


@PROPERTY
@given(
    st.recursive(
        st.none() | ANY_TEXT,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
        max_leaves=20,
    )
)
def test_json_with_lone_surrogates_and_nul_gives_storable_text(value):
    data = json.dumps({"basics": {"name": "Ana", "summary": value}, "work": [{"summary": value}]})
    for parsed in (
        parsed_or_refused(data.encode(), "cv.json", "resume"),
        parsed_or_refused(json.dumps({"title": value, "text": value}).encode(), "jd.json", "jd"),
    ):
        if parsed is not None:
            assert "\x00" not in parsed
            parsed.encode("utf-8")  # raises on a lone surrogate


@PROPERTY
@given(st.binary(min_size=1, max_size=300).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_a_file_name_of_any_bytes_is_stored_and_shown_safely(raw):
    name = os.fsdecode(raw)  # what os.scandir gives for it
    safe = safe_filename(name)
    safe.encode("utf-8")  # storable
    assert safe and len(safe.encode()) <= 255
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in safe)
    inbox_name = submitted_name("0123456789abcdef", name)
    assert len(inbox_name.encode()) <= 255 and original_name(inbox_name) == safe_filename(
        name, 255 - 18
    )
