"""A plan per skill: what is planned in weeks and in what order, what each week builds, and
what is never a week (languages and qualifications: long paths; personal qualities and industry
experience: shown in the resume). Hand-built analyses, no catalog, no model."""

import csv
import json

import pytest
from fake_llm import FakeLlm

from skillbridge_pipeline.core.roadmaps import llm
from skillbridge_pipeline.core.roadmaps.answers import answer
from skillbridge_pipeline.core.roadmaps.engine import (
    PREREQUISITES_FILE,
    PROJECTS_FILE,
    RoadmapInvalid,
    effort_hours,
    generic_roadmap,
    long_path,
    plan_lines,
    template_roadmap,
    validate_roadmap,
)
from skillbridge_pipeline.core.skills.taxonomy import DATA_DIR

KIND_CATEGORY = {
    "language": "soft_skills",
    "soft_skill": "soft_skills",
    "qualification": "tools_practices",
    "industry": "tools_practices",
}
ACTION = {"language": "long_path", "qualification": "long_path", "soft_skill": "show"}


def gap(skill_id, name, kind="technology", level="High", coverage="Missing", **extra):
    """A gap as scoring writes it since kinds: kind, action, focus, group, years, requirement."""
    requirement = extra.pop("requirement", "required")
    sentence = extra.pop("sentence", None)
    return {
        "skill_id": skill_id,
        "name": name,
        "category": extra.pop("category", KIND_CATEGORY.get(kind, "programming_languages")),
        "priority_level": level,
        "priority_score": {"Critical": 0.8, "High": 0.6, "Medium": 0.4, "Low": 0.0}[level],
        "coverage": coverage,
        "kind": kind,
        "action": ACTION.get(kind, "show" if kind == "industry" else "learn"),
        "focus": extra.pop("focus", name),
        "group": extra.pop("group", None),
        "years": extra.pop("years", None),
        "jd_evidence": {
            "surface": extra.pop("surface", name),
            "requirement": requirement,
            **({"sentence": sentence} if sentence else {}),
        },
        **extra,
    }


def old_gap(skill_id, name, category, level, coverage="Missing"):
    """A gap stored before kinds: no kind, action, focus, group, years or requirement."""
    return {
        "skill_id": skill_id,
        "name": name,
        "category": category,
        "priority_level": level,
        "priority_score": 0.5,
        "coverage": coverage,
    }


def plan(*gaps, hours=6):
    return template_roadmap({"skill_gaps": list(gaps)}, {}, hours)


def focus_skills(roadmap):
    return [s for week in roadmap["weeks"].values() for s in week["focus_skills"]]


def taxonomy_ids():
    with (DATA_DIR / "taxonomy" / "skills.jsonl").open(encoding="utf-8") as f:
        return {json.loads(line)["id"] for line in f}


def rows(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader((x for x in f if not x.startswith("#")), delimiter="\t"))


def test_every_curated_skill_exists_in_the_taxonomy_across_occupations():
    ids = taxonomy_ids()
    projects = rows(PROJECTS_FILE)
    assert len(projects) >= 120
    assert all(r["project"] and r["self_check"] for r in projects)
    listed = [r["skill_id"] for r in projects]
    assert len(listed) == len(set(listed))
    assert set(listed) <= ids, set(listed) - ids
    needs = rows(PREREQUISITES_FILE)
    assert {i for r in needs for i in (r["skill_id"], r["needs"])} <= ids
    for skill_id in [
        "apache-kafka",  # software
        "wound-care",  # nursing
        "food-safety",  # kitchens
        "ifrs",  # finance
        "merchandising-techniques",  # retail
        "carpentry",  # trades
        "lesson-planning",  # teaching
        "search-engine-optimisation",  # marketing
    ]:
        assert skill_id in listed, skill_id


def test_a_spoken_language_is_a_long_path_never_a_week():
    german = gap("german", "German", "language", surface="fluent German")
    roadmap = plan(gap("apache-kafka", "Apache Kafka", category="data_analytics"), german)
    assert "German" not in focus_skills(roadmap) + roadmap["not_yet"]
    [path] = roadmap["long_paths"]
    assert path["skill"] == "German" and path["kind"] == "language"
    assert "C1" in path["how_long"] and "months" in path["how_long"]
    assert "Goethe" in path["first_step"]
    b2 = plan(gap("german", "German", "language", surface="German (B2)"))["long_paths"][0]
    assert b2["how_long"].startswith("B2 from scratch: about 600-750 guided hours, 14-17 months")
    sentence = "You speak fluent English and basic German."
    basic = gap("german", "German", "language", sentence=sentence)
    assert plan(basic)["long_paths"][0]["how_long"].startswith("B1 from scratch")


