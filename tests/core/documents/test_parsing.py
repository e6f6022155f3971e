"""Bad input gets a clear reason and no invented content; good input becomes text."""

import io
import json

import pytest
from conftest import SAMPLES, make_encrypted_pdf, make_image_only_pdf, make_pdf

from skillbridge_pipeline.core.documents.parsing import DocumentError, parse_document

RESUME = "Jane Doe\nData Engineer\n\nSkills: Python, SQL, Apache Airflow, Docker"


def reason(data: bytes, filename: str, kind: str = "resume", **kw) -> str:
    with pytest.raises(DocumentError) as caught:
        parse_document(data, filename, kind, **kw)
    return caught.value.reason


def test_pdf_text_layer_is_read():
    parsed = parse_document(make_pdf(RESUME), "jane.pdf", "resume")
    assert parsed.format == "pdf"
    assert "Apache Airflow" in parsed.text and "Data Engineer" in parsed.text


def test_encrypted_pdf_is_refused():
    assert "password" in reason(make_encrypted_pdf(RESUME), "locked.pdf")


def test_corrupt_pdf_is_refused():
    truncated = make_pdf(RESUME)[:300]
    assert "corrupt" in reason(truncated, "broken.pdf")


def test_image_only_pdf_is_refused_not_invented():
    assert "no text layer" in reason(make_image_only_pdf(), "scan.pdf")


def test_empty_files_are_refused():
    assert reason(b"", "empty.txt") == "file is empty"
    assert reason(b"  \n\t ", "blank.md") == "file is empty"


def test_binary_garbage_is_refused():
    garbage = bytes(range(256)) * 40
    assert "binary" in reason(garbage, "resume.txt")


def test_non_utf8_text_is_refused_with_the_offset():
    latin1 = "Curriculum vitæ — José Peña, développeur Python".encode("latin-1", "replace")
    message = reason(latin1, "cv.txt")
    assert "not valid UTF-8" in message and "offset" in message


def test_size_limit():
    message = reason(b"a" * 2048, "big.txt", max_bytes=1024)
    assert "over the" in message and "limit" in message


def test_unsupported_type():
    message = reason(b"MZ\x90\x00 not a document", "cv.exe")
    assert "unsupported file type .exe" in message and "Word .docx" in message


def test_json_resume_is_flattened():
    resume = {
        "basics": {"name": "Ada", "label": "Engineer", "summary": "Builds compilers."},
        "work": [{"name": "ACME", "position": "Engineer", "highlights": ["Wrote Rust tools"]}],
        "skills": [{"name": "Languages", "keywords": ["Rust", "OCaml"]}],
    }
    parsed = parse_document(json.dumps(resume).encode(), "ada.json", "resume")
    assert parsed.format == "json_resume"
    assert "Wrote Rust tools" in parsed.text and "Rust, OCaml" in parsed.text


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"work": {"name": "ACME"}}, "'work' must be a list"),
        ({"basics": "Ada"}, "'basics' must be an object"),
        ({"name": "Ada", "hobbies": []}, "not a JSON Resume"),
        ([1, 2, 3], "must be an object"),
    ],
)
def test_json_resume_with_the_wrong_shape(payload, expected):
    assert expected in reason(json.dumps(payload).encode(), "r.json")


def test_malformed_json():
    assert "invalid JSON at line 1" in reason(b'{"basics": ', "r.json")


def test_html_job_description_drops_scripts_and_styles():
    html = (
        "<html><head><style>.x{}</style><script>var skills='COBOL';</script></head>"
        "<body><h1>Data Engineer</h1><ul><li>Python</li><li>Spark</li></ul></body></html>"
    )
    parsed = parse_document(html.encode(), "jd.html", "jd")
    assert parsed.text.splitlines() == ["Data Engineer", "- Python", "- Spark"]  # a list stays one


