"""4-week learning roadmaps a person could follow, citing free resources about each skill.

The gaps worth learning are the analysis's non-Strong ones, most urgent first (a skill the
resume evidences, its own language included, is Strong: never a gap). Each skill gets an
effort in hours from its priority and coverage (`effort_hours`), and the weeks are filled in
priority order: one skill a week, or two when both fit the week's hours. A skill and a resource
appear in one week only; weeks left over apply what was learnt (a project, then the resume),
and the gaps that did not fit are "what not to learn yet".

Resources come from the catalog (`catalog.py`): for each focus skill, those found on-topic
for it, at most three a week. A skill without one says "no vetted free resource yet" and gives
search terms instead of an unrelated course. Modes: `template` (no key), `llm` (Groq answered
and passed validation), `fallback` (the LLM failed or its answer was rejected: template
instead), `generic` (no catalog: a generic plan, never a crash).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from skillbridge_pipeline.core.roadmaps.catalog import ResourceIndex

WEEKS = ("week1", "week2", "week3", "week4")
WEEK_FIELDS = ("focus_skills", "goals", "resources", "artefact", "self_check", "hours")
DEFAULT_HOURS_PER_WEEK = 6
SKILLS_PER_WEEK = 2
RESOURCES_PER_WEEK = 3
NO_RESOURCE = "no vetted free resource yet"
# Hours to reach working knowledge of a missing skill, by priority; a partial one needs half.
LEVEL_HOURS = {"Critical": 12, "High": 10, "Medium": 8, "Low": 6}
ARTEFACTS = {
    "programming_languages": "a small command-line tool in {skill} with tests and a README",
    "ml_ai": "a notebook that trains and evaluates a {skill} model on a public dataset",
    "data_analytics": "a short analysis of a public dataset using {skill}, with one chart",
    "cloud_devops": "a repository that builds and deploys a hello-world service with {skill}",
    "web_mobile": "a one-page app using {skill}, deployed for free",
    "databases": "a schema and ten queries in {skill} for a dataset you care about",
    "tools_practices": "a written walkthrough of applying {skill} to a past project",
    "soft_skills": "a short practice log of using {skill} at work, with feedback asked for",
}
SELF_CHECK = (
    "Explain {skill} to a colleague in five minutes and answer one question you "
    "could not have answered last week"
)


class RoadmapInvalid(ValueError):
    """An LLM roadmap that breaks the schema or cites a resource we did not offer."""


def learning_gaps(analysis: dict) -> list[dict]:
    """Gaps worth learning, most urgent first (Strong coverage is not a gap)."""
    return [g for g in analysis.get("skill_gaps", []) if g["coverage"] != "Strong"]


def effort_hours(gap: dict) -> float:
    hours = LEVEL_HOURS.get(gap["priority_level"], 8)
    return hours / 2 if gap["coverage"] == "Partial" else hours


def offered_resources(
    analyses: Sequence[dict], index: ResourceIndex, vectors: Callable[[list[str]], np.ndarray]
) -> dict[str, list[dict]]:
    """Skill id -> the catalog resources found on-topic for it, as a roadmap cites them, for
    every gap of these analyses in one lookup."""
    gaps = [g for analysis in analyses for g in learning_gaps(analysis)]
    found = index.for_skills([(g["skill_id"], g["name"]) for g in gaps], vectors)
    return {
        skill_id: [{**f.resource.cited(), "relevance": f.relevance} for f in hits]
        for skill_id, hits in found.items()
    }


def allowed_urls(offered: dict[str, list[dict]]) -> set[str]:
    return {r["url"] for resources in offered.values() for r in resources}


def search_terms(name: str) -> list[str]:
    return [f"{name} official documentation", f"{name} tutorial for beginners"]


def plan_weeks(gaps: Sequence[dict], hours_per_week: float) -> list[list[dict]]:
    """Gaps in priority order, one to a week, or two when both fit the week's hours; the
    first gap that fits no week ends the plan (the rest are not for now)."""
    weeks: list[list[dict]] = []
    for gap in gaps:
        last = weeks[-1] if weeks else []
        if 0 < len(last) < SKILLS_PER_WEEK and (
            sum(map(effort_hours, last)) + effort_hours(gap) <= hours_per_week
        ):
            last.append(gap)
        elif len(weeks) < len(WEEKS):
            weeks.append([gap])
        else:
            break
    return weeks


def template_roadmap(
    analysis: dict,
    offered: dict[str, list[dict]],
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK,
    mode: str = "template",
    reason: str | None = None,
) -> dict:
    gaps = learning_gaps(analysis)
    planned = plan_weeks(gaps, hours_per_week)
    placed = {g["skill_id"] for week in planned for g in week}
    used: set[str] = set()
    weeks = {}
    for number, week in enumerate(WEEKS):
        if number < len(planned):
            weeks[week] = _learning_week(planned[number], offered, hours_per_week, used)
        else:
            learnt = [g["name"] for w in planned for g in w]
            weeks[week] = _applying_week(number - len(planned), learnt, hours_per_week)
    return {
        "mode": mode,
        **({"reason": reason} if reason else {}),
        "hours_per_week": hours_per_week,
        "weeks": weeks,
        "not_yet": [g["name"] for g in gaps if g["skill_id"] not in placed],
    }


def _learning_week(gaps: list[dict], offered: dict, hours: int, used: set[str]) -> dict:
    resources, unvetted, goals = [], [], []
    for gap in gaps:
        fresh = [r for r in offered.get(gap["skill_id"], []) if r["url"] not in used]
        timed = next((r for r in fresh if r.get("weeks") and r.get("hours_per_week")), None)
        goals.append(_goal(gap, hours, timed))
        if not fresh:
            unvetted.append(
                {
                    "skill": gap["name"],
                    "note": NO_RESOURCE,
                    "search_terms": search_terms(gap["name"]),
                }
            )
        room = RESOURCES_PER_WEEK - len(resources)
        for resource in fresh[: min(room, RESOURCES_PER_WEEK // len(gaps) or 1)]:
            resources.append({k: v for k, v in resource.items() if k != "relevance"})
            used.add(resource["url"])
    lead = gaps[0]
    week = {
        "focus_skills": [g["name"] for g in gaps],
        "goals": goals,
        "resources": resources,
        "artefact": ARTEFACTS[lead["category"]].format(skill=lead["name"]),
        "self_check": SELF_CHECK.format(skill=lead["name"]),
        "hours": hours,
    }
    if unvetted:
        week["unvetted"] = unvetted
    return week


def _goal(gap: dict, hours: int, course: dict | None = None) -> str:
    """What to do this week and for how long; a course that states its duration says how much
    of it the week covers."""
    verb = "Go deeper in" if gap["coverage"] == "Partial" else "Learn the fundamentals of"
    effort = effort_hours(gap)
    time = (
        f"about {effort:g} h"
        if effort <= hours
        else f"the first {hours} of about {effort:g} h (carry on after this plan)"
    )
    if course:
        time += (
            f"; {course['title']} runs {course['weeks']:g} weeks at about "
            f"{course['hours_per_week']:g} h a week: start it"
        )
    return (
        f"{verb} {gap['name']} ({gap['priority_level'].lower()} priority, "
        f"{gap['coverage'].lower()} today): {time}"
    )


def _applying_week(index: int, learnt: list[str], hours: int) -> dict:
    """Weeks after the gaps, each different: a project that uses what was learnt, the resume,
    interviews, then keeping up."""
    skills = " and ".join(learnt[:2]) or "the job's core skills"
    weeks = [
        (
            "portfolio project",
            f"Build one small project that uses {skills} together",
            f"a public repository or write-up of a project using {skills}",
            "Someone else can run or read your project without your help",
        ),
        (
            "resume and applications",
            "Rewrite your resume's bullets so each requirement of the job is evidenced, then apply",
            "an updated resume whose bullets name the skills the job asks for",
            "Every requirement of the job description is evidenced in your resume",
        ),
        (
            "interview practice",
            f"Prepare one short story per requirement, {skills} first, and rehearse them aloud",
            "a page of interview stories: situation, what you did, the result",
            "You can answer 'tell me about a time you used it' for each requirement",
        ),
        (
            "keeping up",
            f"Follow one community or newsletter about {skills} and read it weekly",
            "a short list of sources you will keep reading after this plan",
            "You can name one recent change in the tools the job asks for",
        ),
    ]
    focus, goal, artefact, check = weeks[index]
    return {
        "focus_skills": [focus],
        "goals": [goal],
        "resources": [],
        "artefact": artefact,
        "self_check": check,
        "hours": hours,
    }


def plan_lines(plan: dict, not_yet: int | None = None) -> list[str]:
    """A roadmap as a person reads it on a terminal: a line a week, then what is not yet."""
    lines = [f"4-week roadmap ({plan['mode']}, {plan['hours_per_week']} h/week):"]
    for week, content in plan["weeks"].items():
        resource = (
            content["resources"][0]["title"]
            if content["resources"]
            else NO_RESOURCE
            if content.get("unvetted")
            else "your own work"
        )
        lines.append(
            f"  {week}: {', '.join(content['focus_skills'])} — build "
            f"{content['artefact']} — start with: {resource}"
        )
    if plan.get("not_yet"):
        lines.append(f"  not yet: {', '.join(plan['not_yet'][:not_yet])}")
    return lines


def generic_roadmap(
    analysis: dict,
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK,
    reason: str = "no learning-resource catalog available",
) -> dict:
    names = [g["name"] for g in learning_gaps(analysis)][:4] or ["the job's core skills"]
    plan = [
        ("Map the gap", f"List what the job asks for and rank it; start with {names[0]}"),
        (
            "Build foundations",
            f"Work through an introductory course on {names[min(1, len(names) - 1)]}",
        ),
        ("Practise", "Build one small project that uses the top two gaps together"),
        ("Show it", "Publish the project and rewrite resume bullets to evidence it"),
    ]
    return {
        "mode": "generic",
        "reason": reason,
        "hours_per_week": hours_per_week,
        "weeks": {
            week: {
                "focus_skills": names[:2] if i < 3 else ["portfolio"],
                "goals": [goal],
                "resources": [],
                "artefact": title.lower(),
                "self_check": "You can point to something you made this week",
                "hours": hours_per_week,
            }
            for i, (week, (title, goal)) in enumerate(zip(WEEKS, plan, strict=True))
        },
        "not_yet": [g["name"] for g in learning_gaps(analysis)][4:],
    }


def validate_roadmap(roadmap: object, allowed: set[str]) -> dict:
    """Check an LLM's roadmap against the schema and the resources it was offered."""
    if not isinstance(roadmap, dict):
        raise RoadmapInvalid("roadmap is not a JSON object")
    weeks = roadmap.get("weeks")
    if not isinstance(weeks, dict) or sorted(weeks) != list(WEEKS):
        raise RoadmapInvalid("roadmap must have exactly week1..week4")
    seen_skills: set[str] = set()
    for name, week in weeks.items():
        if not isinstance(week, dict) or any(f not in week for f in WEEK_FIELDS):
            raise RoadmapInvalid(f"{name} lacks one of {', '.join(WEEK_FIELDS)}")
        focus = week["focus_skills"]
        if not isinstance(focus, list) or not 1 <= len(focus) <= SKILLS_PER_WEEK:
            raise RoadmapInvalid(f"{name} must focus on 1 or 2 skills")
        if repeated := seen_skills & {str(s) for s in focus}:
            raise RoadmapInvalid(f"{name} repeats {', '.join(sorted(repeated))}")
        seen_skills |= {str(s) for s in focus}
        resources = week["resources"]
        if not isinstance(resources, list) or len(resources) > RESOURCES_PER_WEEK:
            raise RoadmapInvalid(f"{name} must cite at most {RESOURCES_PER_WEEK} resources")
        for resource in resources:
            url = resource.get("url") if isinstance(resource, dict) else None
            if url not in allowed:
                raise RoadmapInvalid(f"{name} cites a resource we did not offer: {url!r}")
    not_yet = roadmap.get("not_yet", [])
    if not isinstance(not_yet, list):
        raise RoadmapInvalid("not_yet must be a list")
    return {"weeks": {w: weeks[w] for w in WEEKS}, "not_yet": not_yet}
