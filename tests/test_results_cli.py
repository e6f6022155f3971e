"""A new user's path on the command line: submit a Word resume and a Markdown JD, process them,
and find the answer (match, top gaps, report) by file name, without any id."""

import re
from pathlib import Path

import docx
import pytest
from conftest import with_trained_model
from test_cli import run

JD = """# Clinical Data Analyst

We are a hospital network looking for a Clinical Data Analyst.

## Requirements
- 3+ years of SQL and Python for data analysis are required.
- Experience with Tableau or Power BI dashboards is required.
- Knowledge of HL7 and electronic health records is preferred.
- Strong communication skills; Spanish is a plus.
"""
RESUME_LINES = [
    "Maria Gonzalez, RN",
    "Registered nurse with eight years on a cardiac ward at St. Mary's Hospital.",
    "Built a weekly Excel report of patient falls for the ward manager.",
    "Entered and audited patient records in the Epic electronic health record.",
    "Fluent in Spanish and English; trained and mentored new nurses.",
]


@pytest.fixture
def home(trained, tmp_path):
    home = with_trained_model(trained, tmp_path / "home")
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {"SKILLBRIDGE_HOME": str(home), "DAGSTER_HOME": str(tmp_path / "dagster")}


@pytest.mark.slow
def test_submit_then_process_prints_each_finished_analysis_with_its_report(home, tmp_path):
    resume = tmp_path / "Maria_Gonzalez_Resume.docx"
    document = docx.Document()
    for line in RESUME_LINES:
        document.add_paragraph(line)
    document.save(resume)
    jd = tmp_path / "clinical_data_analyst.md"
    jd.write_text(JD)

    submitted = run("submit", "--resume", str(resume), "--jd", str(jd), env=home)
    assert submitted.returncode == 0, submitted.stderr
    assert "next: `skillbridge process`" in submitted.stdout

    empty = tmp_path / "Empty_CV.txt"
    empty.write_bytes(b"")
    assert run("submit", "--resume", str(empty), "--jd", str(jd), env=home).returncode == 0

    processed = run("process", "--quiet", env=home)
    assert processed.returncode == 0, processed.stderr[-3000:]
    out = processed.stdout
    assert "finished analyses (1):" in out, out
    found = re.search(
        r"(\d+)%  Maria_Gonzalez_Resume\.docx against Clinical Data Analyst "
        r"\(clinical_data_analyst\.md\)\n +top gaps: (.+)\n +report: (\S+\.html)",
        out,
    )
    assert found, out
    assert 0 <= int(found[1]) <= 100 and found[2].strip()
    assert (
        "failed analysis requests (1):\n"
        "  Empty_CV.txt against clinical_data_analyst.md: the resume failed: file is empty"
    ) in out
    report = Path(found[3])
    page = report.read_text()
    assert f"{found[1]}%" in page and "What to do first" in page
    assert "<title>Skill-gap report — Clinical Data Analyst</title>" in page

    status = run("status", env=home)
    assert "stored analyses: 1" in status.stdout, status.stdout
    assert "Maria_Gonzalez_Resume.docx against Clinical Data Analyst" in status.stdout

    listed = run("results", env=home)
    assert listed.returncode == 0 and "Maria_Gonzalez_Resume.docx against" in listed.stdout
    assert "skillbridge results --report " in listed.stdout

    out_file = tmp_path / "mine.html"
    written = run(
        "results", "--report", "Maria_Gonzalez_Resume.docx", "--html", str(out_file), env=home
    )
    assert written.returncode == 0, written.stderr
    assert out_file.read_text() == page  # the stored result, not a recomputation

    linked = run("results", "--report", f"{resume}:{jd.name}", "--link", env=home)
    assert linked.returncode == 0 and "/report/" in linked.stdout and "sig=" in linked.stdout

    lineage = run("status", "--document", "maria_gonzalez_resume.docx", env=home)
    assert lineage.returncode == 0 and "extracted" in lineage.stdout, lineage.stderr

    asked = run("chat", "Maria_Gonzalez_Resume.docx", "Which skill should I learn first?", env=home)
    assert asked.returncode == 0 and asked.stdout.startswith("Start with"), asked.stdout

    unknown = run("status", "--document", "Someone_Else.pdf", env=home)
    assert unknown.returncode == 2 and "no document matches 'Someone_Else.pdf'" in unknown.stderr
