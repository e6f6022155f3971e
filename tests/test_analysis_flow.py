"""Analysis requests through the inbox: documents and request files in, scored gaps out."""

import json
import shutil
from pathlib import Path

import pytest
from dagster import AssetKey, instance_for_test

from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.intake import write_request
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import copy_samples, execute, run_pending

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).parents[1] / "data" / "samples"


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
    shutil.copytree(trained[0] / "models", tmp_path / "models")
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


def test_analyze_cli_json(trained, tmp_path):
    import os
    import subprocess
    import sys

    home = trained[0]
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("skillbridge")),
            "analyze",
            "--json",
            "--resume",
            str(SAMPLES / "resumes" / "ben_okafor_data.pdf"),
            "--jd",
            str(SAMPLES / "jds" / "senior_data_platform_engineer.html"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SKILLBRIDGE_HOME": str(home)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert {
        "resume_id",
        "jd_id",
        "overall_match",
        "skill_gaps",
        "missing_skills",
        "matched_skills",
    } <= set(result)
    assert "Apache Kafka" in result["missing_skills"] and "Python" in result["matched_skills"]
    bad = subprocess.run(
        [
            str(Path(sys.executable).with_name("skillbridge")),
            "analyze",
            "--resume",
            str(tmp_path / "missing.pdf"),
            "--jd",
            str(tmp_path / "x.txt"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SKILLBRIDGE_HOME": str(home)},
    )
    assert bad.returncode == 2 and "cannot analyse" in bad.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_llm_endpoint_down_gives_fallback_roadmaps_and_no_dead_letters(trained, tmp_path):
    import socket

    from skillbridge_pipeline.core import dead_letters
    from skillbridge_pipeline.resources import LlmResource, embedded_resources

    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    resources = embedded_resources(tmp_path)
    resources["llm_client"] = LlmResource(
        api_key="test-key", base_url=f"http://127.0.0.1:{closed}", timeout_seconds=1
    )
    shutil.copytree(trained[0] / "models", tmp_path / "models")
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
