"""Retries, the failure hook as the dead-letter queue, and replay — on a real instance."""

import shutil
from pathlib import Path

import pytest
from conftest import make_image_only_pdf
from dagster import instance_for_test

from skillbridge_pipeline.core import dead_letters
from skillbridge_pipeline.core.documents import document_id
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import execute, run_pending
from skillbridge_pipeline.metrics import DLQ_DEPTH
from skillbridge_pipeline.replay import replay
from skillbridge_pipeline.resources import embedded_resources

pytestmark = pytest.mark.slow
SAMPLES = Path(__file__).parents[1] / "data" / "samples"


def test_a_permanent_failure_is_one_dead_letter_without_retries(tmp_path):
    resources = embedded_resources(tmp_path)
    store = ResultsStore(resources["results_store"].url)
    inbox = tmp_path / "inbox" / "resumes"
    inbox.mkdir(parents=True)
    scan = make_image_only_pdf()
    (inbox / "scan.pdf").write_bytes(scan)
    (inbox / "ok.txt").write_text("Python and SQL developer")
    with instance_for_test() as instance:
        run_pending(instance, build_definitions(resources))
    [letter] = dead_letters.listing(store)
    assert (letter.job_name, letter.asset, letter.partition_key) == (
        "resumes_job",
        "resume_texts",
        document_id(scan),
    )
    assert letter.attempts == 1  # a corrupt document is not retried
    assert "no text layer" in letter.error_message and letter.status == "open"
    assert Path(letter.payload).read_bytes() == scan  # pointer to the kept raw payload
    assert DLQ_DEPTH._value.get() == 1


def test_a_transient_failure_is_retried_then_replayed_and_resolved(tmp_path, trained):
    resources = embedded_resources(tmp_path)
    defs = build_definitions(resources)
    store = ResultsStore(resources["results_store"].url)
    resume = (SAMPLES / "resumes" / "ana_silva_backend.txt").read_bytes()
    jd = (SAMPLES / "jds" / "skillspan_cloud_devops_engineer.txt").read_bytes()
    (tmp_path / "inbox" / "resumes").mkdir(parents=True)
    (tmp_path / "inbox" / "jds").mkdir(parents=True)
    (tmp_path / "inbox" / "resumes" / "ana.txt").write_bytes(resume)
    (tmp_path / "inbox" / "jds" / "jd.txt").write_bytes(jd)
    with instance_for_test() as instance:
        run_pending(instance, defs)
        store.add_request("req1", document_id(resume), document_id(jd), None, source="test")
        store.set_request_status(["req1"], "scoring")
        # No trained model yet: the scoring step fails, is retried, then dead-lettered.
        _, success = execute(instance, defs, "gaps_job", document_id(resume))
        assert not success
        [letter] = dead_letters.listing(store)
        assert (letter.asset, letter.partition_key) == ("skill_gaps", document_id(resume))
        assert letter.attempts == 4 and letter.error_type == "NoTrainedModel"
        # The dependency comes back: replay succeeds and the row is resolved.
        shutil.copytree(trained[0] / "models", tmp_path / "models")
        [(letter_id, ok, _)] = replay(instance, defs, store, [letter.id])
        assert ok and dead_letters.get(store, letter_id).status == "resolved"
        assert store.get_analysis(document_id(resume), document_id(jd))["skill_gaps"]
        # Replaying twice does no harm: same stored result, still resolved.
        before = store.get_analysis(document_id(resume), document_id(jd))
        [(_, again, _)] = replay(instance, defs, store, [letter.id])
        assert again and dead_letters.get(store, letter_id).status == "resolved"
        assert store.get_analysis(document_id(resume), document_id(jd)) == before
        assert dead_letters.depth(store) == 0


def test_a_run_that_died_before_any_step_is_a_dead_letter(tmp_path):
    from dagster import DagsterEventType, build_run_status_sensor_context
    from dagster._core.test_utils import create_run_for_test

    from skillbridge_pipeline.sensors.run_failure_sensor import run_failure_dead_letters

    resources = embedded_resources(tmp_path)
    store = ResultsStore(resources["results_store"].url)
    with instance_for_test() as instance:
        run = create_run_for_test(
            instance, job_name="resumes_job", tags={"dagster/partition": "abcdefabcdefabcd"}
        )
        instance.report_run_failed(run)  # e.g. the worker was lost before the step started
        [record] = instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)
        with build_run_status_sensor_context(
            sensor_name="run_failure_dead_letters",
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(run.run_id),
            dagster_event=record.dagster_event,
            resources=resources,
        ) as status_context:
            context = status_context.for_run_failure()
            run_failure_dead_letters(context)
            run_failure_dead_letters(context)  # evaluated twice: still one row
    [letter] = dead_letters.listing(store)
    assert (letter.job_name, letter.partition_key, letter.error_type) == (
        "resumes_job",
        "abcdefabcdefabcd",
        "RunFailure",
    )
    assert letter.run_id == run.run_id and letter.attempts == 2
