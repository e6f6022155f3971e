"""The document pipeline end to end on real parts: inbox -> sensor -> batch runs -> store.

A batch holding good and bad documents: the good ones are extracted, each bad one is marked
failed with a reason a person understands and its dead letter, its raw bytes stay in the
landing store, and the batch's run succeeds. Replaying a bad document runs it alone in strict
mode, where it fails visibly in Dagster.
"""

import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES, make_encrypted_pdf, make_image_only_pdf, make_pdf
from dagster import AssetKey, DagsterRunStatus, instance_for_test

from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore, dead_letters
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import copy_samples, run_pending
from skillbridge_pipeline.replay import replay
from skillbridge_pipeline.resources import LandingStoreResource, embedded_resources

pytestmark = pytest.mark.slow
RESUME = "Priya Natarajan\nData Engineer\n\nPython, Apache Spark, Airflow, SQL and Docker.\n"
BAD_RESUMES = {
    "corrupt.pdf": (make_pdf(RESUME)[:400], "corrupt"),
    "locked.pdf": (make_encrypted_pdf(RESUME), "password"),
    "scan.pdf": (make_image_only_pdf(), "no text layer"),
    "empty.txt": (b"", "empty"),
    "garbage.txt": (bytes(range(256)) * 30, "binary"),
    "latin1.txt": ("Développeur Python à Genève".encode("latin-1"), "UTF-8"),
    "huge.txt": (b"Python developer. " * 20_000, "limit"),
    "wrong_shape.json": (json.dumps({"work": "ACME, 2019"}).encode(), "must be a list"),
}


@pytest.fixture
def pipeline(tmp_path):
    chosen = embedded_resources(tmp_path)
    chosen["landing"] = LandingStoreResource(
        path=str(tmp_path / "landing"), max_document_bytes=100_000
    )
    with instance_for_test() as instance:
        yield (
            tmp_path,
            instance,
            build_definitions(chosen),
            ResultsStore(chosen["results_store"].url),
        )


def test_good_and_bad_documents_in_one_batch(pipeline):
    home, instance, defs, store = pipeline
    inbox = home / "inbox" / "resumes"
    inbox.mkdir(parents=True)
    (inbox / "priya.pdf").write_bytes(make_pdf(RESUME))
    (inbox / "priya.txt").write_text(RESUME + "Kubernetes too.\n")
    for name, (data, _) in BAD_RESUMES.items():
        (inbox / name).write_bytes(data)

    runs = run_pending(instance, defs)

    assert len(runs) == 1 and runs[0][1] is True  # one batch, one run, not failed by neighbours
    run = instance.get_run_by_id(runs[0][0])
    batch = run.tags["dagster/partition"]
    assert batch.startswith("resume-")
    for name in ["priya.pdf", "priya.txt"]:
        doc_id = document_id((inbox.parent / "processed" / "resumes" / name).read_bytes())
        record = store.get_document("resume", doc_id)
        assert record["status"] == "extracted" and record["batch_key"] == batch, record
        skills = {s["name"] for s in store.document_skills("resume", doc_id)}
        assert {"Python", "Apache Spark", "Apache Airflow", "SQL", "Docker"} <= skills

    letters = {d.subject: d for d in dead_letters.listing(store, "open")}
    for name, (data, expected) in BAD_RESUMES.items():
        doc_id = document_id(data)
        record = store.get_document("resume", doc_id)
        assert record["status"] == "failed", name
        assert expected in record["error"], (name, record["error"])
        assert Path(record["landing_path"]).read_bytes() == data  # raw bytes kept
        assert letters[doc_id].error_message == record["error"]  # its own dead letter
        assert letters[doc_id].partition_key == batch
    # One lineage query: document -> batch -> run.
    [lineage] = store.document_lineage(document_id(BAD_RESUMES["scan.pdf"][0]))
    assert (lineage["run_id"], lineage["batch_status"], lineage["error_stage"]) == (
        run.run_id,
        "done",
        "parse",
    )
    # The batch's materialisation lists its failures, with the reasons, in the UI.
    metadata = instance.get_latest_materialization_event(
        AssetKey("resume_skills")
    ).asset_materialization.metadata
    assert metadata["failed"].value == len(BAD_RESUMES) and metadata["extracted"].value == 2
    assert "no text layer" in metadata["failed_documents"].value
    # ... and each one's reason, by file name, on the asset where it failed.
    texts = instance.get_latest_materialization_event(
        AssetKey("resume_texts")
    ).asset_materialization.metadata
    assert "| scan.pdf | " in texts["failed_at_parse"].value
    assert "no text layer" in texts["failed_at_parse"].value

    # Replaying one bad document runs it alone, strictly: the run fails visibly.
    letter = letters[document_id(BAD_RESUMES["locked.pdf"][0])]
    [(_, success, run_id)] = replay(instance, defs, store, [letter.id])
    strict = instance.get_run_by_id(run_id)
    assert not success and strict.status == DagsterRunStatus.FAILURE
    assert strict.tags["skillbridge/strict"] == "true"
    alone = store.get_batch(strict.tags["dagster/partition"])
    assert (alone.size, alone.strict, alone.status) == (1, 1, "failed")
    assert dead_letters.get(store, letter.id).status == "open"  # failed again: still open


def test_checks_pass_and_each_batch_has_its_metadata(pipeline):
    home, instance, defs, store = pipeline
    copy_samples(home / "inbox", requests=False)
    runs = run_pending(instance, defs)
    assert runs and all(success for _, success in runs)
    for asset in ["resume_texts", "resume_skills", "jd_texts", "jd_skills"]:
        records = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [
                key
                for key in defs.resolve_asset_graph().asset_check_keys
                if key.asset_key == AssetKey(asset)
            ]
        )
        assert records and all(r.status.value == "SUCCEEDED" for r in records.values()), asset
    event = instance.get_latest_materialization_event(AssetKey("jd_skills"))
    metadata = event.asset_materialization.metadata
    assert metadata["extracted"].value == 6 and metadata["skills"].value > 0
    assert metadata["failed"].value == 0 and "| document |" in metadata["preview"].value
    assert "| junior_frontend_developer.json | Junior Frontend Developer |" in (
        metadata["preview"].value
    )  # the batch's page shows file names: the UI's search finds keys, not ids
    counts = store.status_counts()
    assert counts == {("resume", "extracted"): 5, ("jd", "extracted"): 6}


def test_gold_skills_of_the_samples_are_found(pipeline):
    home, instance, defs, store = pipeline
    copy_samples(home / "inbox", requests=False)
    run_pending(instance, defs)
    gold = json.loads((SAMPLES / "gold_skills.json").read_text())
    for filename, expected in gold.items():
        doc_id = document_id((SAMPLES / "resumes" / filename).read_bytes())
        found = {s["name"] for s in store.document_skills("resume", doc_id)}
        assert set(expected) <= found, (filename, set(expected) - found)


def test_rerunning_the_same_documents_converges(pipeline):
    home, instance, defs, store = pipeline
    shutil.copytree(SAMPLES / "resumes", home / "inbox" / "resumes")
    run_pending(instance, defs)
    before = {
        (r["doc_id"]): store.document_skills("resume", r["doc_id"])
        for r in store.failed_documents()
    } or store.status_counts()
    shutil.copytree(SAMPLES / "resumes", home / "inbox" / "resumes", dirs_exist_ok=True)
    assert run_pending(instance, defs) == []  # same bytes: nothing new to run
    assert (store.status_counts() if isinstance(before, dict) else before) == store.status_counts()
