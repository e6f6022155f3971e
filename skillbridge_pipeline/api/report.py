"""The report pages: server-rendered HTML (Jinja2, autoescaped), no scripts, readable on a phone
and printable. One page per analysis (`render_report`), one per resume against several jobs
(`render_comparison`)."""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from skillbridge_pipeline.core.roadmaps.engine import learning_gaps
from skillbridge_pipeline.core.skills.jd_profile import clean_title
from skillbridge_pipeline.core.skills.taxonomy import CATEGORIES

LEVEL_COLOURS = {"Critical": "#b3261e", "High": "#e8710a", "Medium": "#f9ab00", "Low": "#80868b"}
CHART_GAPS = 15  # bars shown at once; the rest are one tap away, never dropped
SENTENCE_CHARS = 220
_SENTENCE_END = re.compile(r"[.!?;]\s|\n")


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("skillbridge_pipeline.api", "templates"),
        autoescape=select_autoescape(["html"]),
    )


def sentence_around(text: str | None, start: int | None, end: int | None) -> dict | None:
    """The sentence (or list line) a skill was found in, split around the words that named it,
    so the page shows the evidence as written: {"before", "words", "after"}."""
    if not text or start is None or end is None or not 0 <= start < end <= len(text):
        return None
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_END.search(text, end)
    finish = stop.start() + 1 if stop else len(text)
    before, after = text[begin:start].lstrip(" -*•\t#"), text[end:finish].rstrip().rstrip(";")
    room = max(0, SENTENCE_CHARS - (end - start)) // 2
    if len(before) > room:
        before = "…" + before[-room:].lstrip()
    if len(after) > room:
        after = after[:room].rstrip() + "…"
    return {"before": before, "words": text[start:end], "after": after}


def _row(gap: dict, resume_text: str | None, jd_text: str | None) -> dict:
    closest = gap.get("closest_resume_skill") or {}
    evidence, asked = closest.get("evidence") or {}, gap.get("jd_evidence") or {}
    return {
        **gap,
        "category_label": CATEGORIES.get(gap["category"], gap["category"]),
        "colour": LEVEL_COLOURS.get(gap["priority_level"], "#80868b"),
        "asked": sentence_around(jd_text, asked.get("start"), asked.get("end")),
        "requirement": asked.get("requirement"),
        # The nearest resume skill is evidence only where it counts (Strong or Partial).
        "shown": sentence_around(resume_text, evidence.get("start"), evidence.get("end"))
        if gap["coverage"] != "Missing"
        else None,
        "closest_name": closest.get("name"),
    }


def report_context(
    analysis: dict, stored: dict | None, documents: dict, texts: dict | None = None
) -> dict:
    """What the report template shows, in the words a reader needs."""
    texts = texts or {}
    gaps = analysis.get("skill_gaps", [])
    to_learn = learning_gaps(analysis)
    roadmap = (stored or {}).get("roadmap")
    resume, jd = documents.get("resume") or {}, documents.get("jd") or {}
    first = to_learn[0] if to_learn else None
    first_week = next(iter((roadmap or {}).get("weeks", {}).values()), None)
    return {
        "analysis": analysis,
        "title": clean_title(jd.get("title")) or jd.get("filename") or "this job",
        "resume_name": resume.get("filename") or analysis["resume_id"],
        "jd_name": jd.get("filename") or analysis["jd_id"],
        "match": round(100 * analysis["overall_match"]),
        "counts": {
            "asked": len(gaps),
            "strong": len(analysis.get("matched_skills", [])),
            "partial": len(analysis.get("partial_skills", [])),
            "missing": len(analysis.get("missing_skills", [])),
        },
        "first": first,
        "first_resource": ((first_week or {}).get("resources") or [None])[0],
        "bars": [
            {
                "name": g["name"],
                "level": g["priority_level"],
                "coverage": g["coverage"],
                "width": max(2.0, 100 * float(g["priority_score"])),
                "colour": LEVEL_COLOURS.get(g["priority_level"], "#80868b"),
            }
            for g in to_learn
        ],
        "chart_gaps": CHART_GAPS,
        "levels": {
            level: sum(1 for g in to_learn if g["priority_level"] == level)
            for level in LEVEL_COLOURS
        },
        "colours": LEVEL_COLOURS,
        "rows": [_row(g, texts.get("resume"), texts.get("jd")) for g in gaps],
        "roadmap": roadmap,
        "suggestions": (stored or {}).get("suggestions", []),
    }


def render_report(
    analysis: dict, stored: dict | None, documents: dict, texts: dict | None = None
) -> str:
    """One analysis' page. `texts` ({"resume", "jd"}: the parsed texts) give the evidence as the
    sentences the skills were found in; without them the page shows the words alone."""
    context = report_context(analysis, stored, documents, texts)
    return _environment().get_template("report.html").render(**context)


def render_comparison(answers: list[dict]) -> str:
    """One resume against several jobs, best match first: each job's match, what it asks that
    the resume lacks, and the skills several of them ask for (the ones worth learning first)."""
    jobs = sorted(answers, key=lambda a: -a["analysis"]["overall_match"])
    asked_by: dict[str, list[str]] = {}
    for answer in jobs:
        title = clean_title(answer["jd"].get("title")) or answer["jd"]["file"]
        for gap in learning_gaps(answer["analysis"]):
            asked_by.setdefault(gap["name"], []).append(title)
    shared = sorted(
        ((name, titles) for name, titles in asked_by.items() if len(titles) > 1),
        key=lambda item: (-len(item[1]), item[0]),
    )
    return (
        _environment()
        .get_template("comparison.html")
        .render(
            resume=jobs[0]["resume"]["file"] if jobs else "",
            jobs=[
                {
                    "title": clean_title(a["jd"].get("title")) or a["jd"]["file"],
                    "file": a["jd"]["file"],
                    "match": round(100 * a["analysis"]["overall_match"]),
                    "counts": (
                        len(a["analysis"]["matched_skills"]),
                        len(a["analysis"]["partial_skills"]),
                        len(a["analysis"]["missing_skills"]),
                    ),
                    "gaps": learning_gaps(a["analysis"]),
                    "colours": LEVEL_COLOURS,
                }
                for a in jobs
            ],
            shared=shared,
        )
    )


def render_page(template: str, **context) -> str:
    """A small page in the reports' frame (the API's front page, a refusal)."""
    return _environment().get_template(template).render(**context)


def stored_report(store, resume_id: str, jd_id: str) -> str | None:
    """The page of a stored analysis, from the results store alone (the API and the CLI)."""
    analysis = store.get_analysis(resume_id, jd_id)
    if analysis is None:
        return None
    documents = {
        "resume": store.get_document("resume", resume_id),
        "jd": store.get_document("jd", jd_id),
    }
    texts = {
        "resume": store.texts("resume", [resume_id]).get(resume_id),
        "jd": store.texts("jd", [jd_id]).get(jd_id),
    }
    return render_report(analysis, store.get_roadmap(resume_id, jd_id), documents, texts)
