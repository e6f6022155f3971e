"""The results store on SQLite and on the PostgreSQL server: idempotent, keyed by document."""

from datetime import timedelta

import pytest

pytestmark = pytest.mark.postgres

SKILL = {
    "skill_id": "python",
    "name": "Python",
    "category": "programming_languages",
    "skill_kind": "technology",
    "surface": "Python",
    "start": 0,
    "end": 6,
    "confidence": 0.9,
    "requirement": "required",
    "mentions": [[0, 6]],
}


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
    pending = store.undispatched(limit=10)
    assert [r.doc_id for r in pending] == ["d1", "d2", "d3"]
    assert [r.seq for r in pending] == sorted(r.seq for r in pending)
    store.mark_dispatched("resume", ["d1", "d2"], "resume-landed-1-2")
    assert [r.doc_id for r in store.undispatched(limit=10)] == ["d3"]
    store.record_parsed("resume", [{"doc_id": "d1", "format": "text", "text_chars": 40}])
    store.record_failed("resume", "d2", "parse", "file is empty")
    assert store.get_document("resume", "d1")["status"] == "parsed"
    failed = store.get_document("resume", "d2")
    assert (failed["status"], failed["error"], failed["error_stage"]) == (
        "failed",
        "file is empty",
        "parse",
    )
    assert [r.doc_id for r in store.failures_to_report(10)] == ["d2"]
    store.mark_failure_reported("resume", "d2", "resume-failed-d2")
    assert store.failures_to_report(10) == []


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


def test_stale_batches(store):
    land(store, "d1")
    store.mark_dispatched("resume", ["d1"], "resume-landed-1-1")
    assert store.stale_batches(timedelta(minutes=10), limit=5) == []
    assert store.stale_batches(timedelta(seconds=-1), limit=5) == [
        ("resume", "resume-landed-1-1", ["d1"])
    ]
