"""The report says what to do first and why, what the match counts, and puts every requirement
under what to do about it (issue 29): things to learn in weeks, long paths (languages,
qualifications), qualities to show in the resume. Old analyses, stored before these fields,
still render."""

from __future__ import annotations

import copy
import re

import pytest
from report_fixture import ANALYSIS as OLD_ANALYSIS
from report_fixture import JD_TEXT as OLD_JD_TEXT
from report_fixture import RESUME_TEXT as OLD_RESUME_TEXT

from skillbridge_pipeline.api.report import render_comparison, render_report
from skillbridge_pipeline.core.roadmaps.engine import generic_roadmap, template_roadmap

JD_TEXT = (
    "Analytics Engineer\n"
    "- 5+ years of dbt and SQL are required.\n"
    "- PyTorch or TensorFlow is required.\n"
    "- Business German is required.\n"
    "- You are a true team player.\n"
    "- Experience in fintech is a plus.\n"
    "- Airflow would be nice to have.\n"
    "- Passion for technology trends.\n"
)
RESUME_TEXT = "Data analyst. Python every day; SQL reports for finance.\n"


def _gap(name, kind, action, coverage, level, requirement="required", **extra):
    surface = extra.pop("surface", name)
    sentence = next(line for line in JD_TEXT.splitlines() if surface in line)
    start = JD_TEXT.index(surface)
    return {
        "skill_id": name.lower().replace(" ", "-"),
        "name": name,
        "category": "soft_skills" if kind == "soft_skill" else "data_analytics",
        "priority_score": {"Critical": 0.9, "High": 0.6, "Medium": 0.4, "Low": 0.1}[level]
        if coverage != "Strong"
        else 0.0,
        "priority_level": level,
        "coverage": coverage,
        "closest_resume_skill": None,
        "jd_evidence": {
            "surface": surface,
            "start": start,
            "end": start + len(surface),
            "requirement": requirement,
            "sentence": sentence,
        },
        "importance": 1.0,
        "kind": kind,
        "action": action,
        "group": None,
        "focus": name,
        "years": None,
        **extra,
    }


GAPS = [
    # In priority order (as scoring sorts them): Airflow, preferred, outranks dbt here, but the
    # study order puts what the JD requires first, so week 1 and the first action are dbt.
    _gap("Airflow", "technology", "learn", "Missing", "High", "preferred"),
    _gap("dbt", "technology", "learn", "Missing", "Medium", years=5),
    _gap(
        "one of PyTorch, TensorFlow",
        "technology",
        "learn",
        "Missing",
        "Medium",
        surface="PyTorch",
        focus="PyTorch",
        group={"members": ["PyTorch", "TensorFlow"], "met_by": None},
    ),
    _gap("SQL", "technology", "learn", "Strong", "Low"),
    _gap("German", "language", "long_path", "Missing", "High"),
    _gap("Teamwork", "soft_skill", "show", "Missing", "Low", surface="team player"),
    _gap("Fintech", "industry", "show", "Missing", "Low", "preferred", surface="fintech"),
]
ANALYSIS = {
    "resume_id": "r1",
    "jd_id": "j1",
    "overall_match": 0.2,
    "model_version": "gap-model-test-1",
    "role_family": "data_science",
    "seniority": "mid",
    "skill_gaps": GAPS,
    "matched_skills": ["SQL"],
    "partial_skills": [],
    "missing_skills": ["Airflow", "dbt", "one of PyTorch, TensorFlow", "German"],
    "match_counts": {
        "strong": 1,
        "partial": 0,
        "missing": 4,
        "counts": "skills to learn, spoken languages and qualifications the job asks for",
    },
    "first_actions": [],  # the report works them out in study order
    "not_reported": [{"name": "Technology trends", "why": "too general to act on"}],
    "to_show": ["Teamwork", "Fintech"],
}
DOCUMENTS = {"resume": {"filename": "me.txt"}, "jd": {"filename": "ae.txt", "title": "AE"}}
TEXTS = {"resume": RESUME_TEXT, "jd": JD_TEXT}


@pytest.fixture(scope="module")
def roadmap():
    return template_roadmap(ANALYSIS, {}, hours_per_week=6)


