"""The results store on SQLite and on the PostgreSQL server: idempotent, keyed by document."""

from datetime import timedelta

import pytest
from conftest import PYTHON_SKILL

pytestmark = pytest.mark.postgres

SKILL = PYTHON_SKILL


def land(store, doc_id="abc123", kind="resume"):
    return store.land(
        kind,
        doc_id,
        filename="cv.txt",
        size_bytes=10,
        source="inbox",
        landing_path=f"/landing/{doc_id}.txt",
    )


def test_landing_is_idempotent(store):
    assert land(store) is True
    assert land(store) is False
    assert land(store, kind="jd") is True  # same bytes as a JD are another document
    assert store.status_counts() == {("resume", "landed"): 1, ("jd", "landed"): 1}


def test_dispatch_and_status_flow(store):
    for doc in ["d1", "d2", "d3"]:
        land(store, doc)
    assert store.landed_counts() == {"resume": 3}
    claimed = store.claim_documents("resume", "resume-b1", 2, "resumes_job")
    assert [r.doc_id for r in claimed] == ["d1", "d2"]  # oldest first
    assert {r.batch_key for r in claimed} == {"resume-b1"}
    batch = store.get_batch("resume-b1")
    assert (batch.kind, batch.size, batch.status, batch.job_name) == (
        "resume",
        2,
        "dispatched",
        "resumes_job",
    )
    assert store.landed_counts() == {"resume": 1}
    store.record_parsed(
        "resume", [{"doc_id": "d1", "format": "text", "text_chars": 4, "text": "Java"}]
    )
    store.record_failed("resume", {"d2": "file is empty"}, "parse")
    assert store.get_document("resume", "d1")["status"] == "parsed"
    assert store.texts("resume", ["d1"]) == {"d1": "Java"}
    failed = store.get_document("resume", "d2")
    assert (failed["status"], failed["error"], failed["error_stage"]) == (
        "failed",
        "file is empty",
        "parse",
    )
    # A failed run fails what is unfinished in its batch, with the reason.
    assert store.fail_unfinished("resume-b1", "its batch's run failed: boom") == ["d1"]
    [lineage] = store.document_lineage("d1")
    assert (lineage["status"], lineage["error_stage"], lineage["batch_key"]) == (
        "failed",
        "batch",
        "resume-b1",
    )


def test_a_document_is_claimed_by_one_batch_only(store):
    for doc in ["d1", "d2"]:
        land(store, doc)
    first = store.claim_documents("resume", "resume-a", 10, "resumes_job")
    second = store.claim_documents("resume", "resume-b", 10, "resumes_job")
    assert [r.doc_id for r in first] == ["d1", "d2"] and second == []
    assert store.get_batch("resume-b") is None  # nothing claimed, no batch


def test_concurrent_claimers_never_share_a_document(store):
    """Two dispatchers (the inbox and the Kafka sensor) claiming at once, many times."""
    from concurrent.futures import ThreadPoolExecutor

    for i in range(400):
        land(store, f"d{i:03d}")

    def claim(name: str) -> list[str]:
        got = []
        for round_ in range(40):
            got += [
                r.doc_id
                for r in store.claim_documents("resume", f"resume-{name}-{round_}", 7, "job")
            ]
        return got

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(claim, ["a", "b"])
    assert not set(a) & set(b)
    assert len(a) + len(b) == len(set(a) | set(b))
    assert store.landed_counts().get("resume", 0) == 400 - len(a) - len(b)


def test_requests_are_claimed_once(store):
    store.add_request("r1", "a" * 16, "b" * 16, None, source="inbox")
    store.add_request("r2", "a" * 16, "c" * 16, None, source="inbox")
    assert store.claim_requests(["r1", "r2"], "analysis-x", new_batch_job="gaps_job") == 2
    assert store.claim_requests(["r1", "r2"], "analysis-y", new_batch_job="gaps_job") == 0
    assert store.get_batch("analysis-y") is None
    assert [r.request_id for r in store.requests_in_batch("analysis-x")] == ["r1", "r2"]
    assert store.fail_held_requests("analysis-x", "boom") == 2
    assert store.requeue_held_requests("analysis-x") == 2


