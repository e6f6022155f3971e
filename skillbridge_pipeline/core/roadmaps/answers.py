"""Chat without an LLM: the question's intent by its words, the answer from the analysis.

Three questions people ask of a gap analysis get their own answers: which skill to learn first,
how long closing the gaps takes, and whether a named skill matters for this job. Anything else
gets the match and the most urgent gaps.
"""

from __future__ import annotations

import re

from skillbridge_pipeline.core.gaps.advice import action_of
from skillbridge_pipeline.core.roadmaps.engine import (
    effort_hours,
    learning_gaps,
    long_path,
    show_in_resume,
    study_order,
)

HOURS_PER_WEEK = 6  # the roadmap's default
_HOW_LONG = re.compile(r"\b(how long|how much time|how many (weeks|hours|months)|time)\b", re.I)
_FIRST = re.compile(r"\b(first|start|begin|priorit\w*|most important|focus|which skill)\b", re.I)


def answer(question: str, analysis: dict) -> str:
    """A short answer to `question` grounded in the analysis alone."""
    gaps = study_order(learning_gaps(analysis))  # the roadmap's order: its first week first
    named = _skills_named(question, analysis)
    if _HOW_LONG.search(question):
        apart = [n for n in named if _open(n, analysis)]
        studied = [n for n in named if n not in apart]
        said = [_relevance(n, analysis) for n in apart]  # a language or a degree: its own time
        if studied or not apart:
            said.append(
                _how_long([g for g in gaps if g["name"] in studied] if named else gaps, studied)
            )
        return " ".join(said)
    if named:
        return " ".join(_relevance(name, analysis) for name in named)
    if _FIRST.search(question):
        return _first(gaps, analysis)
    if unknown := _asked_about_unknown(question):
        return f"This job does not ask for {unknown}, so it does not change your match. " + _first(
            gaps, analysis
        )
    return _summary(gaps, analysis)


def _skills_named(question: str, analysis: dict) -> list[str]:
    """The analysis' skills the question names, as whole words, longest names first."""
    names = sorted({g["name"] for g in analysis.get("skill_gaps", [])}, key=len, reverse=True)
    found, text = [], question
    for name in names:
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.I)
        if pattern.search(text):
            found.append(name)
            text = pattern.sub(" ", text)
    return found


def _gap(name: str, analysis: dict) -> dict:
    return next(g for g in analysis["skill_gaps"] if g["name"] == name)


def _open(name: str, analysis: dict) -> bool:
    """A gap never planned in weeks that the resume does not show yet."""
    gap = _gap(name, analysis)
    return action_of(gap) != "learn" and gap["coverage"] != "Strong"


def _relevance(name: str, analysis: dict) -> str:
    gap = _gap(name, analysis)
    asked = (gap.get("jd_evidence") or {}).get("requirement")
    how = {"required": "requires", "preferred": "would like"}.get(asked, "asks for")
    if gap["coverage"] == "Strong":
        return f"Yes, the job {how} {name}, and your resume already shows it: keep it visible."
    if action_of(gap) == "long_path":
        path = long_path(gap)
        return f"Yes, the job {how} {name}: a long path, not a week: {path['how_long']}."
    if action_of(gap) == "show":
        return f"Yes, the job {how} {name}: shown, not studied. {show_in_resume(gap)['how']}."
    state = "is missing from" if gap["coverage"] == "Missing" else "is only close in"
    return (
        f"Yes, the job {how} {name}; it {state} your resume and is a "
        f"{gap['priority_level'].lower()} priority gap (about {effort_hours(gap):g} hours)."
    )


def _how_long(gaps: list[dict], named: list[str]) -> str:
    if not gaps:
        what = " and ".join(named) if named else "every skill this job asks for"
        return f"No time at all: the resume already shows {what}."
    hours = sum(effort_hours(g) for g in gaps)
    if named:
        return f"About {hours:g} hours for {', '.join(g['name'] for g in gaps)}, " + (
            f"{-(-hours // HOURS_PER_WEEK):g} weeks at {HOURS_PER_WEEK} hours a week."
        )
    urgent = [g for g in gaps if g["priority_level"] in ("Critical", "High")]
    urgent_hours = sum(effort_hours(g) for g in urgent)
    weeks = -(-hours // HOURS_PER_WEEK)
    text = (
        f"About {hours:g} hours for all {len(gaps)} gaps, {weeks:g} weeks at "
        f"{HOURS_PER_WEEK} hours a week."
    )
    if urgent and len(urgent) < len(gaps):
        text += (
            f" The {len(urgent)} critical and high ones take about {urgent_hours:g} hours: "
            "the 4-week roadmap starts with those."
        )
    return text


def _first(gaps: list[dict], analysis: dict) -> str:
    if not gaps:
        return "Nothing to learn first: the resume shows every skill this job asks for."
    top = gaps[0]
    why = "missing from" if top["coverage"] == "Missing" else "only close in"
    then = ", then ".join(g["name"] for g in gaps[1:3])
    return (
        f"Start with {top['name']}: a {top['priority_level'].lower()} priority gap, {why} your "
        f"resume (about {effort_hours(top):g} hours)." + (f" Then {then}." if then else "")
    )


def _summary(gaps: list[dict], analysis: dict) -> str:
    match = f"Your overall match is {analysis.get('overall_match', 0.0):.0%}."
    if not gaps:
        return match + " The resume already evidences every skill this job asks for."
    top = ", ".join(f"{g['name']} ({g['priority_level']})" for g in gaps[:3])
    return (
        f"{match} The most urgent gaps are {top}. Start with {gaps[0]['name']}: the "
        "roadmap's first week lists free resources and a small project to build."
    )


_ABOUT = re.compile(
    r"\b(?i:is|are|does|do i need|should i learn|learn|about)\s+"
    r"([A-Z][\w+#.-]*(?:\s[A-Z][\w+#.-]*)?)"
)


def _asked_about_unknown(question: str) -> str | None:
    """A capitalised skill-like name the question asks about that the analysis does not hold."""
    match = _ABOUT.search(question)
    return match.group(1) if match else None
