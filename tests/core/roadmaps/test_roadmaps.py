"""Roadmaps, chat and the enhancer against the real groq client and a local chat server, with
resources looked up in the real catalog's Chroma collection."""

import csv
import json
import threading
import time

import numpy as np
import pytest
from conftest import SHARED
from fake_llm import FakeLlm

from skillbridge_pipeline.core.roadmaps import llm
from skillbridge_pipeline.core.roadmaps.catalog import (
    LABELS_FILE,
    RELEVANCE_THRESHOLD,
    Resource,
    ResourceIndex,
    build_catalog,
    load_catalog,
)
from skillbridge_pipeline.core.roadmaps.engine import (
    NO_RESOURCE,
    WEEKS,
    allowed_urls,
    generic_roadmap,
    offered_resources,
    template_roadmap,
)
from skillbridge_pipeline.core.roadmaps.enhancer import align_terminology, enhance, fabrication
from skillbridge_pipeline.metrics import LLM_FALLBACK_TOTAL


def gap(skill_id, name, category, level, score, coverage="Missing"):
    return {
        "skill_id": skill_id,
        "name": name,
        "category": category,
        "priority_level": level,
        "priority_score": score,
        "coverage": coverage,
    }


ANALYSIS = {
    "resume_id": "r",
    "jd_id": "j",
    "overall_match": 0.4,
    "skill_gaps": [
        gap("apache-kafka", "Apache Kafka", "data_analytics", "Critical", 0.7),
        gap("kubernetes", "Kubernetes", "cloud_devops", "High", 0.5, "Partial"),
        gap("scala", "Scala", "programming_languages", "High", 0.45),
        gap("terraform", "Terraform", "cloud_devops", "Medium", 0.3),
        gap("communication", "Communication", "soft_skills", "Medium", 0.25),
        gap("go", "Go", "programming_languages", "Low", 0.1),
        gap("python", "Python", "programming_languages", "Low", 0.0, "Strong"),
    ],
    "matched_skills": ["Python"],
    "missing_skills": [],
    "partial_skills": [],
}


@pytest.fixture(scope="module")
def offered(resource_index, embedder):
    return offered_resources([ANALYSIS], resource_index, embedder.encode)


def fallbacks(purpose: str) -> float:
    return LLM_FALLBACK_TOTAL.labels(purpose=purpose)._value.get()


def assert_four_weeks(roadmap: dict) -> None:
    assert list(roadmap["weeks"]) == list(WEEKS)
    for week in roadmap["weeks"].values():
        assert week["focus_skills"] and week["goals"] and week["artefact"] and week["self_check"]


def cited(roadmap: dict) -> list[dict]:
    return [r for week in roadmap["weeks"].values() for r in week["resources"]]


def test_template_roadmap_follows_priority_and_never_repeats(offered):
    roadmap = template_roadmap(ANALYSIS, offered, hours_per_week=5)
    assert roadmap["mode"] == "template"
    assert_four_weeks(roadmap)
    weeks = list(roadmap["weeks"].values())
    focus = [s for week in weeks for s in week["focus_skills"]]
    # Apache Kafka (a tool, 10 h) fills week 1 alone; Kubernetes is partial (5 h): week 2.
    assert weeks[0]["focus_skills"] == ["Apache Kafka"]
    assert weeks[1]["focus_skills"] == ["Kubernetes"]
    assert all(1 <= len(week["focus_skills"]) <= 2 for week in weeks)
    assert len(focus) == len(set(focus))  # no skill twice
    urls = [r["url"] for r in cited(roadmap)]
    assert len(urls) == len(set(urls)) and set(urls) <= allowed_urls(offered)
    assert all(week["hours"] == 5 for week in weeks)
    assert "Python" not in json.dumps(roadmap["weeks"])  # evidenced: nothing to learn
    assert roadmap["not_yet"] and not set(roadmap["not_yet"]) & set(focus)


def test_a_skill_without_an_on_topic_resource_gets_search_terms_not_a_stranger(
    offered, resource_index, embedder
):
    """Release 1 gave Apache Kafka "Accelerate Data Science Workflows with Zero Code
    Changes" (the first resource of its category); Kafka now cites its own documentation
    (the curated list), and a skill the catalog has nothing for (Ownership) gets search terms."""
    kafka = offered["apache-kafka"]
    assert kafka and all("kafka" in r["title"].casefold() for r in kafka)
    lone = {**ANALYSIS, "skill_gaps": [gap("ownership", "Ownership", "soft_skills", "High", 0.5)]}
    none = offered_resources([lone], resource_index, embedder.encode)
    assert none["ownership"] == []
    week1 = template_roadmap(lone, none)["weeks"]["week1"]
    assert week1["resources"] == []
    [missing] = week1["unvetted"]
    assert missing["skill"] == "Ownership" and missing["note"] == NO_RESOURCE
    assert "Ownership training course" in missing["search_terms"]  # not software: no tutorial
    for skill_id, word in [("kubernetes", "kubernetes"), ("terraform", "terraform")]:
        assert offered[skill_id] and all(word in r["title"].casefold() for r in offered[skill_id])
    assert all("communicat" in r["title"].casefold() for r in offered["communication"])