def test_html_job_title_comes_from_the_posting_not_the_page_chrome():
    """Release 1 titled senior_data_platform_engineer.html "All jobs", from its navigation."""
    page = (SAMPLES / "jds" / "senior_data_platform_engineer.html").read_bytes()
    parsed = parse_document(page, "senior_data_platform_engineer.html", "jd")
    assert parsed.title == "Senior Data Platform Engineer"
    assert parsed.text.startswith("Senior Data Platform Engineer\n")
    assert "All jobs" not in parsed.text and "equal opportunity" not in parsed.text
    chrome = (
        "<html><body><header><h1>Acme Careers</h1></header><nav>All jobs</nav><main>"
        "<h2>Site Reliability Engineer</h2><p>Run Kubernetes.</p></main></body></html>"
    )
    parsed = parse_document(chrome.encode(), "sre.html", "jd")
    assert parsed.title == "Site Reliability Engineer" and "Acme" not in parsed.text
    ld = (
        '<html><head><script type="application/ld+json">{"@type": "JobPosting", "title": '
        '"Data Engineer", "description": "<p>Python and Spark.</p>"}</script></head>'
        "<body><nav>Jobs</nav><h1>Careers at Acme</h1></body></html>"
    )
    parsed = parse_document(ld.encode(), "de.html", "jd")
    assert parsed.title == "Data Engineer" and parsed.text.startswith("Data Engineer\n")


def test_json_job_description():
    payload = {"title": "SRE", "description": "Run Kubernetes."}
    parsed = parse_document(json.dumps(payload).encode(), "jd.json", "jd")
    assert parsed.text == "SRE\n\nRun Kubernetes." and parsed.title == "SRE"
    assert "description" in reason(json.dumps({"title": "x"}).encode(), "jd.json", "jd")


def test_markdown_and_bom_text():
    parsed = parse_document("\ufeff# Jane\n\n* Python   and  SQL\n".encode(), "jane.md", "resume")
    assert parsed.text == "# Jane\n\n* Python and SQL"


def make_docx() -> bytes:
    """A Word resume as people write them: a header, a heading, a bullet list, a skills table."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Ana Silva · Lisbon · ana@example.org"
    document.add_heading("Backend engineer", 1)
    document.add_paragraph("Eight years of building payment services.")
    document.add_paragraph("Ran services on Kubernetes and PostgreSQL", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, (label, skills) in enumerate([("Languages", "Python, Go"), ("Cloud", "AWS")]):
        table.cell(row, 0).text, table.cell(row, 1).text = label, skills
    document.sections[0].footer.paragraphs[0].text = "References on request"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_resume_reads_header_body_lists_and_tables(extractor):
    parsed = parse_document(make_docx(), "ana.docx", "resume")
    assert parsed.format == "docx"
    assert parsed.text.splitlines() == [
        "Ana Silva · Lisbon · ana@example.org",
        "Backend engineer",
        "Eight years of building payment services.",
        "- Ran services on Kubernetes and PostgreSQL",
        "Languages | Python, Go",
        "Cloud | AWS",
        "References on request",
    ]
    found = {s.skill_id for s in extractor.extract(parsed.text, kind="resume")}
    assert {"kubernetes", "postgresql", "python", "amazon-web-services"} <= found


def test_corrupt_encrypted_and_legacy_word_files_fail_with_a_reason():
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(make_docx())).encrypt("s3cret", encrypted)
    assert "password-protected" in reason(encrypted.getvalue(), "ana.docx", "resume")
    truncated = make_docx()[:2000]
    assert "damaged or not a .docx" in reason(truncated, "ana.docx", "resume")
    assert "damaged or not a .docx" in reason(b"not a zip at all", "ana.docx", "resume")
    legacy = encrypted.getvalue()  # an OLE compound file, as a .doc is
    assert "legacy Word .doc" in reason(legacy, "ana.doc", "resume")


def test_json_resume_fields_of_the_wrong_type_are_read_not_dropped():
    """Release 1 silently dropped a string where the schema has a list."""
    resume = {
        "basics": {"name": "Ana"},
        "work": [
            {"name": "Acme", "position": "Engineer", "highlights": "Python and SQL every day"}
        ],
        "skills": [{"name": "Data", "keywords": "SQL, Docker"}],
    }
    text = parse_document(json.dumps(resume).encode(), "ana.json", "resume").text
    assert "- Python and SQL every day" in text and "Data, SQL, Docker" in text