def test_a_degree_and_its_field_are_a_long_path_never_a_week():
    degree = gap("bachelor-s-degree", "Bachelor's degree in Computer science", "qualification")
    roadmap = plan(degree, gap("python", "Python"))
    assert focus_skills(roadmap)[0] == "Python"
    text = json.dumps(roadmap["weeks"]) + json.dumps(roadmap["not_yet"])
    assert "Bachelor" not in text and "Computer science" not in text
    [path] = roadmap["long_paths"]
    assert "years" in path["how_long"] and "part-time" in path["first_step"]
    licence = gap("driving-licence", "Driving licence", "qualification")
    assert "licensing body" in plan(licence)["long_paths"][0]["first_step"]


def test_a_personal_quality_is_shown_in_the_resume_never_a_week():
    roadmap = plan(
        gap("self-motivation", "Self-motivation", "soft_skill", "Low"),
        gap("banking", "Banking", "industry", "Low", category="tools_practices"),
    )
    assert "Self-motivation" not in focus_skills(roadmap) + roadmap["not_yet"]
    shown = {s["skill"]: s for s in roadmap["show_in_resume"]}
    assert set(shown) == {"Self-motivation", "Banking"}
    assert "situation" in shown["Self-motivation"]["how"]
    assert shown["Banking"]["kind"] == "industry" and "client" in shown["Banking"]["how"]
    assert not roadmap["long_paths"]


def test_strong_gaps_are_neither_weeks_nor_long_paths():
    roadmap = plan(gap("german", "German", "language", coverage="Strong"))
    assert roadmap["long_paths"] == [] and roadmap["show_in_resume"] == []


def test_kafka_week_builds_something_kafka_specific():
    week1 = plan(gap("apache-kafka", "Apache Kafka", category="data_analytics"))["weeks"]["week1"]
    assert "consumer group" in week1["artefact"] and "offset" in week1["self_check"]
    assert "public dataset" not in week1["artefact"] and "chart" not in week1["artefact"]


def test_a_nurse_is_never_asked_for_a_repository():
    nurse = {
        "skill_gaps": [
            old_gap("wound-care", "Wound care", "tools_practices", "Critical"),
            gap("phlebotomy", "Phlebotomy", "concept", category="tools_practices"),
            gap(
                "hygiene-in-a-health-care-setting",  # no project written: a template
                "Hygiene in a health care setting",
                "domain",
                category="tools_practices",
            ),
        ]
    }
    for roadmap in (template_roadmap(nurse, {}, 10), generic_roadmap(nurse)):
        assert "repositor" not in json.dumps(roadmap).casefold()
    weeks = {w["focus_skills"][0]: w for w in template_roadmap(nurse, {}, 10)["weeks"].values()}
    assert "dressings" in weeks["Wound care"]["artefact"]
    assert "cases from your own work" in weeks["Hygiene in a health care setting"]["artefact"]
    assert "mentor" in weeks["portfolio project"]["artefact"]
    assert weeks["Wound care"]["unvetted"][0]["search_terms"] == [
        "Wound care guidelines",
        "Wound care training course",
    ]
    software = plan(gap("apache-kafka", "Apache Kafka", category="data_analytics"))
    assert "repository" in software["weeks"]["week2"]["artefact"]


def test_a_prerequisite_comes_first_and_says_why():
    django = gap("django", "Django", level="Critical", category="web_mobile")
    roadmap = plan(django, gap("python", "Python", level="Medium"))
    weeks = list(roadmap["weeks"].values())
    assert [w["focus_skills"] for w in weeks[:2]] == [["Python"], ["Django"]]
    assert weeks[0]["why"] == "First: before Django, which builds on it"
    assert "builds on Python" in weeks[1]["why"]


def test_required_before_preferred_then_priority():
    roadmap = plan(
        gap("go", "Go", level="High", requirement="preferred"),
        gap(
            "apache-kafka",
            "Apache Kafka",
            level="Medium",
            category="data_analytics",
            sentence="Experience with Kafka is essential.",
        ),
        gap("rust", "Rust", level="Medium", requirement=None),
    )
    weeks = list(roadmap["weeks"].values())
    assert [w["focus_skills"] for w in weeks[:3]] == [["Apache Kafka"], ["Rust"], ["Go"]]
    assert weeks[0]["why"] == (
        "First: the JD requires it ('Experience with Kafka is essential') and it is the most "
        "urgent gap"
    )
    assert weeks[1]["why"].startswith("Next: the JD asks for it")
    assert weeks[2]["why"] == "Preferred, not required: after the required ones"


def test_every_week_has_a_why():
    for gaps in ([], [gap("python", "Python")], [gap(f"s{n}", f"S{n}") for n in range(6)]):
        for roadmap in (plan(*gaps), generic_roadmap({"skill_gaps": gaps})):
            assert all(week["why"] for week in roadmap["weeks"].values())


def test_effort_by_kind_and_coverage_not_category():
    assert effort_hours(gap("docker", "Docker", category="cloud_devops")) == 10
    assert effort_hours(gap("docker", "Docker", coverage="Partial")) == 5
    assert effort_hours(gap("scrum", "Scrum", "concept", category="cloud_devops")) == 8
    assert effort_hours(gap("statistics", "Statistics", "domain")) == 12
    assert effort_hours(gap("python", "Python", years=5)) == 15  # a deeper level
    [goal] = plan(gap("python", "Python", years=5))["weeks"]["week1"]["goals"]
    assert "carry on after this plan" in goal and "5+ years" in goal


