"""Advice a coach would sign (issue 29): requirements as the JD states them, skills by kind.

Each example of the issue is a pair here, scored on real parts (the extractor, the packaged
embedding model, a trained gap model), with the gaps that must and must not appear.
"""

import pytest

from skillbridge_pipeline.core.gaps.advice import LEVELS, kind_of
from skillbridge_pipeline.core.gaps.requirements import read_requirements
from skillbridge_pipeline.ml_training.scoring import GapScorer


@pytest.fixture(scope="module")
def analyse(trained, taxonomy, embedder, extractor):
    from skillbridge_pipeline.core.gaps.embeddings import EmbeddingCache

    _, resources, store, _ = trained
    scorer = GapScorer(
        resources["models"].registry.load(), EmbeddingCache(store, embedder), taxonomy
    )

    def run(resume: str, jd: str, role: str = "software_engineering") -> dict:
        resume_skills = [s.record() for s in extractor.extract(resume, kind="resume")]
        jd_skills = [s.record() for s in extractor.extract(jd, kind="jd")]
        return scorer.score("r", "j", resume_skills, jd_skills, role, "mid", jd)

    return run


def open_gaps(analysis: dict) -> dict[str, dict]:
    return {g["name"]: g for g in analysis["skill_gaps"] if g["coverage"] != "Strong"}


def to_learn(analysis: dict) -> list[str]:
    return [n for n, g in open_gaps(analysis).items() if g["action"] == "learn"]


def test_pytorch_or_tensorflow_is_met_by_pytorch(analyse):
    analysis = analyse(
        "ML engineer: trained PyTorch models for fraud detection.",
        "Requirements:\n- Experience with PyTorch or TensorFlow\n- Docker",
    )
    assert "TensorFlow" not in " ".join(open_gaps(analysis))
    pytorch = next(g for g in analysis["skill_gaps"] if g["skill_id"] == "pytorch")
    assert pytorch["coverage"] == "Strong"
    assert pytorch["group"] == {"members": ["PyTorch", "TensorFlow"], "met_by": "PyTorch"}
    assert to_learn(analysis) == ["Docker"]


def test_one_or_more_of_react_angular_or_vue_is_met_by_vue(analyse):
    analysis = analyse(
        "Frontend developer: four years building Vue.js apps in TypeScript and CSS.",
        "Requirements: one or more of React, Angular or Vue; TypeScript; CSS.",
    )
    assert not open_gaps(analysis), open_gaps(analysis)
    assert {"React", "Angular"}.isdisjoint(analysis["missing_skills"])
    assert "TypeScript" in analysis["matched_skills"]  # asked on its own: not folded away


def test_unmet_alternatives_are_one_gap_naming_the_nearest_first(analyse):
    analysis = analyse(
        "Backend engineer: Java and Kotlin services, PostgreSQL.",
        "Requirements:\n- A language such as Go or Scala\n- PostgreSQL",
    )
    [gap] = [g for g in analysis["skill_gaps"] if g["group"]]
    assert gap["name"].startswith("one of ")
    assert set(gap["group"]["members"]) == {"Go", "Scala"}
    assert gap["focus"] == gap["group"]["members"][0]
    assert gap["group"]["met_by"] is None
    assert len([g for g in analysis["skill_gaps"] if g["skill_id"] in ("go", "scala")]) == 1


def test_personal_qualities_are_never_a_gap_to_study(analyse):
    analysis = analyse(
        "Data analyst: SQL, Tableau, Python.",
        "Requirements:\n- You are proactive, self-motivated and show initiative\n- SQL\n- dbt",
    )
    motivation = next(g for g in analysis["skill_gaps"] if g["name"] == "Self-motivation")
    assert (motivation["kind"], motivation["action"]) == ("soft_skill", "show")
    assert motivation["priority_level"] == "Low"
    assert "Self-motivation" not in analysis["missing_skills"]
    assert "Self-motivation" in analysis["to_show"]
    assert analysis["skill_gaps"][0]["name"] == "dbt"
    assert analysis["first_actions"][0]["skill"] == "dbt"


def test_vague_words_are_not_reported(analyse):
    analysis = analyse(
        "DevOps engineer: Kubernetes, Terraform, AWS.",
        "You keep up with technology trends and understand infrastructure.\n"
        "Requirements: Kubernetes, Terraform, Ansible.",
    )
    names = {g["name"] for g in analysis["skill_gaps"]}
    assert "Technology trends" not in names
    assert "Technology trends" in {v["name"] for v in analysis["not_reported"]}
    assert to_learn(analysis) == ["Ansible"]


def test_fluent_german_is_a_long_path_and_english_does_not_cover_it(analyse):
    analysis = analyse(
        "Support engineer, English (native). Linux, SQL, Zendesk. " * 2,
        "Requirements:\n- Fluent German\n- Linux\n- SQL",
    )
    german = next(g for g in analysis["skill_gaps"] if g["name"] == "German")
    assert (german["kind"], german["action"], german["coverage"]) == (
        "language",
        "long_path",
        "Missing",
    )
    assert german["priority_level"] != "Critical"
    assert analysis["first_actions"][0]["action"] == "long_path"


def test_a_degree_in_a_field_is_one_qualification_and_a_masters_meets_it(analyse):
    jd = "Requirements:\n- Bachelor's degree in Computer Science\n- Python"
    without = analyse("Self-taught developer: Python, Django.", jd)
    [degree] = [g for g in without["skill_gaps"] if g["kind"] == "qualification"]
    assert degree["name"] == "Bachelor's degree in Computer science"
    assert degree["action"] == "long_path"
    assert "Computer science" not in {g["name"] for g in without["skill_gaps"]}
    held = analyse("Developer, MSc Computer Science. Python, Django.", jd)
    [degree] = [g for g in held["skill_gaps"] if g["kind"] == "qualification"]
    assert degree["coverage"] == "Strong"


