"""Roadmaps, chat and the enhancer against the real groq client and a local chat server."""

import json

import pytest
from fake_llm import FakeLlm

from skillbridge_pipeline.core import llm
from skillbridge_pipeline.core.enhancer import align_terminology, enhance, fabrication
from skillbridge_pipeline.core.roadmap import (
    WEEKS,
    allowed_urls,
    generic_roadmap,
    load_resources,
    template_roadmap,
)
from skillbridge_pipeline.metrics import LLM_FALLBACK_TOTAL

LIBRARY = load_resources()
ANALYSIS = {
    "resume_id": "r",
    "jd_id": "j",
    "overall_match": 0.4,
    "skill_gaps": [
        {
            "skill_id": sid,
            "name": name,
            "category": cat,
            "priority_level": level,
            "priority_score": score,
            "coverage": coverage,
        }
        for sid, name, cat, level, score, coverage in [
            ("apache-kafka", "Apache Kafka", "data_analytics", "Critical", 0.7, "Missing"),
            ("kubernetes", "Kubernetes", "cloud_devops", "High", 0.5, "Partial"),
            ("scala", "Scala", "programming_languages", "High", 0.45, "Missing"),
            ("terraform", "Terraform", "cloud_devops", "Medium", 0.3, "Missing"),
            ("communication", "Communication", "soft_skills", "Medium", 0.25, "Missing"),
            ("go", "Go", "programming_languages", "Low", 0.1, "Missing"),
            ("python", "Python", "programming_languages", "Low", 0.0, "Strong"),
        ]
    ],
    "matched_skills": ["Python"],
    "missing_skills": [],
    "partial_skills": [],
}


def fallbacks(purpose: str) -> float:
    return LLM_FALLBACK_TOTAL.labels(purpose=purpose)._value.get()


def assert_four_weeks(roadmap: dict) -> None:
    assert list(roadmap["weeks"]) == list(WEEKS)
    for week in roadmap["weeks"].values():
        assert week["focus_skills"] and week["goals"] and week["artefact"] and week["self_check"]


def test_template_roadmap_from_real_resources():
    roadmap = template_roadmap(ANALYSIS, LIBRARY, hours_per_week=5)
    assert roadmap["mode"] == "template"
    assert_four_weeks(roadmap)
    assert roadmap["weeks"]["week1"]["focus_skills"] == ["Apache Kafka", "Kubernetes"]
    assert all(1 <= len(w["resources"]) <= 3 for w in roadmap["weeks"].values())
    shipped = allowed_urls(LIBRARY)
    assert all(
        r["url"] in shipped and r["url"].startswith("http")
        for w in roadmap["weeks"].values()
        for r in w["resources"]
    )
    assert all(w["hours"] == 5 for w in roadmap["weeks"].values())
    assert "Python" not in json.dumps(roadmap["weeks"])  # evidenced: nothing to learn
    assert roadmap["not_yet"]


def test_missing_or_unreadable_templates_give_a_generic_roadmap(tmp_path):
    assert load_resources(tmp_path / "missing.json") is None
    (tmp_path / "broken.json").write_text("{not json")
    assert load_resources(tmp_path / "broken.json") is None
    roadmap = llm.roadmap(ANALYSIS, None, llm.LlmSettings())
    assert roadmap["mode"] == "generic"
    assert_four_weeks(roadmap)
    assert_four_weeks(generic_roadmap({"skill_gaps": []}))


def test_no_key_no_network():
    with FakeLlm() as server:
        settings = llm.LlmSettings(api_key=None, base_url=server.base_url)
        assert llm.roadmap(ANALYSIS, LIBRARY, settings)["mode"] == "template"
        assert llm.chat("what next?", ANALYSIS, settings)
        assert server.requests == []


