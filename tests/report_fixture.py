"""A stored analysis for the report and link tests: real store rows (documents, texts, skills,
the analysis and its roadmap) for a nurse's resume against a Markdown clinical-data JD with more
gaps than the chart shows at once."""

from __future__ import annotations

from skillbridge_pipeline.core.roadmaps.engine import generic_roadmap
from skillbridge_pipeline.core.store import ResultsStore

RESUME_ID, JD_ID = "a1b2c3d4e5f60718", "0f1e2d3c4b5a6978"
RESUME_TEXT = (
    "Maria Gonzalez, RN\n"
    "Registered nurse with eight years on a cardiac ward.\n"
    "- Built a weekly Excel report of patient falls for the ward manager.\n"
    "- Fluent in Spanish and English; trained new nurses.\n"
)
EXTRA = [f"Clinical Skill {n:02d}" for n in range(1, 19)]  # 18 more: past the chart's 15
JD_TEXT = (
    "# Clinical Data Analyst\n"
    "We are a hospital network looking for a Clinical Data Analyst.\n"
    "- 3+ years of SQL and Python for data analysis are required.\n"
    "- Dashboards in Tableau; Excel for ad-hoc reports.\n"
    + "".join(f"- {name} is a plus.\n" for name in EXTRA)
)


def _span(text: str, words: str) -> dict:
    start = text.index(words)
    return {"surface": words, "start": start, "end": start + len(words)}


def _gap(name: str, level: str, coverage: str, closest: str | None = None) -> dict:
    closest_skill = (
        {
            "skill_id": closest.lower(),
            "name": closest,
            "similarity": 1.0 if coverage == "Strong" else 0.71,
            "evidence": _span(RESUME_TEXT, closest),
        }
        if closest
        else None
    )
    return {
        "skill_id": name.lower().replace(" ", "-"),
        "name": name,
        "category": "data_analytics",
        "priority_score": {"Critical": 0.82, "High": 0.61, "Medium": 0.4, "Low": 0.1}[level]
        if coverage != "Strong"
        else 0.0,
        "priority_level": level,
        "coverage": coverage,
        "closest_resume_skill": closest_skill,
        "jd_evidence": {**_span(JD_TEXT, name), "requirement": "required"},
        "importance": 1.0,
    }


GAPS = [
    _gap("SQL", "Critical", "Missing"),
    _gap("Python", "Critical", "Missing"),
    _gap("Tableau", "High", "Partial", "Excel"),
    *[_gap(name, "Medium", "Missing") for name in EXTRA],
    _gap("Excel", "Low", "Strong", "Excel"),
]
ANALYSIS = {
    "resume_id": RESUME_ID,
    "jd_id": JD_ID,
    "overall_match": 0.07,
    "model_version": "gap-model-test-1",
    "role_family": "data_science",
    "seniority": "mid",
    "skill_gaps": GAPS,
    "matched_skills": ["Excel"],
    "partial_skills": ["Tableau"],
    "missing_skills": [g["name"] for g in GAPS if g["coverage"] == "Missing"],
}


def fill(store: ResultsStore) -> None:
    """The rows the pipeline would have written for this pair."""
    for kind, doc_id, name, text in (
        ("resume", RESUME_ID, "Maria_Gonzalez_Resume.docx", RESUME_TEXT),
        ("jd", JD_ID, "clinical_data_analyst.md", JD_TEXT),
    ):
        store.land(
            kind, doc_id, filename=name, size_bytes=len(text), source="cli", landing_path=name
        )
        store.record_parsed(
            kind, [{"doc_id": doc_id, "format": "text", "text_chars": len(text), "text": text}]
        )
    # As release 1 stored a Markdown JD's title: with its heading mark.
    store.replace_skills(
        "jd", [{"doc_id": JD_ID, "skills": [], "title": "# Clinical Data Analyst"}]
    )
    store.save_analyses([ANALYSIS])
    store.save_roadmaps(
        [
            {
                "resume_id": RESUME_ID,
                "jd_id": JD_ID,
                "roadmap": generic_roadmap(ANALYSIS, 6),
                "suggestions": [],
            }
        ]
    )