def test_git_and_version_control_are_one_gap(analyse):
    analysis = analyse(
        "Analyst: Excel, SQL.",
        "Requirements:\n- Git and version control\n- Git workflows in a team\n- Python",
    )
    named = [g["name"] for g in analysis["skill_gaps"]]
    assert named.count("Git") == 1 and "Version control" not in named
    git = next(g for g in analysis["skill_gaps"] if g["name"] == "Git")
    assert git["also"] == ["Version control"]


def test_colleagues_named_by_role_are_not_skills(analyse):
    analysis = analyse(
        "Engineer: Python, SQL.",
        "You will work closely with business analysts and data engineers.\n"
        "Requirements: Python, SQL, Airflow.",
    )
    names = {g["name"] for g in analysis["skill_gaps"]}
    assert "Business analysis" not in names
    assert to_learn(analysis) == ["Apache Airflow"]


def test_only_required_skills_to_learn_are_critical(analyse):
    analysis = analyse(
        "Cook: knife skills, food safety.",
        "Requirements:\n- Fluent French\n- Team player\n- HACCP\nNice to have: sushi",
    )
    for gap in analysis["skill_gaps"]:
        if gap["priority_level"] == "Critical":
            assert gap["action"] == "learn"
            assert gap["jd_evidence"]["requirement"] == "required"


def test_years_stay_with_their_skill(analyse):
    analysis = analyse("Analyst: Excel.", "Requirements:\n- 5+ years of Python\n- SQL")
    python = next(g for g in analysis["skill_gaps"] if g["name"] == "Python")
    assert python["years"] == 5
    assert next(g for g in analysis["skill_gaps"] if g["name"] == "SQL")["years"] is None


def test_the_match_says_what_it_counts(analyse):
    analysis = analyse("Nurse: patient care, wound care.", "Essential: wound care, teamwork.")
    counts = analysis["match_counts"]
    assert counts["strong"] + counts["partial"] + counts["missing"] == 1  # teamwork is shown
    assert "personal" not in counts["counts"] and "learn" in counts["counts"]


def test_every_kind_has_an_action_and_a_label(taxonomy):
    from skillbridge_pipeline.core.gaps.advice import ACTIONS, KIND_LABELS
    from skillbridge_pipeline.core.skills.taxonomy import KINDS

    assert set(KIND_LABELS) == set(KINDS)
    assert set(ACTIONS) == set(KINDS) - {"vague"}
    by_id = {s.id: s for s in taxonomy}
    assert by_id["self-motivation"].kind == "soft_skill"
    assert by_id["german"].kind == "language"
    assert by_id["technology-trends"].kind == "vague"
    assert by_id["financial-services"].kind == "industry"
    assert by_id["cpa"].kind == "qualification"
    assert by_id["servsafe-certification"].kind == "qualification"
    assert by_id["positive-attitude"].kind == "soft_skill"  # a posting's name for a quality


def test_kind_of_an_old_row_comes_from_its_category():
    assert kind_of({"category": "soft_skills"}) == "soft_skill"
    assert kind_of({"category": "databases"}) == "technology"
    assert kind_of({"skill_kind": "language", "category": "soft_skills"}) == "language"
    assert LEVELS[-1] == "Critical"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experience with PyTorch or TensorFlow.", [["pytorch", "tensorflow"]]),
        ("Tableau, Power BI or similar.", [["tableau", "power-bi"]]),
        ("AWS/GCP", [["aws", "gcp"]]),
        ("Python and SQL.", [["python"], ["sql"]]),
        ("Cloud (e.g. AWS, GCP).", [["cloud", "aws", "gcp"]]),
        ("Unit testing (Tableau or SQL)", [["tableau", "sql"]]),
        ("Python or SQL (Tableau, AWS)", [["python", "sql", "tableau", "aws"]]),
    ],
)
def test_alternatives_are_read_from_the_wording(text, expected):
    names = {
        "pytorch": "PyTorch",
        "tensorflow": "TensorFlow",
        "tableau": "Tableau",
        "power-bi": "Power BI",
        "aws": "AWS",
        "gcp": "GCP",
        "python": "Python",
        "sql": "SQL",
        "cloud": "Cloud",
    }
    skills = []
    for skill_id, name in names.items():
        start = text.find(name)
        if start >= 0:
            skills.append({"skill_id": skill_id, "start": start, "end": start + len(name)})
    skills.sort(key=lambda s: s["start"])
    assert [r.skill_ids for r in read_requirements(text, skills)] == expected


def test_industries_are_shown_kpis_are_vague_and_analysts_are_colleagues(analyse):
    """The issue's "Financial services", "Energy", "KPI" and "Business analysis" (from
    "cooperating with business analysts") gaps."""
    analysis = analyse(
        "Data engineer: Python, SQL, Airflow pipelines for a retailer.",
        "Requirements:\n- Experience in financial services or energy\n- You track KPIs\n"
        "- You will be cooperating with business analysts\n- Python, SQL, Snowflake\n",
    )
    assert to_learn(analysis) == ["Snowflake"]
    shown = {g["name"]: g["kind"] for g in analysis["skill_gaps"] if g["action"] == "show"}
    assert set(shown.values()) <= {"industry", "soft_skill"}
    assert not {"Financial services", "Energy"} & set(analysis["missing_skills"])
    names = {g["name"] for g in analysis["skill_gaps"]} | set(shown)
    assert "KPI" not in names and "Business analysis" not in names