def test_few_gaps_do_not_fill_weeks_with_the_same_skill(offered):
    """Release 1 repeated the last gap and its resource in weeks 2, 3 and 4."""
    one = {**ANALYSIS, "skill_gaps": ANALYSIS["skill_gaps"][1:2]}  # Kubernetes only
    roadmap = template_roadmap(one, offered)
    focus = [w["focus_skills"] for w in roadmap["weeks"].values()]
    assert focus == [
        ["Kubernetes"],
        ["portfolio project"],
        ["resume and applications"],
        ["interview practice"],
    ]
    none = template_roadmap({**ANALYSIS, "skill_gaps": []}, offered)
    four = [w["focus_skills"][0] for w in none["weeks"].values()]
    assert len(set(four)) == 4 and "portfolio project" in four
    urls = [r["url"] for r in cited(roadmap)]
    assert len(urls) == len(set(urls))


def test_small_gaps_share_a_week_two_at_most(offered):
    small = {
        **ANALYSIS,
        "skill_gaps": [
            gap(s, n, "programming_languages", "Low", 0.1, "Partial")
            for s, n in [("go", "Go"), ("scala", "Scala"), ("terraform", "Terraform")]
        ],
    }
    weeks = list(template_roadmap(small, offered, hours_per_week=10)["weeks"].values())
    assert weeks[0]["focus_skills"] == ["Go", "Scala"]  # partial tools, 5 h each: together in 10 h
    assert weeks[0]["why"].endswith("; Scala shares the week: both fit its hours")
    assert weeks[1]["focus_skills"] == ["Terraform"]


def test_a_course_that_states_its_duration_says_so_in_the_goal():
    course = {
        "title": "Software Testing",
        "url": "https://example.org/testing",
        "weeks": 4.0,
        "hours_per_week": 6.0,
    }
    testing = gap("software-testing", "Software testing", "tools_practices", "High", 0.5)
    roadmap = template_roadmap({"skill_gaps": [testing]}, {"software-testing": [course]})
    [goal] = roadmap["weeks"]["week1"]["goals"]
    assert "the first 6 of about 8 h" in goal  # a method (tools_practices before kinds): 8 h
    assert "Software Testing runs 4 weeks at about 6 h a week" in goal


def test_missing_catalog_gives_a_generic_roadmap(tmp_path):
    assert load_catalog(tmp_path / "missing.json") is None
    (tmp_path / "broken.json").write_text("{not json")
    assert load_catalog(tmp_path / "broken.json") is None
    roadmap = llm.roadmap(ANALYSIS, None, llm.LlmSettings())
    assert roadmap["mode"] == "generic"
    assert_four_weeks(roadmap)
    assert_four_weeks(generic_roadmap({"skill_gaps": []}))


def test_catalog_sources_licences_and_durations(taxonomy, tmp_path):

    shared = SHARED / "data"
    built = build_catalog(shared, taxonomy, tmp_path / "catalog.json")
    assert built == load_catalog()  # the shipped catalog is what the sources give
    sources = {r.source.split(" (")[0].split(":")[0] for r in built}
    assert sources == {
        "free-programming-books",
        "awesome-leading-and-managing",
        "open-textbooks",
        "OSSU computer-science",
        "awesome-language-learning",
        "SkillBridge curated list",
    }
    assert all(r.licence and r.url.startswith("http") for r in built)
    timed = [r for r in built if r.weeks and r.hours_per_week]
    assert timed and all(r.source == "OSSU computer-science" for r in timed)
    swedish = [r for r in built if "swedish" in r.filed_under]
    assert swedish and all("Swedish" in r.title for r in swedish)


