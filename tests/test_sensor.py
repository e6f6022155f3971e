"""The inbox sensor, evaluated with build_sensor_context against a real (temporary) instance."""

from datetime import timedelta
from pathlib import Path

import pytest
from dagster import SkipReason, build_sensor_context, instance_for_test
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from skillbridge_pipeline.assets.documents import STRICT_TAG
from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.resources import InboxResource, embedded_resources
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor


@pytest.fixture
def instance():
    with instance_for_test() as test_instance:
        yield test_instance


def resources(home: Path, **inbox_overrides) -> dict:
    chosen = embedded_resources(home)
    if inbox_overrides:
        chosen["inbox"] = InboxResource(path=str(home / "inbox"), **inbox_overrides)
    return chosen


def tick(instance, chosen):
    with build_sensor_context(instance=instance, resources=chosen) as context:
        return document_inbox_sensor(context)


def drop(home: Path, folder: str, count: int, prefix: str = "doc") -> None:
    target = home / "inbox" / folder
    target.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (target / f"{prefix}{i:05d}.txt").write_text(f"Engineer {i} with Python and SQL.\n")


def store_of(home: Path) -> ResultsStore:
    return ResultsStore(f"sqlite:///{home / 'results.db'}")


def test_a_burst_becomes_a_few_batched_runs(tmp_path, instance):
    drop(tmp_path, "resumes", 990)
    drop(tmp_path, "jds", 10, prefix="jd")
    result = tick(instance, resources(tmp_path))
    resume_runs = [r for r in result.run_requests if r.job_name == "resumes_job"]
    assert len(resume_runs) == 4  # 990 documents in batches of 250
    assert len([r for r in result.run_requests if r.job_name == "jds_job"]) == 1
    added = {r.partitions_def_name: r.partition_keys for r in result.dynamic_partitions_requests}
    assert len(added["resumes"]) == 990 and len(added["jds"]) == 10
    # Each run covers a contiguous range of the keys this tick adds, in order.
    covered = []
    for run in resume_runs:
        start = added["resumes"].index(run.tags[ASSET_PARTITION_RANGE_START_TAG])
        end = added["resumes"].index(run.tags[ASSET_PARTITION_RANGE_END_TAG])
        covered += added["resumes"][start : end + 1]
    assert covered == added["resumes"]
    assert len({r.run_key for r in result.run_requests}) == 5
    # The inbox is drained into processed/, and the raw bytes are in the landing store.
    assert not list((tmp_path / "inbox" / "resumes").iterdir())
    assert len(list((tmp_path / "inbox" / "processed" / "resumes").iterdir())) == 990
    assert len(list((tmp_path / "landing" / "resumes").rglob("*.txt"))) == 990
    # Nothing new: the next tick skips.
    assert isinstance(tick(instance, resources(tmp_path)), SkipReason)


def test_each_tick_is_bounded(tmp_path, instance):
    drop(tmp_path, "resumes", 250)
    chosen = resources(tmp_path, max_files_per_tick=100, max_documents_per_tick=60, batch_size=25)
    first = tick(instance, chosen)
    assert len(first.run_requests) == 3  # 60 documents this tick, 25 a run
    assert len(list((tmp_path / "inbox" / "resumes").iterdir())) == 150
    second = tick(instance, chosen)
    assert len(second.run_requests) == 3
    assert {r.run_key for r in first.run_requests}.isdisjoint(
        r.run_key for r in second.run_requests
    )


def test_same_bytes_twice_are_one_document(tmp_path, instance):
    folder = tmp_path / "inbox" / "resumes"
    folder.mkdir(parents=True)
    body = b"Ana Silva\nPython, Django, PostgreSQL\n"
    (folder / "ana.txt").write_bytes(body)
    (folder / "ana (copy).txt").write_bytes(body)
    result = tick(instance, resources(tmp_path))
    assert [r.partition_key for r in result.run_requests] == [document_id(body)]
    assert result.dynamic_partitions_requests[0].partition_keys == [document_id(body)]
    (folder / "ana again.txt").write_bytes(body)  # later, again
    assert isinstance(tick(instance, resources(tmp_path)), SkipReason)


