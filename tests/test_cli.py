"""The command line as a user runs it (subprocesses on the installed entry point)."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED, with_trained_model

SKILLBRIDGE = str(Path(sys.executable).with_name("skillbridge"))
SHARED_EVAL = SHARED / "eval" / "skill_extraction_eval.py"


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
    assert float(scores["P"]) >= 0.83 and float(scores["R"]) >= 0.70, total


def test_submit_writes_complete_files_that_never_collide(tmp_path):
    from skillbridge_pipeline.core.documents.identity import document_id
    from skillbridge_pipeline.core.documents.intake import original_name, scan_inbox

    env = {"SKILLBRIDGE_HOME": str(tmp_path / "h")}
    inbox = tmp_path / "h" / "inbox"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "cv.txt").write_text("Python developer")
    (tmp_path / "b" / "cv.txt").write_text("Java developer")
    for folder in "ab":  # release 1: the second overwrote the first before a tick
        done = run("submit", str(tmp_path / folder / "cv.txt"), "--kind", "resume", env=env)
        assert done.returncode == 0, done.stderr
    landed = sorted(p.name for p in (inbox / "resumes").iterdir())
    assert landed == sorted(
        f"{document_id(t.encode())}--cv.txt" for t in ("Python developer", "Java developer")
    )
    assert {original_name(f.path.name) for f in scan_inbox(inbox, 10).files} == {"cv.txt"}
    assert sorted(f.path.read_text() for f in scan_inbox(inbox, 10).files) == [
        "Java developer",
        "Python developer",
    ]
    missing = run("submit", str(tmp_path / "nope.pdf"), "--kind", "jd", env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr


@pytest.mark.parametrize(
    ("name", "says"),
    [(".cv.txt", "hidden file"), ("cv.txt.part", ".part"), ("cv.txt.crdownload", ".crdownload")],
)
def test_submit_refuses_names_the_inbox_would_ignore(tmp_path, name, says):
    (tmp_path / name).write_text("Python developer")
    done = run(
        "submit", str(tmp_path / name), "--kind", "resume", env={"SKILLBRIDGE_HOME": str(tmp_path)}
    )
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "inbox").exists()  # release 1: "submitted", then never processed


@pytest.mark.parametrize(
    ("jd", "says"),
    [("ftp://example.org/job", "an http(s) URL"), ("missing-jd.txt", "no such file")],
)
def test_submit_checks_every_argument_before_copying_anything(tmp_path, jd, says):
    (tmp_path / "cv.txt").write_text("Python developer")
    done = run(
        "submit",
        "--resume",
        str(tmp_path / "cv.txt"),
        "--jd",
        jd,
        env={"SKILLBRIDGE_HOME": str(tmp_path)},
        cwd=tmp_path,
    )
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert not (tmp_path / "inbox").exists()  # release 1 copied the resume, then failed


@pytest.mark.slow
def test_demo_runs_on_a_new_home_and_is_idempotent(trained, tmp_path):
    # The home has the session's model: training on a fresh home is the `trained` fixture's
    # own run of the same job, and paying for it twice would cost minutes of the suite.
    home = with_trained_model(trained, tmp_path / "home")
    env = {"SKILLBRIDGE_HOME": str(home), "DAGSTER_HOME": str(tmp_path / "dagster")}
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    first = run("demo", env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "resumes: 5 documents (5 extracted)" in first.stdout
    assert "jds: 6 documents (6 extracted)" in first.stdout
    assert "Cloud & DevOps" in first.stdout
    assert "Trained the gap model" not in first.stdout and "not scored" not in first.stdout
    second = run("demo", env=env)
    assert second.returncode == 0
    assert "Executed 0 runs" in second.stdout and "resumes: 5 documents" in second.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "env", "says"),
    [
        (["dlq", "show", "abc"], "", {}, "'abc' is not a whole number"),
        (["dlq", "replay", "abc"], "", {}, "'abc' is not a whole number"),
        (["dlq", "replay"], "", {}, "takes dead-letter ids, or --all"),
        (["dlq", "replay", "999999"], "", {}, "unknown dead letter id 999999"),
        (["dlq", "show", "999999"], "", {}, "unknown dead letter id 999999"),
        (["dlq", "list", "--limit", "-5"], "", {}, "-5 is not a positive number"),
        (["tokens", "revoke", "abc"], "", {}, "'abc' is not a whole number"),
        (["api", "--port", "99999"], "", {}, "99999 is not a TCP port"),
        (["extract-skills"], '{"id": 1, "text": 5}\n', {}, '"text" must be a string'),
        (["extract-skills"], '{"id": 1}\n', {}, "no 'text'"),
        (["status"], "", {"SKILLBRIDGE_ENV": "production"}, "SKILLBRIDGE_RESULTS_URL is not set"),
        (["status"], "", {"SKILLBRIDGE_ENV": "staging"}, "SKILLBRIDGE_ENV must be one of"),
    ],
)
def test_ordinary_mistakes_get_a_clear_message_and_no_traceback(tmp_path, args, stdin, env, says):
    done = run(*args, stdin=stdin, env={"SKILLBRIDGE_HOME": str(tmp_path), **env})
    assert done.returncode == 2, (args, done.stdout, done.stderr[-800:])
    assert says in done.stderr and "Traceback" not in done.stderr, done.stderr[-800:]


@pytest.mark.parametrize(
    ("body", "says"), [("not json", "is not a JSON request"), ("[1, 2]", "not a list")]
)
def test_publish_refuses_a_request_that_is_not_one_json_object(tmp_path, body, says):
    request = tmp_path / "request.json"
    request.write_text(body)
    done = run("publish", str(request), "--kind", "request", "--bootstrap", "127.0.0.1:9")
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr


def test_every_option_has_a_help_line():
    from skillbridge_pipeline.cli import parser

    top = parser()
    [commands] = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    missing = [
        f"{name} {'/'.join(action.option_strings) or action.dest}"
        for name, command in commands.choices.items()
        for action in command._actions
        if not isinstance(action, argparse._HelpAction) and not action.help
    ]
    assert missing == []
    assert all(c.help for c in commands._choices_actions)