@pytest.fixture(scope="module")
def html(roadmap):
    return render_report(ANALYSIS, {"roadmap": roadmap}, DOCUMENTS, TEXTS)


def section(html: str, label: str) -> str:
    found = re.search(rf'<section class="[^"]*" aria-label="{label}">(.*?)</section>', html, re.S)
    assert found, f"no section {label!r}"
    return found.group(1)


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_first_actions_lead_with_the_jds_words_before_the_gaps(html, roadmap):
    first = section(html, "what to do first")
    assert html.index("What to do first") < html.index('aria-label="overall match"')
    assert html.index("What to do first") < html.index('aria-label="to learn"')
    assert html.index("What to do first") < html.index('<table class="coverage">')
    actions = re.findall(r'<li class="action">(.*?)</li>', first, re.S)
    assert 2 <= len(actions) <= 3
    # The first agrees with week 1 (study order: required before preferred), not with the
    # priority order Airflow leads.
    assert roadmap["weeks"]["week1"]["focus_skills"][0] == "dbt"
    assert "<strong>Learn dbt</strong> — the job requires it, with 5+ years." in actions[0]
    assert "“5+ years of <mark>dbt</mark> and SQL are required.”" in actions[0]
    assert "Week 1 of the roadmap below plans it." in actions[0]
    assert "Learn PyTorch (or TensorFlow: the JD takes any one)" in actions[1]
    assert "<mark>PyTorch</mark> or TensorFlow is required." in actions[1]
    assert "Week 2 of the roadmap below plans it." in actions[1]
    assert "roadmap" not in actions[2]  # a long path is no week
    assert (
        "Start on German" in actions[2] and "Business <mark>German</mark> is required" in actions[2]
    )
    assert "Airflow" not in first


def test_the_match_says_what_it_counts(html):
    match = text(section(html, "overall match"))
    assert (
        "20%" in match and "1 of 5 requirements met, 0 close (they count half), 4 missing" in match
    )
    assert "personal qualities and industry experience are not counted" in match


def test_a_quality_is_shown_in_the_resume_not_learnt(html):
    learn, show = section(html, "to learn"), section(html, "show in your resume")
    assert "Teamwork" not in learn and "Fintech" not in learn
    assert "Teamwork" in show and "personal quality" in show
    assert "Fintech" in show and "industry experience" in show
    assert "Covered a colleague" in show  # how to show it, from the roadmap
    roadmap = html.split('<div class="weeks">')[1].split("<h2>Resume suggestions</h2>")[0]
    assert "Teamwork" not in roadmap  # no week studies a quality


def test_a_language_is_a_long_path_with_how_long_and_a_first_step(html):
    learn, paths = section(html, "to learn"), section(html, "long paths")
    assert "German" not in learn
    assert "German" in paths and "spoken language" in paths
    assert "How long:" in paths and "months" in paths and "First step:" in paths


def test_each_gap_shows_its_kind_and_alternatives(html):
    learn = section(html, "to learn")
    assert re.findall(r'<span class="bar-name">([^<]*)<', learn) == ["dbt", "PyTorch", "Airflow"]
    assert "tool or technology · week 1" in learn
    assert "any of PyTorch, TensorFlow" in learn
    assert "too general: Technology trends" in text(html)


def test_level_counts_are_open_gaps_only_and_matched_is_separate(html):
    learn = text(section(html, "to learn"))
    # SQL is Strong (Low): it is no gap. Open gaps to learn: Airflow High, dbt and PyTorch Medium.
    assert "High 1" in learn and "Medium 2" in learn and "Low" not in learn
    shown = text(section(html, "already shown"))
    assert "Already in your resume (1)" in shown and "SQL" in shown


def test_each_week_says_why(html, roadmap):
    weeks = html.split('<div class="weeks">')[1]
    for content in roadmap["weeks"].values():
        assert content["why"]
        assert f"<strong>Why now:</strong> {content['why']}".replace("'", "&#39;") in weeks


