"""The report pages: server-rendered HTML (Jinja2, autoescaped), no scripts, readable on a phone
and printable. One page per analysis (`render_report`), one per resume against several jobs
(`render_comparison`)."""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from skillbridge_pipeline.core.gaps.advice import (
    COUNTED,
    KIND_LABELS,
    action_of,
    focus_of,
    kind_of,
)
from skillbridge_pipeline.core.gaps.advice import first_actions as advice_first_actions
from skillbridge_pipeline.core.roadmaps.engine import (
    learning_gaps,
    long_path,
    show_in_resume,
    study_order,
)
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
    what = kind_of(gap)
    return {
        **gap,
        "kind": what,
        "action": action_of(gap),
        "kind_label": KIND_LABELS.get(what, what.replace("_", " ")),
        "focus": focus_of(gap),
        "category_label": CATEGORIES.get(gap["category"], gap["category"]),
        "colour": LEVEL_COLOURS.get(gap["priority_level"], "#80868b"),
        "asked": sentence_around(jd_text, asked.get("start"), asked.get("end")),
        "requirement": asked.get("requirement"),
        # The nearest resume skill is evidence only where it counts (Strong or Partial).
        "shown": sentence_around(resume_text, evidence.get("start"), evidence.get("end"))
        if gap["coverage"] != "Missing"
        else None,
        "closest_name": closest.get("name"),
        "alternatives": _alternatives(gap.get("group")),
        # "one of PyTorch, TensorFlow" shows as the member to study (or the one met), the
        # others as "any of".
        "label": focus_of(gap) if _alternatives(gap.get("group")) else gap["name"],
    }


def _alternatives(group: dict | None) -> dict | None:
    """A requirement the JD lets one of several skills meet: "any of A, B, C" (met by X)."""
    if not group or not group.get("members"):
        return None
    return {"any_of": ", ".join(group["members"]), "met_by": group.get("met_by")}


def jd_words(gap: dict, jd_text: str | None) -> dict | None:
    """The JD's words behind a gap, the skill's own words marked: the requirement's sentence
    when the analysis kept it, else the sentence around the words in the parsed JD, else the
    words alone. {"before", "words", "after"}."""
    asked = gap.get("jd_evidence") or {}
    surface = asked.get("surface") or ""
    sentence = _sentence(asked.get("sentence"))
    if sentence:
        at = sentence.casefold().find(surface.casefold()) if surface else -1
        if at < 0:
            return {"before": sentence, "words": "", "after": ""}
        return {
            "before": sentence[:at],
            "words": sentence[at : at + len(surface)],
            "after": sentence[at + len(surface) :],
        }
    around = sentence_around(jd_text, asked.get("start"), asked.get("end"))
    if around:
        return around
    return {"before": "", "words": surface, "after": ""} if surface else None


def _with_actions(gaps: list[dict]) -> list[dict]:
    """Gaps with their kind and action spelled out (an analysis stored before kinds: by its
    category, every gap one to learn)."""
    return [
        {**g, "kind": kind_of(g), "action": action_of(g), "jd_evidence": g.get("jd_evidence") or {}}
        for g in gaps
    ]


def learn_order(analysis: dict, roadmap: dict | None) -> list[dict]:
    """The gaps to learn in the order the roadmap studies them (`study_order`); when the stored
    roadmap's week 1 starts on another gap (an LLM's plan), that one first, so the page's
    first thing to learn is always week 1's."""
    order = study_order(learning_gaps(analysis))
    week1 = next(iter((roadmap or {}).get("weeks", {}).values()), None) or {}
    names = [str(n).casefold() for n in week1.get("focus_skills") or []]
    lead = next((g for g in order if focus_of(g).casefold() in names), None)
    if lead is not None and order and lead is not order[0]:
        order = [lead, *(g for g in order if g is not lead)]
    return order


def first_actions(
    gaps: list[dict],
    order: list[dict],
    jd_text: str | None = None,
    weeks: dict[str, int] | None = None,
) -> list[dict]:
    """The first two or three things to do (`advice.first_actions`), the gaps to learn taken
    in study order so the first agrees with week 1; each with why, the JD's words and the
    roadmap week that plans it (`weeks`: focus skill, casefolded -> week)."""
    candidates = _with_actions(order) + [g for g in _with_actions(gaps) if g["action"] != "learn"]
    chosen = advice_first_actions(candidates)
    by_skill = {focus_of(g): g for g in reversed(candidates)}
    return [
        {
            **act,
            "quote": jd_words(by_skill.get(act["skill"], {}), jd_text) or _plain(act),
            "week": (weeks or {}).get(act["skill"].casefold())
            if act["action"] == "learn"
            else None,
        }
        for act in chosen
    ]


def _plain(act: dict) -> dict | None:
    words = act.get("jd_words")
    if not words:
        return None
    return {"before": _sentence(words), "words": "", "after": ""}


def _sentence(words: object) -> str:
    """A requirement's sentence as a quote: one line, without its list mark or a trailing
    separator ("- Strong communication skills;")."""
    return " ".join(str(words or "").split()).lstrip("-*•# ").rstrip(";,: ")


