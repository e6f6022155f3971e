"""The inbox sensor, evaluated with build_sensor_context against a real (temporary) instance."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from dagster import SkipReason, build_sensor_context, instance_for_test

from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.store import ResultsStore, dead_letters
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
        (target / f"{prefix}{i:05d}.txt").write_text(f"{prefix} engineer {i}: Python and SQL.\n")


def store_of(home: Path) -> ResultsStore:
    return ResultsStore(f"sqlite:///{home / 'results.db'}")


def partition_keys(result) -> list[str]:
    return [k for r in result.dynamic_partitions_requests for k in r.partition_keys]


def test_a_burst_becomes_a_few_batches(tmp_path, instance):
    drop(tmp_path, "resumes", 990)
    drop(tmp_path, "jds", 10, prefix="jd")
    result = tick(instance, resources(tmp_path, max_batch_size=250))
    resume_runs = [r for r in result.run_requests if r.job_name == "resumes_job"]
    assert len(resume_runs) == 4  # 990 documents in 4 equal batches of at most 250
    assert len([r for r in result.run_requests if r.job_name == "jds_job"]) == 1
    # One partition per batch, keyed by the batch: the run's key and its partition.
    assert partition_keys(result) == [r.partition_key for r in result.run_requests]
    assert all(r.run_key == r.partition_key for r in result.run_requests)
    assert all(r.partition_key.startswith(("resume-", "jd-")) for r in result.run_requests)
    store = store_of(tmp_path)
    sizes = [store.get_batch(r.partition_key).size for r in resume_runs]
    assert sizes == [248, 248, 247, 247]
    # Each document in exactly one batch.
    _, documents = store.list_documents("resume", 0, 2000)
    assert len(documents) == 990
    assert {d["batch_key"] for d in documents} == {r.partition_key for r in resume_runs}
    # The inbox is drained into processed/, and the raw bytes are in the landing store.
    assert not list((tmp_path / "inbox" / "resumes").iterdir())
    assert len(list((tmp_path / "inbox" / "processed" / "resumes").iterdir())) == 990
    assert len(list((tmp_path / "landing" / "resumes").rglob("*.txt"))) == 990
    # Nothing new: the next tick skips.
    assert tick(instance, resources(tmp_path)).skip_reason


def test_batch_size_follows_the_backlog(tmp_path, instance):
    drop(tmp_path, "resumes", 3)
    [small] = tick(instance, resources(tmp_path)).run_requests  # low volume: all that waits
    assert store_of(tmp_path).get_batch(small.partition_key).size == 3
    drop(tmp_path, "resumes", 1500, prefix="more")
    result = tick(instance, resources(tmp_path, max_files_per_tick=2000))
    assert [store_of(tmp_path).get_batch(r.partition_key).size for r in result.run_requests] == [
        750,
        750,
    ]


def test_each_tick_is_bounded(tmp_path, instance):
    drop(tmp_path, "resumes", 250)
    chosen = resources(
        tmp_path, max_files_per_tick=100, max_documents_per_tick=60, max_batch_size=25
    )
    first = tick(instance, chosen)
    assert len(first.run_requests) == 3  # 60 documents this tick, at most 25 a batch
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
    [run] = tick(instance, resources(tmp_path)).run_requests
    assert [d.doc_id for d in store_of(tmp_path).batch_documents(run.partition_key)] == [
        document_id(body)
    ]
    (folder / "ana again.txt").write_bytes(body)  # later, again
    assert tick(instance, resources(tmp_path)).skip_reason


def test_a_lost_tick_is_requested_again_then_dead_lettered(tmp_path, instance, monkeypatch):
    import skillbridge_pipeline.sensors.dispatch as dispatch

    drop(tmp_path, "jds", 3)
    [first] = tick(instance, resources(tmp_path)).run_requests  # its run is never created
    monkeypatch.setattr(dispatch, "STALE_AFTER", timedelta(seconds=-1))
    for _ in range(dispatch.MAX_BATCH_REQUESTS - 1):
        [again] = tick(instance, resources(tmp_path)).run_requests
        assert (again.run_key, again.partition_key) == (first.run_key, first.partition_key)
    # Requested enough times: dead-lettered with its documents, never re-requested forever.
    assert tick(instance, resources(tmp_path)).run_requests == []
    store = store_of(tmp_path)
    assert store.get_batch(first.partition_key).status == "dead"
    [letter] = dead_letters.listing(store, "open")
    assert letter.error_type == "BatchNeverStarted"
    assert len(json.loads(letter.payload)["documents"]) == 3
    documents = store.batch_documents(first.partition_key)
    assert {d.status for d in documents} == {"failed"}
    assert "never started" in documents[0].error


def test_a_batch_with_a_run_is_left_to_it(tmp_path, instance, monkeypatch):
    import skillbridge_pipeline.sensors.dispatch as dispatch

    drop(tmp_path, "jds", 1)
    [first] = tick(instance, resources(tmp_path)).run_requests
    from dagster._core.test_utils import create_run_for_test

    run = create_run_for_test(instance, job_name="jds_job", tags=first.tags)  # queued
    assert run.tags["skillbridge/batch"] == first.partition_key
    monkeypatch.setattr(dispatch, "STALE_AFTER", timedelta(seconds=-1))
    assert tick(instance, resources(tmp_path)).run_requests == []  # queued, not lost


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
    statuses = {
        r.request_id: (r.status, r.batch_key) for r in store.requests_for_resumes(resume_ids)
    }
    if not model_trained:
        assert run.job_name == "resumes_job"
        assert {status for status, _ in statuses.values()} == {"pending"}
        return
    assert run.job_name == "resumes_and_gaps_job"
    assert run.tags["skillbridge/requests"] == "2"
    assert statuses == {
        "r0": ("scoring", run.partition_key),
        "r1": ("scoring", run.partition_key),
        "r-unknown-jd": ("pending", None),  # left to the analysis sensor
    }


def test_the_analysis_sensor_batches_ready_requests_and_fails_those_on_failed_documents(
    tmp_path, instance, trained
):
    """analysis_sensor evaluated directly: ready pairs become one batch and one gaps_job run,
    a pair whose resume failed fails with that reason, a pair whose JD is not extracted waits."""
    from skillbridge_pipeline.core.documents.batches import new_batch_key
    from skillbridge_pipeline.resources import ModelStoreResource
    from skillbridge_pipeline.sensors.analysis_sensor import analysis_sensor

    chosen = resources(tmp_path)
    store = store_of(tmp_path)
    store.create_schema()

    def tick_analysis():
        with build_sensor_context(instance=instance, resources=chosen) as context:
            return analysis_sensor(context)

    ids = {}
    for kind, name in [("resume", "ready"), ("resume", "broken"), ("jd", "ready"), ("jd", "late")]:
        ids[kind, name] = document_id(f"{kind} {name}".encode())
        store.land(
            kind, ids[kind, name], filename=name, size_bytes=1, source="cli", landing_path="-"
        )
    for kind in ("resume", "jd"):
        store.claim_documents(kind, new_batch_key(kind), 10, f"{kind}s_job")
    ready = [("resume", ids["resume", "ready"]), ("jd", ids["jd", "ready"])]
    for kind, doc_id in ready:
        store.record_parsed(
            kind, [{"doc_id": doc_id, "format": "text", "text_chars": 6, "text": "Python"}]
        )
        store.replace_skills(kind, [{"doc_id": doc_id, "skills": []}])
    store.record_failed(
        "resume", {ids["resume", "broken"]: "PDF uses an unsupported filter"}, "parse"
    )
    pairs = {
        "scored": (ids["resume", "ready"], ids["jd", "ready"]),
        "doomed": (ids["resume", "broken"], ids["jd", "ready"]),
        "waiting": (ids["resume", "ready"], ids["jd", "late"]),
    }
    for request_id, (resume_id, jd_id) in pairs.items():
        store.add_request(request_id, resume_id, jd_id, None, "cli")

    untrained = tick_analysis()
    assert isinstance(untrained, SkipReason) and "gap_model" in untrained.skip_message

    chosen["models"] = ModelStoreResource(path=str(trained[0] / "models"))
    result = tick_analysis()
    [run] = result.run_requests
    assert run.job_name == "gaps_job" and run.partition_key.startswith("analysis-")
    assert partition_keys(result) == [run.partition_key]
    status = {r: store.get_request(r) for r in pairs}
    assert status["scored"].status == "scoring" and status["scored"].batch_key == run.partition_key
    assert status["doomed"].status == "failed"
    assert "unsupported filter" in status["doomed"].error
    assert status["waiting"].status == "pending"
    # A second tick finds nothing new to batch: the claimed request is not sent twice.
    again = tick_analysis()
    assert isinstance(again, SkipReason) and "wait for their documents" in again.skip_message


@pytest.mark.parametrize("ended", ["CANCELED", "FAILURE"])
def test_a_batch_its_ended_run_left_running_is_dead_lettered(
    tmp_path, instance, monkeypatch, ended
):
    """A run cancelled (or failed unseen by the run-failure sensor) after its first step
    marked the batch running: the stale-batch rule fails the batch with the reason."""
    from dagster import DagsterRunStatus
    from dagster._core.test_utils import create_run_for_test

    import skillbridge_pipeline.sensors.dispatch as dispatch

    drop(tmp_path, "jds", 2)
    [first] = tick(instance, resources(tmp_path)).run_requests
    run = create_run_for_test(
        instance,
        job_name="jds_job",
        tags={**first.tags, "dagster/partition": first.partition_key},
        status=DagsterRunStatus[ended],
    )
    store = store_of(tmp_path)
    store.update_batch(first.partition_key, status="running", run_id=run.run_id)
    monkeypatch.setattr(dispatch, "STALE_AFTER", timedelta(seconds=-1))
    tick(instance, resources(tmp_path))
    assert store.get_batch(first.partition_key).status == "failed"
    [letter] = dead_letters.listing(store, "open")
    assert letter.error_type == "RunFailure" and letter.run_id == run.run_id
    documents = store.batch_documents(first.partition_key)
    assert {d.status for d in documents} == {"failed"}
    assert f"its run ended {ended.lower()}" in documents[0].error