def test_an_old_analysis_without_the_new_fields_renders():
    old = copy.deepcopy(OLD_ANALYSIS)
    for gap in old["skill_gaps"]:
        for key in ("kind", "action", "group", "focus", "years"):
            gap.pop(key, None)
    stored_roadmap = generic_roadmap(old, 6)
    for content in stored_roadmap["weeks"].values():
        content.pop("why")
    stored_roadmap.pop("long_paths"), stored_roadmap.pop("show_in_resume")
    texts = {"resume": OLD_RESUME_TEXT, "jd": OLD_JD_TEXT}
    page = render_report(old, {"roadmap": stored_roadmap}, {}, texts)
    assert "<strong>Learn SQL</strong> — the job requires it." in page
    assert "3+ years of <mark>SQL</mark> and Python" in section(page, "what to do first")
    assert "1 of 22 requirements met" in page and "every skill the job asks for" in page
    assert "Why now" not in page
    # No roadmap, no gaps, no documents: still a page.
    empty = {**old, "skill_gaps": [], "matched_skills": [], "missing_skills": []}
    assert "Nothing to learn for this job" in render_report(empty, None, {})
    unplanned = render_report(old, None, {})
    assert "The roadmap is not ready yet." in unplanned
    assert (
        "<strong>Learn SQL</strong>" in unplanned and "of the roadmap below plans" not in unplanned
    )


def test_the_comparison_leads_with_what_to_do_first(roadmap):
    answer = {
        "analysis": ANALYSIS,
        "roadmap": roadmap,
        "resume": {"file": "me.txt"},
        "jd": {"file": "ae.txt", "title": "AE"},
    }
    old = {
        "analysis": OLD_ANALYSIS,
        "resume": {"file": "me.txt"},
        "jd": {"file": "cda.md", "title": "Clinical Data Analyst"},
    }
    page = render_comparison([answer, old])
    assert (
        '<strong>Learn dbt</strong> <span class="muted">— the job requires it, with 5+ years'
        in page
    )
    assert '1 · 0 · 4 <span class="muted">of 5</span>' in page
    assert "<strong>Long paths:</strong> German" in page
    assert "<strong>Show in your resume:</strong> Teamwork, Fintech" in page
    assert "<strong>Learn SQL</strong>" in page  # the old analysis too


def test_a_stored_analysis_renders_from_the_store_with_its_advice(tmp_path, roadmap):
    from skillbridge_pipeline.api.report import stored_report
    from skillbridge_pipeline.core.store import ResultsStore

    store = ResultsStore(f"sqlite:///{tmp_path / 'r.db'}")
    store.create_schema()
    store.save_analyses([ANALYSIS])
    store.save_roadmaps([{"resume_id": "r1", "jd_id": "j1", "roadmap": roadmap, "suggestions": []}])
    page = stored_report(store, "r1", "j1")
    assert "<strong>Learn dbt</strong>" in section(page, "what to do first")
    assert "German" in section(page, "long paths")
    assert "Teamwork" in section(page, "show in your resume")
    assert "Why now:" in page


def test_the_first_thing_to_learn_is_week_1_of_the_stored_roadmap(roadmap):
    """An LLM's plan may start elsewhere than the study order: the page follows the plan."""
    llm = copy.deepcopy(roadmap)
    llm["mode"] = "llm"
    llm["weeks"]["week1"], llm["weeks"]["week3"] = llm["weeks"]["week3"], llm["weeks"]["week1"]
    assert llm["weeks"]["week1"]["focus_skills"] == ["Airflow"]
    page = render_report(ANALYSIS, {"roadmap": llm}, DOCUMENTS, TEXTS)
    first = re.findall(r'<li class="action">(.*?)</li>', section(page, "what to do first"), re.S)
    assert "<strong>Learn Airflow</strong>" in first[0] and "Week 1 of the roadmap" in first[0]
    assert "<strong>Learn dbt</strong>" in first[1] and "Week 3 of the roadmap" in first[1]
    learn = section(page, "to learn")
    assert re.findall(r'<span class="bar-name">([^<]*)<', learn)[0] == "Airflow"


def test_the_technical_fold_names_each_requirement_as_the_analysis_does(html):
    fold = html.split('<details class="technical">')[1]
    assert "one of PyTorch, TensorFlow" in fold and "soft_skill · show" in fold
