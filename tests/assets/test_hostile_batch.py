"""A batch of 250 resumes holding 10 hostile PDFs, as a user meets it: `skillbridge submit`,
`skillbridge process`, `skillbridge status --json`. The 240 good ones are extracted, the 10 fail
alone with reasons and dead letters, and the batch takes less than twice a clean batch's time.
"""

import json
import os
import subprocess
import sys

import pytest
from conftest import make_encrypted_pdf, make_pdf
from dagster import DagsterInstance
from hostile_pdfs import hostile_pdfs

from skillbridge_pipeline.core.documents.identity import document_id

pytestmark = pytest.mark.slow
SKILLBRIDGE = str(os.path.join(os.path.dirname(sys.executable), "skillbridge"))
TIME_LIMIT = 1.5  # seconds per document, so the page tree of one huge stream is stopped soon


def cli(home, *args):
    return subprocess.run(
        [SKILLBRIDGE, *args],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "SKILLBRIDGE_HOME": str(home),
            "SKILLBRIDGE_PARSE_TIME_LIMIT": str(TIME_LIMIT),
        },
        timeout=600,
    )


def resumes(folder, count, offset=0):
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(offset, offset + count):
        path = folder / f"candidate{i:04d}.txt"
        path.write_text(f"Candidate {i}\nBackend engineer: Python, PostgreSQL and Docker, {i}.\n")
        paths.append(path)
    return paths


def process(home, files):
    submitted = cli(home, "submit", *map(str, files), "--kind", "resume")
    assert submitted.returncode == 0, submitted.stderr
    done = cli(home, "process", "--quiet")
    assert done.returncode == 0, done.stderr
    status = cli(home, "status", "--json")
    assert status.returncode == 0, status.stderr
    return done.stdout, json.loads(status.stdout)


def batch_seconds(home) -> float:
    instance = DagsterInstance.from_config(str(home / "dagster"))
    [record] = [r for r in instance.get_run_records() if r.dagster_run.job_name == "resumes_job"]
    return record.end_time - record.start_time


def test_hostile_pdfs_fail_alone_and_do_not_hold_up_their_batch(tmp_path):
    clean_home, hostile_home = tmp_path / "clean", tmp_path / "hostile"
    _, clean = process(clean_home, resumes(tmp_path / "clean_files", 250))
    assert {d["status"] for d in clean["documents"]} == {"extracted"}

    bad_dir = tmp_path / "hostile_files"
    bad_dir.mkdir()
    hostile = hostile_pdfs(make_pdf("Ana Silva\nPython, Django and PostgreSQL.\n"))
    hostile |= {
        f"second_{name}": (data + b"\n% another copy\n", expected)
        for name, (data, expected) in hostile_pdfs(make_pdf("Bo\nJava and Spring.\n")).items()
        if name != "shared_stream.pdf"
    }
    hostile["locked.pdf"] = (make_encrypted_pdf("Python"), "password-protected")
    assert len(hostile) == 10
    for name, (data, _) in hostile.items():
        (bad_dir / name).write_bytes(data)
    files = resumes(tmp_path / "good_files", 240) + [bad_dir / name for name in hostile]
    summary, status = process(hostile_home, files)

    by_id = {d["doc_id"]: d for d in status["documents"]}
    assert len(by_id) == 250 and len({d["batch"] for d in by_id.values()}) == 1
    assert sum(d["status"] == "extracted" for d in by_id.values()) == 240
    for name, (data, expected) in hostile.items():
        document = by_id[document_id(data)]
        assert document["status"] == "failed", name
        assert expected in document["error"], (name, document["error"])
    letters = {d["subject"]: d for d in status["dead_letters"]}
    assert {document_id(data) for data, _ in hostile.values()} <= set(letters)
    assert "10 failed" in summary and "runs: 1 (1 succeeded, 0 failed)" in summary
    # One document's lineage, one command away: its batch, the run, the stage and why.
    bomb = document_id(hostile["bomb.pdf"][0])
    lineage = cli(hostile_home, "status", "--document", bomb)
    assert lineage.returncode == 0, lineage.stderr
    assert "failed at parse: PDF stream exceeds the decompression limit" in lineage.stdout
    assert by_id[bomb]["batch"] in lineage.stdout
    unknown = cli(hostile_home, "status", "--document", "0" * 16)
    assert unknown.returncode == 2 and "no document" in unknown.stderr

    clean_seconds, hostile_seconds = batch_seconds(clean_home), batch_seconds(hostile_home)
    print(f"clean batch {clean_seconds:.1f} s, with 10 hostile PDFs {hostile_seconds:.1f} s")
    assert hostile_seconds < 2 * clean_seconds
