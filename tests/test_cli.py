"""The command line as a user runs it (subprocesses on the installed entry point)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SKILLBRIDGE = str(Path(sys.executable).with_name("skillbridge"))
SHARED_EVAL = Path(__file__).parents[2] / "shared" / "eval" / "skill_extraction_eval.py"


def run(*args, stdin="", env=None, cwd=None):
    return subprocess.run(
        [SKILLBRIDGE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def test_extract_skills_follows_the_eval_contract():
    lines = [
        {
            "id": "1:tech",
            "text": "Senior engineer: Python, k8s and PostgreSQL required.",
            "kind": "jd",
        },
        {"id": "2:house", "text": "We bake bread.", "kind": "jd"},
    ]
    done = run("extract-skills", stdin="".join(json.dumps(x) + "\n" for x in lines))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["1:tech", "2:house"]
    first = {s["name"]: s for s in out[0]["skills"]}
    assert {"Python", "Kubernetes", "PostgreSQL"} <= set(first)
    assert first["Kubernetes"]["surface"] == "k8s"
    assert first["Python"]["requirement"] == "required"
    assert out[1]["skills"] == []


def test_extract_skills_rejects_bad_lines_clearly():
    done = run("extract-skills", stdin="not json\n")
    assert done.returncode == 2 and "line 1" in done.stderr


@pytest.mark.slow
def test_extraction_quality_on_skillspan_dev():
    if not SHARED_EVAL.exists():
        pytest.fail(f"the shared evaluation script is expected at {SHARED_EVAL}")
    postings = SHARED_EVAL.parents[1] / "data" / "skillspan" / "postings-train-dev.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            str(SHARED_EVAL),
            str(postings),
            "--split",
            "dev",
            "--",
            SKILLBRIDGE,
            "extract-skills",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    total = done.stdout.splitlines()[-1]
    scores = dict(part.split("=") for part in total.split()[1:])
    assert float(scores["P"]) >= 0.80 and float(scores["R"]) >= 0.70, total


def test_submit_writes_complete_files_into_the_inbox(tmp_path):
    cv = tmp_path / "cv.txt"
    cv.write_text("Python developer")
    done = run("submit", str(cv), "--kind", "resume", env={"SKILLBRIDGE_HOME": str(tmp_path / "h")})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "h" / "inbox" / "resumes" / "cv.txt").read_text() == "Python developer"
    assert not [
        p for p in (tmp_path / "h" / "inbox" / "resumes").iterdir() if p.name.startswith(".")
    ]
    missing = run("submit", str(tmp_path / "nope.pdf"), "--kind", "jd")
    assert missing.returncode == 2 and "not a file" in missing.stderr


@pytest.mark.slow
def test_demo_runs_on_a_fresh_home_and_is_idempotent(tmp_path):
    env = {"SKILLBRIDGE_HOME": str(tmp_path / "home"), "DAGSTER_HOME": str(tmp_path / "dagster")}
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    first = run("demo", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "resumes: 5 documents (5 extracted)" in first.stdout
    assert "jds: 6 documents (6 extracted)" in first.stdout
    assert "Cloud & DevOps" in first.stdout
    second = run("demo", env=env)
    assert second.returncode == 0
    assert "Executed 0 runs" in second.stdout and "resumes: 5 documents" in second.stdout
