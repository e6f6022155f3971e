"""From scored skills to advice a career coach would sign: one gap per requirement, each with
its kind and what to do about it, and the first two or three things to do.

Every skill has a kind (`taxonomy.KINDS`), and each kind gets its own action:
- learn: tools, methods and knowledge fields, planned in weeks;
- long_path: spoken languages and qualifications, never a week: how long, how to start;
- show: industry experience and personal qualities, never studied: evidenced in the resume.
Vague words ("technology trends") are not reported. Only a required skill to learn can be
Critical; a preferred one is at most High; what is shown, not learned, has no priority.
"""

from __future__ import annotations

from collections.abc import Sequence

from skillbridge_pipeline.core.gaps.requirements import Requirement

LEVELS = ("Low", "Medium", "High", "Critical")
ACTIONS = {
    "technology": "learn",
    "concept": "learn",
    "domain": "learn",
    "language": "long_path",
    "qualification": "long_path",
    "industry": "show",
    "soft_skill": "show",
}
ACTION_ORDER = ("learn", "long_path", "show")
KIND_LABELS = {
    "technology": "tool or technology",
    "concept": "method or practice",
    "domain": "knowledge field",
    "industry": "industry experience",
    "language": "spoken language",
    "qualification": "qualification",
    "soft_skill": "personal quality",
    "vague": "too general to act on",
}
FIRST_ACTIONS = 3
COUNTED = "skills to learn, spoken languages and qualifications the job asks for"


# Before kinds: a gap's kind from its category (most of tools_practices is methods).
KIND_BY_CATEGORY = {"soft_skills": "soft_skill", "tools_practices": "concept"}
# What the JD asks first: required, then where it does not say, then preferred.
ASKED_ORDER = {"required": 0, None: 1, "preferred": 2}


def kind_of(skill: dict) -> str:
    """A skill's kind as extraction stored it (or a gap carries it); a row or gap from before
    kinds gets it from its category."""
    kind = skill.get("skill_kind") or skill.get("kind")
    if kind in KIND_LABELS:
        return kind
    return KIND_BY_CATEGORY.get(skill.get("category"), "technology")


def action_of(gap: dict) -> str:
    """learn, long_path or show; a gap stored before actions is one to learn."""
    return gap.get("action") or "learn"


def focus_of(gap: dict) -> str:
    """The skill to study: for "one of TensorFlow, PyTorch", the member nearest the resume."""
    return gap.get("focus") or gap["name"]


def asked_of(gap: dict) -> str | None:
    """required, preferred, or None where the JD does not say."""
    return (gap.get("jd_evidence") or {}).get("requirement")


def requirement_gaps(
    gaps_by_id: dict[str, dict], requirements: Sequence[Requirement], kinds: dict[str, str]
) -> tuple[list[dict], list[dict]]:
    """(one gap per requirement, the vague words left out). Alternatives become one gap, met
    by any member; a qualification carries its field of study."""
    gaps, vague = [], []
    for requirement in requirements:
        members = [gaps_by_id[i] for i in requirement.skill_ids if i in gaps_by_id]
        if not members:
            continue
        gap = _one_of(members) if requirement.any_of and len(members) > 1 else _single(members[0])
        kind = kinds.get(gap["skill_id"], "technology")
        if kind == "vague":
            vague.append({"name": gap["name"], "why": "too general to act on"})
            continue
        fields = [gaps_by_id[f]["name"] for f in requirement.fields if f in gaps_by_id]
        if fields:
            gap["name"] = f"{gap['name']} in {' or '.join(fields)}"
            gap["also"] = [*gap["also"], *fields]
        gap["kind"], gap["action"] = kind, ACTIONS[kind]
        gap["years"] = requirement.years
        gap["jd_evidence"] = {**gap["jd_evidence"], "sentence": requirement.sentence}
        gaps.append(_capped(gap))
    return gaps, vague


def _single(gap: dict) -> dict:
    return {**gap, "focus": gap["name"], "group": None}


