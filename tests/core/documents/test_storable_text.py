"""Text is made storable where it enters (issue 31): a NUL (after the binary sniff's 8 KiB, in
JSON, in a PDF's text layer) or a lone surrogate (legal JSON) is replaced, so one document can
never fail its whole batch when its text is written, on PostgreSQL (which refuses NUL) or
anywhere (UTF-8 refuses surrogates)."""

import json

import pytest
from dagster import build_sensor_context, instance_for_test
from hostile_pdfs import _single_page, _stream

from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.documents.parsing import DocumentError, parse_document
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import apply_partitions_request, execute
from skillbridge_pipeline.resources import (
    EmbeddingResource,
    ResultsStoreResource,
    embedded_resources,
)
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor


def pdf_with_a_nul() -> bytes:
    """A text layer with a NUL, as PDFs with broken font maps give."""
    content = b"BT /F1 12 Tf 72 720 Td (Python\\000developer with Django and SQL) Tj ET"
    return _single_page(_stream(content))


UNSTORABLE = {
    "nul_after_8k.txt": b"Python developer.\n" + b"x" * 9000 + b"\x00 Docker\n",
    "nul.json": json.dumps({"basics": {"name": "Ana\u0000", "summary": "Python and SQL"}}).encode(),
    "surrogate.json": b'{"basics": {"name": "Bo \\ud800", "summary": "Java and Spring"}}',
    "nul.pdf": pdf_with_a_nul(),
}


@pytest.mark.parametrize("name", sorted(UNSTORABLE))
def test_nul_and_lone_surrogates_are_replaced_where_text_enters(name):
    parsed = parse_document(UNSTORABLE[name], name, "resume")
    assert "\x00" not in parsed.text
    parsed.text.encode("utf-8")  # no lone surrogate left
    assert "\ufffd" in parsed.text


def test_a_json_jd_title_with_a_surrogate_is_storable():
    data = b'{"title": "Dev \\ud83d", "description": "Python developer wanted"}'
    parsed = parse_document(data, "jd.json", "jd")
    assert parsed.title == "Dev \ufffd" and parsed.text.startswith("Dev \ufffd")


def test_unstorable_text_never_fails_its_batch(tmp_path, store):
    """The issue's batch: each of these failed every document of its batch on PostgreSQL
    ("A string literal cannot contain NUL") or on any store (surrogates not allowed)."""
    results_store = ResultsStoreResource(url=store.url)
    resources = {
        **embedded_resources(tmp_path),
        "results_store": results_store,
        "embeddings": EmbeddingResource(results_store=results_store),
    }
    resumes = tmp_path / "inbox" / "resumes"
    resumes.mkdir(parents=True)
    good = b"Cy\nData engineer: Python, Spark and Airflow.\n"
    for name, data in {**UNSTORABLE, "good.txt": good}.items():
        (resumes / name).write_bytes(data)
    with instance_for_test() as instance:
        with build_sensor_context(instance=instance, resources=resources) as context:
            result = document_inbox_sensor(context)
        for request in result.dynamic_partitions_requests:
            apply_partitions_request(instance, request)
        [request] = result.run_requests
        defs = build_definitions(resources)
        _, success = execute(instance, defs, request.job_name, request.partition_key, request.tags)
    assert success
    assert store.status_counts() == {("resume", "extracted"): 5}
    pdf = store.get_document("resume", document_id(UNSTORABLE["nul.pdf"]))
    assert "python" in {s["skill_id"] for s in store.document_skills("resume", pdf["doc_id"])}


def test_reasons_say_what_the_file_is():
    """UTF-16 text is read, an HTML page or a Word file named .pdf is read as what it is,
    and a text of invisible characters only is "no text found", not a document."""
    text = "Ana Silva\nPython developer\n"
    assert parse_document(("\ufeff" + text).encode("utf-16-le"), "cv.txt", "resume").text == (
        text.strip()
    )
    assert parse_document(text.encode("utf-16"), "cv.txt", "resume").format == "text"
    page = b"<!DOCTYPE html><html><body><h1>Dev</h1><p>Python and SQL</p></body></html>"
    parsed = parse_document(page, "posting.pdf", "jd")
    assert parsed.format == "html" and "Python and SQL" in parsed.text
    for invisible in ("\u3164\u2800 \u200b\n\u115f", "\u00ad\ufeff"):
        with pytest.raises(DocumentError, match="no text found"):
            parse_document(invisible.encode(), "cv.txt", "resume")


def test_hidden_html_text_is_not_evidence(extractor):
    page = (
        b"<html><body><h1>Backend developer</h1><p>We use Python.</p>"
        b'<p style="display: none">Kubernetes</p><div hidden>Terraform</div>'
        b'<span style="visibility:hidden">Rust</span>'
        b'<span style="color:#fff; font-size:0px">Haskell</span>'
        b'<p style="font-size:0.9em">Also SQL.</p></body></html>'
    )
    text = parse_document(page, "jd.html", "jd").text
    assert "Python" in text and "Also SQL." in text
    for stuffed in ("Kubernetes", "Terraform", "Rust", "Haskell"):
        assert stuffed not in text
    assert {s.skill_id for s in extractor.extract(text, kind="jd")} >= {"python", "sql"}
    whole_page_hidden = b'<html style="display:none"><body><p>Python developer</p></body></html>'
    assert parse_document(whole_page_hidden, "jd.html", "jd").text == "Python developer"