def test_a_lost_tick_is_requested_again_with_the_same_run_key(tmp_path, instance):
    drop(tmp_path, "jds", 3)
    first = tick(instance, resources(tmp_path))
    store = store_of(tmp_path)
    assert store.stale_batches(timedelta(seconds=-1), 5)  # dispatched, never started
    import skillbridge_pipeline.sensors.inbox_sensor as module

    original = module.STALE_AFTER
    module.STALE_AFTER = timedelta(seconds=-1)
    try:
        again = tick(instance, resources(tmp_path))
    finally:
        module.STALE_AFTER = original
    assert [r.run_key for r in again.run_requests] == [r.run_key for r in first.run_requests]
    assert again.run_requests[0].tags == first.run_requests[0].tags


def test_a_failed_document_is_rerun_alone_in_strict_mode_once(tmp_path, instance):
    drop(tmp_path, "resumes", 1)
    tick(instance, resources(tmp_path))
    store = store_of(tmp_path)
    doc = store.undispatched(10) or None
    assert doc is None
    [record] = [r for r in store.stale_batches(timedelta(seconds=-1), 5)]
    store.record_failed("resume", record[2][0], "parse", "file is empty")
    result = tick(instance, resources(tmp_path))
    [request] = result.run_requests
    assert request.partition_key == record[2][0]
    assert request.tags[STRICT_TAG] == "true"
    assert isinstance(tick(instance, resources(tmp_path)), SkipReason)


def test_analysis_requests_wait_for_a_trained_model(tmp_path, instance):
    from skillbridge_pipeline.sensors.analysis_sensor import analysis_sensor

    store = store_of(tmp_path)
    store.create_schema()
    store.add_request("r1", "a" * 16, "b" * 16, None, source="inbox")
    with build_sensor_context(instance=instance, resources=resources(tmp_path)) as context:
        result = analysis_sensor(context)
    assert isinstance(result, SkipReason)
    assert "wait for a trained gap model" in result.skip_message


@pytest.mark.parametrize("model_trained", [False, True])
def test_resumes_that_requests_wait_on_get_the_run_that_scores_them(
    tmp_path, instance, model_trained
):
    store = store_of(tmp_path)
    store.create_schema()
    jd_id = "b" * 16
    store.land("jd", jd_id, filename="jd.txt", size_bytes=1, source="inbox", landing_path="x")
    store.replace_skills(
        "jd",
        [{"doc_id": jd_id, "skills": [], "title": None, "role_family": None, "seniority": None}],
    )
    if model_trained:  # the sensor only asks whether a version exists
        (tmp_path / "models" / "gap_model").mkdir(parents=True)
        (tmp_path / "models" / "gap_model" / "LATEST").write_text("v1")
    drop(tmp_path, "resumes", 3)
    resume_ids = [
        document_id(p.read_bytes()) for p in sorted((tmp_path / "inbox" / "resumes").iterdir())
    ]
    store.add_request("r0", resume_ids[0], jd_id, None, source="inbox")
    store.add_request("r1", resume_ids[1], jd_id, None, source="inbox")
    store.add_request("r-unknown-jd", resume_ids[1], "c" * 16, None, source="inbox")

    [run] = tick(instance, resources(tmp_path)).run_requests
    statuses = {r.request_id: (r.status, r.run_key) for r in store.requests_for_resumes(resume_ids)}
    if not model_trained:
        assert run.job_name == "resumes_job"
        assert {status for status, _ in statuses.values()} == {"pending"}
        return
    assert run.job_name == "resumes_and_gaps_job"
    assert run.tags["skillbridge/requests"] == "2"
    assert statuses == {
        "r0": ("scoring", run.run_key),
        "r1": ("scoring", run.run_key),
        "r-unknown-jd": ("pending", None),  # left to the analysis sensor
    }