def _one_of(members: list[dict]) -> dict:
    """Alternatives: met when the resume has one; otherwise one gap, the member nearest to the
    resume named first (the one to learn)."""
    met = next((g for g in members if g["coverage"] == "Strong"), None)
    if met is not None:
        names = [met["name"], *(g["name"] for g in members if g is not met)]
        return {**met, "focus": met["name"], "group": {"members": names, "met_by": met["name"]}}
    ranked = sorted(members, key=_nearness, reverse=True)
    lead = ranked[0]
    names = [g["name"] for g in ranked]
    return {
        **lead,
        "name": "one of " + ", ".join(names),
        "focus": lead["name"],
        "group": {"members": names, "met_by": None},
        "priority_score": max(g["priority_score"] for g in members),
        "priority_level": max((g["priority_level"] for g in members), key=LEVELS.index),
    }


def _nearness(gap: dict) -> tuple[float, float]:
    closest = gap.get("closest_resume_skill") or {}
    return ({"Partial": 1.0}.get(gap["coverage"], 0.0), closest.get("similarity") or 0.0)


def _capped(gap: dict) -> dict:
    """Only a required skill to learn can be Critical; what is shown has no priority."""
    if gap["action"] == "show":
        return {**gap, "priority_level": "Low", "priority_score": 0.0}
    required = gap["jd_evidence"].get("requirement") == "required"
    if gap["priority_level"] == "Critical" and not (gap["action"] == "learn" and required):
        return {**gap, "priority_level": "High"}
    return gap


def advice_order(gap: dict) -> tuple:
    """What is still open before what the resume already meets; skills to learn first, then
    long paths, then what to show; within each, what the JD requires before what it prefers
    (as a coach and the roadmap's weeks take them), what it names before what a sentence only
    means (a guess, right about one time in five), then the model's priority."""
    return (
        gap["coverage"] == "Strong",
        ACTION_ORDER.index(action_of(gap)),
        ASKED_ORDER.get(asked_of(gap), 1),
        gap["jd_evidence"].get("method") == "meaning",
        -LEVELS.index(gap["priority_level"]),
        -gap["priority_score"],
        -gap["importance"],
        gap["name"],
    )


def first_actions(gaps: Sequence[dict], limit: int = FIRST_ACTIONS) -> list[dict]:
    """The first things to do, each with why and the JD's words behind it: the top gaps to
    learn, a long path the JD requires, and a quality to show only when little is left to
    learn."""
    open_gaps = [g for g in gaps if g["coverage"] != "Strong"]
    learn = [g for g in open_gaps if action_of(g) == "learn"]
    long_paths = [g for g in open_gaps if action_of(g) == "long_path" and asked_of(g) == "required"]
    show = [g for g in open_gaps if action_of(g) == "show"]
    chosen = learn[:2] + long_paths[:1] + learn[2:3] + show[:1]
    return [_action(g) for g in chosen[:limit]]


def _action(gap: dict) -> dict:
    focus = focus_of(gap)
    action = action_of(gap)
    if action == "learn":
        verb = "Go deeper in" if gap["coverage"] == "Partial" else "Learn"
        text = f"{verb} {focus}"
        if gap.get("group"):
            others = [m for m in gap["group"]["members"] if m != focus]
            text += f" (or {', '.join(others)}: the JD takes any one)"
    elif action == "long_path":
        text = f"Start on {gap['name']}: a path of months, not weeks"
    else:
        text = f"Show {gap['name']} in your resume: one bullet with a real example"
    asked = asked_of(gap)
    why = {"required": "the job requires it", "preferred": "the job would like it"}.get(
        asked, "the job asks for it"
    )
    if gap.get("years"):
        why += f", with {gap['years']}+ years"
    closest = gap.get("closest_resume_skill")
    if gap["coverage"] == "Partial" and closest:
        why += f"; your {closest['name']} is close"
    return {
        "action": action,
        "skill": focus,
        "text": text,
        "why": why,
        "jd_words": gap["jd_evidence"].get("sentence") or gap["jd_evidence"].get("surface"),
    }