def test_resources_roadmaps_cite_are_on_topic_on_the_labelled_sample(resource_index, embedder):
    """The labelled sample (76 skills, their 6 nearest resources, judged by hand): what the
    roadmaps would cite (at most 3 a skill, above the threshold) is on topic >= 90%."""
    with LABELS_FILE.open(encoding="utf-8") as f:
        labels = list(csv.DictReader(f))
    relevant = {(r["skill_id"], r["url"]) for r in labels if r["relevant"] == "1"}
    skills = sorted({(r["skill_id"], r["skill"]) for r in labels})
    found = resource_index.for_skills(skills, embedder.encode)
    chosen = [(skill_id, f.resource.url) for skill_id, hits in found.items() for f in hits]
    labelled = {(r["skill_id"], r["url"]) for r in labels}
    assert set(chosen) <= labelled  # every cited resource was judged
    precision = sum(c in relevant for c in chosen) / len(chosen)
    assert precision >= 0.9, precision
    # Recall over the skills the curated list does not answer (a curated skill cites only its
    # curated resources): 0.839. Issue 29 traded some for precision on real postings' skills
    # (a resource found by meaning alone must name the skill or reach 0.75).
    above = resource_index.for_skills(skills, embedder.encode, limit=10)
    kept = {(s, f.resource.url) for s, hits in above.items() for f in hits}
    relevant = {r for r in relevant if r[0] not in resource_index.curated}
    recall = len(kept & relevant) / len(relevant)
    assert recall >= 0.80, recall
    assert all(f.relevance >= RELEVANCE_THRESHOLD for hits in found.values() for f in hits)


def test_no_key_no_network(offered):
    with FakeLlm() as server:
        settings = llm.LlmSettings(api_key=None, base_url=server.base_url)
        assert llm.roadmap(ANALYSIS, offered, settings)["mode"] == "template"
        assert llm.chat("what next?", ANALYSIS, settings)
        assert server.requests == []


def test_valid_llm_roadmap_is_used(offered):
    with FakeLlm() as server:
        settings = llm.LlmSettings(api_key="test", base_url=server.base_url, timeout_seconds=2)
        roadmap = llm.roadmap(ANALYSIS, offered, settings)
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
        ("unknown_url", "did not offer"),
    ],
)
def test_any_llm_failure_falls_back_and_is_counted(behaviour, reason, offered):
    with FakeLlm() as server:
        server.behaviour = behaviour
        settings = llm.LlmSettings(api_key="test", base_url=server.base_url, timeout_seconds=0.5)
        before = fallbacks("roadmap")
        roadmap = llm.roadmap(ANALYSIS, offered, settings)
        assert roadmap["mode"] == "fallback" and reason in roadmap["reason"]
        assert_four_weeks(roadmap)
        assert fallbacks("roadmap") == before + 1
        assert len(server.requests) == 1  # no client retries hidden behind the timeout


def test_unreachable_llm_falls_back(offered):
    settings = llm.LlmSettings(api_key="test", base_url="http://127.0.0.1:9", timeout_seconds=1)
    assert llm.roadmap(ANALYSIS, offered, settings)["mode"] == "fallback"


def test_chat_answers_and_falls_back_on_timeout():
    with FakeLlm() as server:
        server.behaviour = "text:Start with Apache Kafka."
        settings = llm.LlmSettings(api_key="test", base_url=server.base_url, timeout_seconds=0.5)
        assert llm.chat("Where do I start?", ANALYSIS, settings) == "Start with Apache Kafka."
        server.behaviour = "slow"
        before = fallbacks("chat")
        answer = llm.chat("Where do I start?", ANALYSIS, settings)
        assert answer.startswith("Start with Apache Kafka")  # the question asked, answered
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


def test_first_roadmaps_running_at_once_fill_the_catalog_collection_once(store, tmp_path):
    """Two runs that find a fresh Chroma empty: one embeds and upserts, the other waits on the
    store's lock (a PostgreSQL advisory lock, or a lock file beside SQLite) and finds it full."""
    from skillbridge_pipeline.core.gaps.vector_store import chroma_client

    catalog = [
        Resource(f"Course {n}", f"https://example.org/{n}", "Python", "test", "CC-BY")
        for n in range(5)
    ]
    client = chroma_client(path=str(tmp_path / "chroma"))
    embedded: list[int] = []
    both_looked = threading.Barrier(2)

    def vectors(texts: list[str]) -> np.ndarray:
        embedded.append(len(texts))
        time.sleep(0.5)  # a slow embedding: the other run reaches the lock meanwhile
        return np.eye(len(texts), 8)

    def first_roadmap() -> None:
        index = ResourceIndex(client, catalog)
        both_looked.wait()
        index.ensure_filled(vectors, store.exclusive)

    runs = [threading.Thread(target=first_roadmap) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=60)
    assert embedded == [5]
    assert ResourceIndex(client, catalog).ready()


def test_the_store_lock_is_exclusive_across_connections(store):
    held: list[str] = []

    def hold(name: str) -> None:
        with store.exclusive("catalog"):
            held.append(f"{name} in")
            time.sleep(0.3)
            held.append(f"{name} out")

    runs = [threading.Thread(target=hold, args=(name,)) for name in "ab"]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)
    assert held in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
