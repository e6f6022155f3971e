"""Analysis requests through the inbox: documents and request files in, scored gaps out."""

import json
from pathlib import Path

import pytest
from conftest import SAMPLES, with_trained_model
from dagster import AssetKey, instance_for_test

from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.documents.intake import write_request
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import copy_samples, execute, run_pending

pytestmark = pytest.mark.slow


def test_requests_become_one_batched_gap_run_and_stored_analyses(trained, tmp_path):
    home, resources, store, _ = trained
    inbox = home / "inbox"
    copy_samples(inbox)
    (inbox / "requests" / "broken.json").write_text('{"resume_id": "nope"')
    (inbox / "resumes" / "empty.txt").write_bytes(b"")
    write_request(
        inbox,
        document_id(b""),
        document_id((SAMPLES / "jds" / "junior_frontend_developer.json").read_bytes()),
        "s2",
    )
    defs = build_definitions(resources)
    with instance_for_test() as instance:
        runs = run_pending(instance, defs)
        gap_runs = [r for r in instance.get_runs() if r.job_name == "gaps_job"]
        assert len(gap_runs) == 1  # four ready requests: one batch of requests, one run
        assert gap_runs[0].tags["dagster/partition"].startswith("analysis-")
        assert all(ok for _, ok in runs)  # empty.txt failed alone, inside its batch
        for pair in json.loads((SAMPLES / "requests.json").read_text()):
            resume_id = document_id((SAMPLES / "resumes" / pair["resume"]).read_bytes())
            jd_id = document_id((SAMPLES / "jds" / pair["jd"]).read_bytes())
            result = store.get_analysis(resume_id, jd_id)
            assert result and 0 <= result["overall_match"] <= 1 and result["skill_gaps"]
            stored = store.get_roadmap(resume_id, jd_id)
            assert stored["roadmap"]["mode"] == "template"  # no key: templates, no network
            assert list(stored["roadmap"]["weeks"]) == ["week1", "week2", "week3", "week4"]
            assert isinstance(stored["suggestions"], list)
        assert run_pending(instance, defs) == []  # nothing left: no duplicate scoring
        # The feature table is the edge into skill_gaps: a re-run of gap_features and skill_gaps
        # for the batch reproduces the stored analyses exactly.
        batch = gap_runs[0].tags["dagster/partition"]
        pairs = [(r.resume_id, r.jd_id) for r in store.requests_in_batch(batch)]
        before = [store.get_analysis_json(*pair) for pair in pairs]
        features = instance.get_latest_materialization_event(AssetKey("gap_features"))
        assert features.asset_materialization.metadata["rows"].value > 0
        assert execute(instance, defs, "gaps_job", batch)[1]
        assert [store.get_analysis_json(*pair) for pair in pairs] == before
        # Every phrase was embedded by the documents' skill_embeddings: scoring embeds none.
        for asset in ("gap_features", "skill_gaps"):
            event = instance.get_latest_materialization_event(AssetKey(asset))
            assert event.asset_materialization.metadata["phrases_embedded"].value == 0
        # The UI shows which resume met which job, and the answer, by name.
        for asset in ("skill_gaps", "roadmaps"):
            event = instance.get_latest_materialization_event(AssetKey(asset))
            table = event.asset_materialization.metadata["analyses_table"].value
            assert "| Resume | Job | Match | Top gaps |" in table
            assert "| ana_silva_backend.txt | Cloud DevOps Engineer" in table, table
    done = store.requests_with_status("done", 100)
    assert len(done) == 4
    [failed] = store.requests_with_status("failed", 100)
    assert failed.error == "the resume failed: file is empty"
    rejected = inbox / "rejected" / "requests"
    assert (rejected / "broken.json").exists()
    assert "not valid JSON" in (rejected / "broken.json.error.txt").read_text()


def test_new_resumes_for_an_extracted_jd_are_extracted_and_scored_in_one_run(trained, tmp_path):
    from skillbridge_pipeline.resources import embedded_resources

    resources = embedded_resources(tmp_path)
    with_trained_model(trained, tmp_path)
    store = ResultsStore(resources["results_store"].url)
    inbox = tmp_path / "inbox"
    jd = (SAMPLES / "jds" / "junior_frontend_developer.json").read_bytes()
    resume = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_bytes()
    (inbox / "jds").mkdir(parents=True)
    (inbox / "jds" / "jd.json").write_bytes(jd)
    defs = build_definitions(resources)
    with instance_for_test() as instance:
        run_pending(instance, defs)  # the JD first
        (inbox / "resumes").mkdir()
        (inbox / "resumes" / "ana.txt").write_bytes(resume)
        (inbox / "resumes" / "empty.txt").write_bytes(b"")
        write_request(inbox, document_id(resume), document_id(jd), "s1")
        write_request(inbox, document_id(b""), document_id(jd), "s2")
        runs = [instance.get_run_by_id(run_id) for run_id, _ in run_pending(instance, defs)]
    [first] = runs  # one run: no separate gap run, and the empty file failed alone in it
    assert first.job_name == "resumes_and_gaps_job" and first.is_success
    assert first.tags["skillbridge/requests"] == "2"
    [done] = store.requests_with_status("done", 10)
    assert done.resume_id == document_id(resume)
    assert done.batch_key.startswith("resume-")  # the batch that extracted and scored it
    assert store.get_analysis(document_id(resume), document_id(jd))["skill_gaps"]
    assert store.get_roadmap(document_id(resume), document_id(jd))["roadmap"]["weeks"]
    [failed] = store.requests_with_status("failed", 10)
    assert failed.error == "the resume failed: file is empty"