def match_line(analysis: dict, gaps: list[dict]) -> dict:
    """What the match % counts, in numbers: {"met", "close", "missing", "total", "counts",
    "not_counted"}; an analysis stored before `match_counts` counts every gap."""
    counts = analysis.get("match_counts")
    if isinstance(counts, dict) and {"strong", "partial", "missing"} <= set(counts):
        met, close, missing = counts["strong"], counts["partial"], counts["missing"]
        what = counts.get("counts") or COUNTED
        not_counted = (
            "personal qualities and industry experience are not counted"
            if what == COUNTED
            else None
        )
    else:
        met = sum(g["coverage"] == "Strong" for g in gaps)
        close = sum(g["coverage"] == "Partial" for g in gaps)
        missing = sum(g["coverage"] == "Missing" for g in gaps)
        what = "every skill the job asks for, soft skills and spoken languages half"
        not_counted = None
    return {
        "met": met,
        "close": close,
        "missing": missing,
        "total": met + close + missing,
        "counts": what,
        "not_counted": not_counted,
    }


def _weeks_of(roadmap: dict | None) -> dict[str, int]:
    """A focus skill (casefolded) -> the roadmap week that studies it (1-4)."""
    weeks: dict[str, int] = {}
    for number, content in enumerate((roadmap or {}).get("weeks", {}).values(), 1):
        for name in content.get("focus_skills") or []:
            weeks.setdefault(str(name).casefold(), number)
    return weeks


def _beyond(roadmap: dict | None, gaps: list[dict], key: str, make) -> dict[str, dict]:
    """Gap name -> its long path or how to show it: the stored roadmap's, else worked out
    from the gap (a roadmap stored before these lists, or none yet)."""
    stored = {
        str(item.get("skill")): item
        for item in (roadmap or {}).get(key) or []
        if isinstance(item, dict)
    }
    return {g["name"]: stored.get(g["name"]) or make(g) for g in gaps}


def report_context(
    analysis: dict, stored: dict | None, documents: dict, texts: dict | None = None
) -> dict:
    """What the report template shows, in the words a reader needs: what to do first and why,
    what the match counts, then every requirement under what to do about it."""
    texts = texts or {}
    gaps = analysis.get("skill_gaps", [])
    roadmap = (stored or {}).get("roadmap")
    resume, jd = documents.get("resume") or {}, documents.get("jd") or {}
    order = learn_order(analysis, roadmap)
    rows = [_row(g, texts.get("resume"), texts.get("jd")) for g in gaps]
    row_of = {id(g): r for g, r in zip(gaps, rows, strict=True)}
    open_rows = [r for r in rows if r["coverage"] != "Strong"]
    long_rows = [r for r in open_rows if r["action"] == "long_path"]
    show_rows = [r for r in open_rows if r["action"] == "show"]
    paths = _beyond(roadmap, long_rows, "long_paths", long_path)
    shows = _beyond(roadmap, show_rows, "show_in_resume", show_in_resume)
    weeks = _weeks_of(roadmap)
    first_week = next(iter((roadmap or {}).get("weeks", {}).values()), None)
    to_learn = [row_of[id(g)] for g in order if id(g) in row_of]
    return {
        "analysis": analysis,
        "title": clean_title(jd.get("title")) or jd.get("filename") or "this job",
        "resume_name": resume.get("filename") or analysis["resume_id"],
        "jd_name": jd.get("filename") or analysis["jd_id"],
        "match": round(100 * analysis["overall_match"]),
        "counted": match_line(analysis, gaps),
        "actions": first_actions(gaps, order, texts.get("jd"), weeks),
        "first_resource": ((first_week or {}).get("resources") or [None])[0],
        "bars": [
            {
                "name": r["label"],
                "kind_label": r["kind_label"],
                "alternatives": r["alternatives"],
                "week": weeks.get(r["focus"].casefold()),
                "level": r["priority_level"],
                "coverage": r["coverage"],
                "width": max(2.0, 100 * float(r["priority_score"])),
                "colour": r["colour"],
            }
            for r in to_learn
        ],
        "chart_gaps": CHART_GAPS,
        # Open gaps to learn only: a skill the resume shows is no gap, whatever its level.
        "levels": {
            level: sum(1 for r in to_learn if r["priority_level"] == level)
            for level in LEVEL_COLOURS
        },
        "colours": LEVEL_COLOURS,
        "long_paths": [{**r, **paths[r["name"]]} for r in long_rows],
        "to_show": [{**r, **shows[r["name"]]} for r in show_rows],
        "matched": [r for r in rows if r["coverage"] == "Strong"],
        "not_reported": [
            v for v in analysis.get("not_reported") or [] if isinstance(v, dict) and v.get("name")
        ],
        "rows": rows,
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
    """One resume against several jobs, best match first: each job's match and what it counts,
    what to do first for it, what it asks that the resume lacks by what to do about it, and the
    skills several of them ask for (the ones worth learning first)."""
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
            jobs=[_compared(a) for a in jobs],
            shared=shared,
        )
    )


def _compared(answer: dict) -> dict:
    analysis = answer["analysis"]
    gaps = analysis.get("skill_gaps", [])
    order = learn_order(analysis, answer.get("roadmap"))
    open_gaps = [g for g in gaps if g["coverage"] != "Strong"]
    return {
        "title": clean_title(answer["jd"].get("title")) or answer["jd"]["file"],
        "file": answer["jd"]["file"],
        "match": round(100 * analysis["overall_match"]),
        "counted": match_line(analysis, gaps),
        "actions": first_actions(gaps, order),
        "gaps": [{**g, "kind_label": KIND_LABELS.get(kind_of(g), kind_of(g))} for g in order],
        "long_paths": [g["name"] for g in open_gaps if action_of(g) == "long_path"],
        "to_show": [g["name"] for g in open_gaps if action_of(g) == "show"],
        "colours": LEVEL_COLOURS,
    }


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