def test_valid_llm_roadmap_is_used():
    with FakeLlm() as server:
        settings = llm.LlmSettings(api_key="test", base_url=server.base_url, timeout_seconds=2)
        roadmap = llm.roadmap(ANALYSIS, LIBRARY, settings)
        assert roadmap["mode"] == "llm"
        assert_four_weeks(roadmap)
        [request] = server.requests
        assert request["model"] == "llama-3.1-8b-instant"
        assert request["response_format"] == {"type": "json_object"}
        prompt = json.loads(request["messages"][-1]["content"])
        assert prompt["gaps"][0]["skill"] == "Apache Kafka"
        assert "Python" not in [g["skill"] for g in prompt["gaps"]]  # only the gaps


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("slow", "timeout"),
        ("status:429", "HTTP 429"),
        ("status:500", "HTTP 500"),
        ("malformed", "not JSON"),
        ("invalid", "exactly week1..week4"),
        ("unknown_url", "did not ship"),
    ],
)
def test_any_llm_failure_falls_back_and_is_counted(behaviour, reason):
    with FakeLlm() as server:
        server.behaviour = behaviour
        settings = llm.LlmSettings(api_key="test", base_url=server.base_url, timeout_seconds=0.5)
        before = fallbacks("roadmap")
        roadmap = llm.roadmap(ANALYSIS, LIBRARY, settings)
        assert roadmap["mode"] == "fallback" and reason in roadmap["reason"]
        assert_four_weeks(roadmap)
        assert fallbacks("roadmap") == before + 1
        assert len(server.requests) == 1  # no client retries hidden behind the timeout


def test_unreachable_llm_falls_back():
    settings = llm.LlmSettings(api_key="test", base_url="http://127.0.0.1:9", timeout_seconds=1)
    assert llm.roadmap(ANALYSIS, LIBRARY, settings)["mode"] == "fallback"


def test_chat_answers_and_falls_back_on_timeout():
    with FakeLlm() as server:
        server.behaviour = "text:Start with Apache Kafka."
        settings = llm.LlmSettings(api_key="test", base_url=server.base_url, timeout_seconds=0.5)
        assert llm.chat("Where do I start?", ANALYSIS, settings) == "Start with Apache Kafka."
        server.behaviour = "slow"
        before = fallbacks("chat")
        answer = llm.chat("Where do I start?", ANALYSIS, settings)
        assert answer and "Apache Kafka" in answer and "40%" in answer
        assert fallbacks("chat") == before + 1


def test_enhancer_aligns_terms_without_inventing(extractor):
    resume = (
        "Backend engineer\n- Ran services on k8s and Postgres at Acme Corp since 2019.\n"
        "- Wrote CI/CD pipelines in Jenkins.\n"
    )
    jd = "Requirements: Kubernetes, PostgreSQL, CI/CD and Terraform."

    def found(text, kind):
        return [s.record() for s in extractor.extract(text, kind=kind)]

    resume_skills, jd_skills = found(resume, "resume"), found(jd, "jd")
    [aligned] = align_terminology(resume, resume_skills, jd_skills)
    assert aligned.suggested == (
        "- Ran services on k8s (Kubernetes) and Postgres (PostgreSQL) at Acme Corp since 2019."
    )
    kept = enhance(resume, resume_skills, jd_skills, extractor)
    assert [k["suggested"] for k in kept] == [aligned.suggested]
    evidenced = {s["skill_id"] for s in resume_skills}
    allowed = {"Kubernetes", "PostgreSQL"}
    for invented, why in [
        ("- Ran services on Kubernetes and Terraform at Acme Corp.", "Terraform"),
        ("- Ran 40 services on k8s at Acme Corp since 2019.", "40"),
        ("- Ran services on k8s at Google since 2019.", "Google"),
        ("- Senior Staff Engineer running k8s at Acme Corp.", "Staff"),
    ]:
        reason = fabrication(invented, resume, evidenced, extractor, allowed)
        assert reason and why in reason, (invented, reason)
    assert fabrication(aligned.suggested, resume, evidenced, extractor, allowed) is None


def test_llm_enhancer_suggestions_pass_the_same_check(extractor):
    resume = "- Ran services on k8s at Acme Corp.\n"
    skills = [s.record() for s in extractor.extract(resume)]
    jd = [{**skills[0], "surface": "Kubernetes"}]
    answer = json.dumps(
        {
            "suggestions": [
                {
                    "original": "- Ran services on k8s at Acme Corp.",
                    "suggested": "- Operated Kubernetes services at Acme Corp.",
                },
                {
                    "original": "- Ran services on k8s at Acme Corp.",
                    "suggested": "- Led 12 engineers operating Kubernetes at Acme Corp.",
                },
            ]
        }
    )
    with FakeLlm() as server:
        server.behaviour = "text:" + answer
        settings = llm.LlmSettings(api_key="t", base_url=server.base_url, timeout_seconds=2)
        kept = enhance(resume, skills, jd, extractor, settings)
    suggested = [k["suggested"] for k in kept]
    assert "- Operated Kubernetes services at Acme Corp." in suggested
    assert not any("12 engineers" in s for s in suggested)