def analyze(home: Path, *args: str, cwd: Path | None = None):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [str(Path(sys.executable).with_name("skillbridge")), "analyze", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SKILLBRIDGE_HOME": str(home)},
        cwd=cwd,
        timeout=300,
    )


BEN = str(SAMPLES / "resumes" / "ben_okafor_data.pdf")
PLATFORM = str(SAMPLES / "jds" / "senior_data_platform_engineer.html")


def test_analyze_gives_the_whole_answer_and_the_report_page(trained, tmp_path):
    home = tmp_path / "home"
    with_trained_model(trained, home)
    report = tmp_path / "report.html"
    done = analyze(home, "--json", "--resume", BEN, "--jd", PLATFORM, "--html", str(report))
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert {"resume", "jd", "analysis", "roadmap", "suggestions"} <= set(answer)
    analysis = answer["analysis"]
    assert {"resume_id", "jd_id", "overall_match", "skill_gaps", "missing_skills"} <= set(analysis)
    assert "Apache Kafka" in analysis["missing_skills"] and "Python" in analysis["matched_skills"]
    assert answer["jd"]["title"] == "Senior Data Platform Engineer"
    weeks = answer["roadmap"]["weeks"]
    assert list(weeks) == ["week1", "week2", "week3", "week4"]
    focus = [s for w in weeks.values() for s in w["focus_skills"]]
    assert len(focus) == len(set(focus))
    assert isinstance(answer["suggestions"], list)
    page = report.read_text()
    assert "Senior Data Platform Engineer" in page and "All jobs" not in page
    assert "4-week roadmap" in page and weeks["week1"]["focus_skills"][0] in page


def test_analyze_ranks_many_jds_and_runs_a_batch_of_pairs(trained, tmp_path):
    home = tmp_path / "home"
    with_trained_model(trained, home)
    jds = [PLATFORM, str(SAMPLES / "jds" / "junior_frontend_developer.json")]
    ranked = analyze(home, "--json", "--resume", BEN, *(a for jd in jds for a in ("--jd", jd)))
    assert ranked.returncode == 0, ranked.stderr[-2000:]
    answers = json.loads(ranked.stdout)
    matches = [a["analysis"]["overall_match"] for a in answers]
    assert len(matches) == 2 and matches == sorted(matches, reverse=True)
    page = tmp_path / "compare.html"
    jd_args = [a for jd in jds for a in ("--jd", jd)]
    text = analyze(home, "--resume", BEN, *jd_args, "--html", str(page))
    assert "best match first" in text.stdout and "Senior Data Platform Engineer" in text.stdout
    compared = page.read_text()  # one resume against both jobs, the best first
    assert "One resume, 2 jobs" in compared
    best, second = (a["jd"]["title"] for a in answers)
    assert compared.index(best) < compared.index(second)

    (tmp_path / "jd.txt").write_text("Requirements: Python, Docker and Kubernetes.")
    (tmp_path / "empty.txt").write_text("")
    lines = [
        {"id": "a", "resume": BEN, "jd": PLATFORM},
        {"id": "b", "resume": BEN, "jd": "jd.txt"},  # relative to the pairs file
        {"id": "c", "resume": BEN, "jd": "missing.txt"},
        {"id": "d", "resume": "empty.txt", "jd": "jd.txt"},
        {"id": "e", "resume": BEN},
    ]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    out = tmp_path / "out.jsonl"
    done = analyze(home, "--batch", str(pairs), "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "analyze" in done.stderr and "4 failed" in done.stderr  # the bar, then the count
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in results] == ["a", "b", "c", "d", "e", 6]
    assert "roadmap" in results[0] and "roadmap" in results[1]
    assert "missing.txt: no such file" in results[2]["error"]
    assert "empty.txt: file is empty" in results[3]["error"]  # which file, and why
    assert "jd" in results[4]["error"] and "line 6" in results[5]["error"]