def test_alternatives_study_the_member_nearest_the_resume():
    either = gap(
        "pytorch",
        "one of PyTorch, TensorFlow",
        category="ml_ai",
        focus="PyTorch",
        group={"members": ["PyTorch", "TensorFlow"], "met_by": None},
    )
    week1 = plan(either)["weeks"]["week1"]
    assert week1["focus_skills"] == ["PyTorch"]
    assert "DataLoader" in week1["artefact"]
    assert "any of PyTorch, TensorFlow" in week1["goals"][0]


def test_old_gaps_without_the_new_fields_still_plan():
    roadmap = plan(
        old_gap("apache-kafka", "Apache Kafka", "data_analytics", "Critical"),
        old_gap("communication", "Communication", "soft_skills", "Medium"),
        old_gap("python", "Python", "programming_languages", "Low", "Strong"),
        hours=10,
    )
    weeks = list(roadmap["weeks"].values())
    assert weeks[0]["focus_skills"] == ["Apache Kafka"]
    assert weeks[1]["focus_skills"] == ["Communication"]  # learnt, as before kinds
    assert all(w["why"] for w in weeks)
    assert roadmap["long_paths"] == [] and roadmap["show_in_resume"] == []
    assert "Python" not in json.dumps(roadmap["weeks"])


def test_plan_lines_say_why_and_what_is_not_a_week():
    roadmap = plan(
        gap("python", "Python"),
        gap("german", "German", "language"),
        gap("self-motivation", "Self-motivation", "soft_skill"),
    )
    text = "\n".join(plan_lines(roadmap))
    assert "why: First: the JD requires it" in text
    assert "long path, not a week: German: B2" in text
    assert "show in your resume, with an example: Self-motivation" in text


def test_validation_keeps_why_and_what_is_not_a_week():
    roadmap = plan(gap("python", "Python"), gap("german", "German", "language"))
    kept = validate_roadmap(roadmap, set(), {"German"})
    assert kept["weeks"]["week1"]["why"] == roadmap["weeks"]["week1"]["why"]
    assert kept["long_paths"] == roadmap["long_paths"]
    german_week = {**roadmap["weeks"]["week2"], "focus_skills": ["German"]}
    bad = {**roadmap, "weeks": {**roadmap["weeks"], "week2": german_week}}
    for broken, says in [
        (bad, "makes a week of German"),
        ({**roadmap, "long_paths": [{"skill": "German"}]}, "long_paths must be"),
    ]:
        try:
            validate_roadmap(broken, set(), {"German"})
        except RoadmapInvalid as error:
            assert says in str(error)
        else:
            raise AssertionError(f"accepted: {says}")


def test_an_llm_roadmap_gets_the_long_paths_and_what_to_show():
    analysis = {
        "skill_gaps": [
            *(gap(i, n) for i, n in [("python", "Python"), ("go", "Go"), ("rust", "Rust")]),
            gap("java", "Java"),
            gap("german", "German", "language"),
            gap("self-motivation", "Self-motivation", "soft_skill"),
        ]
    }
    offered = {"python": [{"title": "Python course", "url": "https://example.org/python"}]}
    with FakeLlm() as server:
        settings = llm.LlmSettings(api_key="t", base_url=server.base_url, timeout_seconds=2)
        roadmap = llm.roadmap(analysis, offered, settings)
        prompt = json.loads(server.requests[0]["messages"][-1]["content"])
    assert roadmap["mode"] == "llm"
    assert [g["skill"] for g in prompt["gaps"]] == ["Python", "Go", "Rust", "Java"]
    assert prompt["gaps"][0]["why_here"].startswith("First")
    assert [p["skill"] for p in roadmap["long_paths"]] == ["German"]
    assert [s["skill"] for s in roadmap["show_in_resume"]] == ["Self-motivation"]


def test_chat_answers_a_language_as_a_long_path():
    analysis = {"skill_gaps": [gap("python", "Python"), gap("german", "German", "language")]}
    assert "a long path, not a week: B2" in answer("Is German relevant?", analysis)
    how_long = answer("How long does German take?", analysis)
    assert "months" in how_long and "No time at all" not in how_long
    assert answer("What should I learn first?", analysis).startswith("Start with Python")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("CPA", "years part time"),
        ("NMC registration", "nursing degree"),
        ("Qualified teacher status", "teacher training"),
        ("Electrician licence", "apprenticeship"),
        ("AWS certification", "weeks of study"),
    ],
)
def test_a_professional_qualification_takes_its_real_time(name, words):
    """A CPA is not "4-12 weeks of study", nor an NMC registration "weeks to months"."""
    path = long_path({"skill_id": "x", "name": name, "kind": "qualification"})
    assert words in path["how_long"], path
