"""Chat without an LLM key answers the question asked, from the analysis alone."""

import pytest

from skillbridge_pipeline.core.roadmaps import llm


def gap(name, level, coverage="Missing", requirement="required", category="cloud_devops"):
    return {
        "skill_id": name.lower().replace(" ", "-"),
        "name": name,
        "category": category,
        "priority_level": level,
        "priority_score": {"Critical": 0.8, "High": 0.6, "Medium": 0.4, "Low": 0.0}[level],
        "coverage": coverage,
        "jd_evidence": {"surface": name, "requirement": requirement},
    }


ANALYSIS = {
    "resume_id": "r",
    "jd_id": "j",
    "overall_match": 0.42,
    "skill_gaps": [
        gap("Kubernetes", "Critical"),
        gap("Terraform", "High", "Partial"),
        gap("Go", "Medium", requirement="preferred", category="programming_languages"),
        gap("Python", "Low", "Strong", category="programming_languages"),
    ],
    "matched_skills": ["Python"],
    "partial_skills": ["Terraform"],
    "missing_skills": ["Kubernetes", "Go"],
}
NO_KEY = llm.LlmSettings()


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Which skill should I learn first?", "Start with Kubernetes: a critical priority gap"),
        ("Where do I start?", "Then Terraform, then Go."),
        # Kubernetes 12 h, Terraform 10 h halved (partial), Go 8 h: 25 h, 5 weeks at 6 h.
        ("How long will it take?", "About 25 hours for all 3 gaps, 5 weeks at 6 hours a week."),
        ("How long does Terraform take?", "About 5 hours for Terraform"),
        ("Is Go relevant for this job?", "Yes, the job would like Go; it is missing from"),
        ("do I need kubernetes?", "Yes, the job requires Kubernetes"),
        ("Is Python relevant?", "your resume already shows it"),
        ("Is Haskell relevant?", "This job does not ask for Haskell"),
        ("Tell me about my chances", "Your overall match is 42%."),
    ],
)
def test_the_fallback_answers_the_question_asked(question, says):
    answer = llm.chat(question, ANALYSIS, NO_KEY)
    assert says in answer, answer


def test_different_questions_get_different_answers():
    questions = ["What first?", "How long?", "Is Go relevant?", "Is Haskell relevant?"]
    assert len({llm.chat(q, ANALYSIS, NO_KEY) for q in questions}) == len(questions)


def test_nothing_to_learn_is_said_plainly():
    done = {**ANALYSIS, "skill_gaps": [gap("Python", "Low", "Strong")], "overall_match": 1.0}
    assert "Nothing to learn first" in llm.chat("What should I learn first?", done, NO_KEY)
    assert "No time at all" in llm.chat("How long?", done, NO_KEY)
