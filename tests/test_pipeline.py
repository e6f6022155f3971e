"""The document pipeline end to end on real parts: inbox -> sensor -> batched runs -> store.

A batch holding good and bad documents: the good ones are extracted, each bad one is marked
failed with a reason a person understands, its raw bytes stay in the landing store, and its
strict re-run fails visibly in Dagster.
"""

import json
import shutil
from pathlib import Path

import pytest
from conftest import make_encrypted_pdf, make_image_only_pdf, make_pdf
from dagster import AssetKey, DagsterRunStatus, instance_for_test
from dagster._core.storage.partition_status_cache import get_and_update_asset_status_cache_value

from skillbridge_pipeline.assets.documents import DOCUMENT_PARTITIONS
from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import copy_samples, run_pending
from skillbridge_pipeline.resources import LandingStoreResource, embedded_resources

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).parents[1] / "data" / "samples"
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

    batch_runs = [
        r
        for r in runs
        if r[0] and instance.get_run_by_id(r[0]).tags.get("skillbridge/source") == "inbox"
    ]
    assert len(batch_runs) == 1 and batch_runs[0][1] is True  # one run, not failed by neighbours
    for name in ["priya.pdf", "priya.txt"]:
        doc_id = document_id((inbox.parent / "processed" / "resumes" / name).read_bytes())
        record = store.get_document("resume", doc_id)
        assert record["status"] == "extracted", record
        skills = {s["name"] for s in store.document_skills("resume", doc_id)}
        assert {"Python", "Apache Spark", "Apache Airflow", "SQL", "Docker"} <= skills

    failed_runs = [r for r in runs if not r[1]]
    assert len(failed_runs) == len(BAD_RESUMES)  # each bad document fails visibly, alone
    for name, (data, expected) in BAD_RESUMES.items():
        doc_id = document_id(data)
        record = store.get_document("resume", doc_id)
        assert record["status"] == "failed", name
        assert expected in record["error"], (name, record["error"])
        assert Path(record["landing_path"]).read_bytes() == data  # raw bytes kept
        run = instance.get_run_by_id(
            next(r.run_id for r in instance.get_runs() if r.tags.get("dagster/partition") == doc_id)
        )
        assert run.status == DagsterRunStatus.FAILURE
        assert run.tags["skillbridge/strict"] == "true"
    # The UI's partition status (the same cache the webserver reads) shows them failed.
    partitions = DOCUMENT_PARTITIONS["resume"]
    status = get_and_update_asset_status_cache_value(instance, AssetKey("resume_texts"), partitions)
    failed = set(status.deserialize_failed_partition_subsets(partitions).get_partition_keys())
    assert failed == {document_id(d) for d, _ in BAD_RESUMES.values()}


def test_checks_pass_and_each_document_has_its_own_metadata(pipeline):
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
    assert metadata["status"].value == "extracted" and metadata["skills"].value > 0
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