def test_analyze_refuses_wrong_arguments_clearly(tmp_path):
    for args, says in [
        (["--resume", BEN], "give --resume and --jd"),
        (["--batch", "p.jsonl", "--resume", BEN], "--batch takes its pairs from the file"),
        (["--resume", str(tmp_path), "--jd", PLATFORM], "not a file"),
        (["--resume", str(tmp_path / "missing.pdf"), "--jd", PLATFORM], "no such file"),
        (["--batch", str(tmp_path / "none.jsonl")], "no such file"),
    ]:
        done = analyze(tmp_path / "home", *args)
        assert done.returncode == 2 and says in done.stderr, (args, done.stderr[-500:])
        assert "Traceback" not in done.stderr


def test_llm_endpoint_down_gives_fallback_roadmaps_and_no_dead_letters(trained, tmp_path):
    import socket

    from skillbridge_pipeline.core.store import dead_letters
    from skillbridge_pipeline.resources import LlmResource, embedded_resources

    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    resources = embedded_resources(tmp_path)
    resources["llm_client"] = LlmResource(
        api_key="test-key", base_url=f"http://127.0.0.1:{closed}", timeout_seconds=1
    )
    with_trained_model(trained, tmp_path)
    copy_samples(tmp_path / "inbox")
    store = ResultsStore(resources["results_store"].url)
    with instance_for_test() as instance:
        runs = run_pending(instance, build_definitions(resources))
    assert runs and all(ok for _, ok in runs)
    for pair in json.loads((SAMPLES / "requests.json").read_text()):
        stored = store.get_roadmap(
            document_id((SAMPLES / "resumes" / pair["resume"]).read_bytes()),
            document_id((SAMPLES / "jds" / pair["jd"]).read_bytes()),
        )
        assert stored["roadmap"]["mode"] == "fallback"
        assert list(stored["roadmap"]["weeks"]) == ["week1", "week2", "week3", "week4"]
    assert dead_letters.listing(store) == []


# The examples end to end (issue 29): the gaps that must and must not appear, and the
# weeks that must and must not be planned, through `analyze --batch`.
COACH_PAIRS = {
    "pytorch": (
        "ML engineer. Trained and deployed PyTorch models for fraud detection; Python, SQL.",
        "Machine Learning Engineer\nRequirements:\n- Experience with PyTorch or TensorFlow\n"
        "- Python\n- Docker\n",
        {"must": ["Docker"], "never": ["TensorFlow"]},
    ),
    "vue": (
        "Frontend developer: four years building Vue.js apps with TypeScript and CSS.",
        "Frontend Developer\nRequirements: one or more of React, Angular or Vue; TypeScript; "
        "CSS; GraphQL.\n",
        {"must": ["GraphQL"], "never": ["React", "Angular"]},
    ),
    "traits": (
        "Data analyst: SQL, Tableau and Python dashboards for a retailer.",
        "Data Analyst\nRequirements:\n- You are proactive and self-motivated\n- You keep up "
        "with technology trends\n- SQL\n- dbt\n- Fluent German\n- Bachelor's degree in Computer "
        "Science\n",
        {
            "must": ["dbt"],
            "never": ["Self-motivation", "Technology trends", "German", "Computer science"],
        },
    ),
    "git": (
        "Analyst: Excel and SQL reporting.",
        "Developer\nRequirements:\n- Git and version control\n- Python\n",
        {"must": ["Git", "Python"], "never": ["Version control"]},
    ),
}


def test_analyze_gives_advice_a_coach_would_sign(trained, tmp_path):
    home = tmp_path / "home"
    with_trained_model(trained, home)
    lines = []
    for name, (resume, jd, _) in COACH_PAIRS.items():
        (tmp_path / f"{name}-cv.txt").write_text(resume)
        (tmp_path / f"{name}-jd.txt").write_text(jd)
        lines.append({"id": name, "resume": f"{name}-cv.txt", "jd": f"{name}-jd.txt"})
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps(line) for line in lines))
    out = tmp_path / "out.jsonl"
    done = analyze(home, "--batch", str(pairs), "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    for answer in map(json.loads, out.read_text().splitlines()):
        expected = COACH_PAIRS[answer["id"]][2]
        gaps = [
            g
            for g in answer["analysis"]["skill_gaps"]
            if g["coverage"] != "Strong" and g["action"] == "learn"
        ]
        named = {g["name"] for g in gaps} | {g["focus"] for g in gaps}
        weeks = [s for w in answer["roadmap"]["weeks"].values() for s in w["focus_skills"]]
        for skill in expected["must"]:
            assert skill in named and skill in weeks, (answer["id"], skill, named, weeks)
        for skill in expected["never"]:
            assert skill not in named and skill not in weeks, (answer["id"], skill)
        assert all(w.get("why") for w in answer["roadmap"]["weeks"].values())
        for gap in answer["analysis"]["skill_gaps"]:
            assert {"kind", "action", "group", "focus", "years"} <= set(gap)
    traits = next(
        json.loads(line) for line in out.read_text().splitlines() if '"traits"' in line[:20]
    )
    assert "German" in {p["skill"] for p in traits["roadmap"]["long_paths"]}
    assert "Self-motivation" in {s["skill"] for s in traits["roadmap"]["show_in_resume"]}