def test_jd_pages_are_claimed_once_and_a_failed_fetch_run_is_resumed(store):
    store.add_request("u1", "a" * 16, "url-1", "s", source="kafka", jd_url="https://x.test/1")
    store.add_request("u2", "a" * 16, "url-2", None, source="inbox", jd_url="https://x.test/2")
    store.add_request("r3", "a" * 16, "b" * 16, None, source="inbox")
    assert {r.request_id for r in store.requests_with_status("fetching", 10)} == {"u1", "u2"}
    assert store.claim_fetches("page-a", 1, "jd_pages_job") == 1
    assert store.claim_fetches("page-b", 5, "jd_pages_job") == 1
    assert store.claim_fetches("page-c", 5, "jd_pages_job") == 0
    assert store.get_batch("page-c") is None and store.get_batch("page-b").kind == "page"
    [first] = store.requests_in_batch("page-a")
    store.page_fetched(first.request_id, "c" * 16)
    assert store.get_request(first.request_id).status == "pending"
    assert store.get_request(first.request_id).jd_id == "c" * 16
    assert store.fail_held_requests("page-b", "the store went away") == 1
    [second] = store.requests_in_batch("page-b")
    assert second.status == "failed" and second.error.startswith("fetching the JD page failed")
    assert store.requeue_held_requests("page-b") == 1
    assert store.get_request(second.request_id).status == "fetching"
    assert store.refetch_alone(second.request_id, "page-d", "jd_pages_job")
    assert not store.refetch_alone("r3", "page-e", "jd_pages_job")  # no URL to fetch
    assert store.get_batch("page-d").strict


def test_replace_skills_converges(store):
    land(store, "d1", kind="jd")
    row = {
        "doc_id": "d1",
        "skills": [SKILL],
        "title": "Dev",
        "role_family": "data_ml",
        "seniority": "senior",
    }
    store.replace_skills("jd", [row])
    store.replace_skills("jd", [row])  # a re-run writes the same rows, not twice as many
    skills = store.document_skills("jd", "d1")
    assert len(skills) == 1 and skills[0]["mentions"] == [[0, 6]]
    document = store.get_document("jd", "d1")
    assert (document["status"], document["skill_count"], document["role_family"]) == (
        "extracted",
        1,
        "data_ml",
    )
    store.replace_skills("jd", [{**row, "skills": []}])
    assert store.document_skills("jd", "d1") == []
    assert store.category_counts() == {}


def test_unstarted_and_retired_batches(store):
    land(store, "d1")
    store.claim_documents("resume", "resume-b1", 10, "resumes_job")
    assert store.unstarted_batches(timedelta(minutes=10), limit=5) == []
    [stale] = store.unstarted_batches(timedelta(seconds=-1), limit=5)
    assert stale.batch_key == "resume-b1"
    assert store.batches_to_retire(timedelta(seconds=-1), 10) == []  # not finished yet
    store.update_batch("resume-b1", status="done")
    assert store.batches_to_retire(timedelta(hours=1), 10) == []  # inside the window
    assert store.batches_to_retire(timedelta(seconds=-1), 10) == ["resume-b1"]
    store.mark_retired(["resume-b1"])
    assert store.batches_to_retire(timedelta(seconds=-1), 10) == []
    assert store.get_document("resume", "d1")["batch_key"] == "resume-b1"  # data stays


def test_a_batch_s_skill_names_in_one_query(store):
    for doc in ["d1", "d2", "d3"]:
        land(store, doc)
    store.claim_documents("resume", "resume-b1", 2, "resumes_job")  # d1, d2
    sql = {**SKILL, "skill_id": "sql", "name": "SQL"}
    store.replace_skills(
        "resume",
        [
            {"doc_id": "d1", "skills": [SKILL, sql]},
            {"doc_id": "d2", "skills": [SKILL]},
            {"doc_id": "d3", "skills": [sql]},  # another batch's (none: not claimed)
        ],
    )
    assert store.batch_skill_names("resume-b1") == [("Python", "resume", 2), ("SQL", "resume", 1)]
