"""4-week learning roadmaps built from real, free resources.

Resources come from free-programming-books (CC BY 4.0, EbookFoundation): every course and
interactive tutorial whose section names a taxonomy skill ("Python", "HTML and CSS",
"Bash / Shell") is filed under that skill and its category (`build_resources`, run by
`skillbridge build-taxonomy`, writes `data/roadmaps/resources.json`).

A roadmap has exactly week1..week4. Each week: focus skills (highest-priority gaps first),
goals, 1-3 resources with real URLs, a hands-on artefact to build, a way to check oneself and
the hours to spend. It ends with what not to learn yet. Modes: `template` (no key), `llm`
(Groq answered and passed validation), `fallback` (the LLM failed or its answer was rejected:
template instead), `generic` (no resources file: a generic plan, never a crash).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

from skillbridge_pipeline.core.taxonomy import DATA_DIR, Taxonomy
from skillbridge_pipeline.core.text import alias_key

RESOURCES_FILE = DATA_DIR / "roadmaps" / "resources.json"
WEEKS = ("week1", "week2", "week3", "week4")
WEEK_FIELDS = ("focus_skills", "goals", "resources", "artefact", "self_check", "hours")
DEFAULT_HOURS_PER_WEEK = 6
SKILLS_PER_WEEK = 2
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
    """An LLM roadmap that breaks the schema or cites a resource we did not ship."""


def build_resources(courses_csv: Path, taxonomy: Taxonomy, target: Path = RESOURCES_FILE) -> dict:
    by_key = {}
    for skill in taxonomy:
        for alias in skill.aliases:
            by_key.setdefault(alias_key(alias.text), skill)
    resources, by_skill, by_category = [], defaultdict(list), defaultdict(list)
    with courses_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            skills = _section_skills(row["section"], by_key) or _section_skills(
                row.get("subsection") or "", by_key
            )
            if not skills or not row["url"].startswith(("https://", "http://")):
                continue
            index = len(resources)
            resources.append(
                {
                    "title": row["title"].strip(),
                    "url": row["url"].strip(),
                    "section": row["section"],
                    "skills": [s.id for s in skills],
                }
            )
            for skill in skills:
                by_skill[skill.id].append(index)
                if index not in by_category[skill.category]:
                    by_category[skill.category].append(index)
    data = {
        "source": "free-programming-books (EbookFoundation), CC BY 4.0",
        "resources": resources,
        "by_skill": dict(sorted(by_skill.items())),
        "by_category": dict(sorted(by_category.items())),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    return data


def _section_skills(section: str, by_key: dict) -> list:
    parts = [section] + [p for sep in (" and ", " & ", " / ", "/") for p in section.split(sep)]
    found = []
    for part in parts:
        skill = by_key.get(alias_key(part.strip()))
        if skill and skill not in found:
            found.append(skill)
    return found


def load_resources(path: Path = RESOURCES_FILE) -> dict | None:
    """The shipped resources, or None when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("resources"), list):
            return None
        return data
    except (OSError, ValueError, AttributeError):
        return None


def resources_for(skill_id: str, category: str, library: dict, limit: int = 3) -> list[dict]:
    """The skill's own resources, else its category's, else general engineering ones."""
    indices = (
        library["by_skill"].get(skill_id)
        or library["by_category"].get(category)
        or library["by_category"].get("tools_practices", [])
    )
    return [
        {"title": library["resources"][i]["title"], "url": library["resources"][i]["url"]}
        for i in indices[:limit]
    ]


def allowed_urls(library: dict | None) -> set[str]:
    return {r["url"] for r in (library or {}).get("resources", [])}


def learning_gaps(analysis: dict) -> list[dict]:
    """Gaps worth learning, most urgent first (Strong coverage is not a gap)."""
    return [g for g in analysis.get("skill_gaps", []) if g["coverage"] != "Strong"]


def template_roadmap(
    analysis: dict,
    library: dict,
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK,
    mode: str = "template",
    reason: str | None = None,
) -> dict:
    gaps = learning_gaps(analysis)
    focus = gaps[: SKILLS_PER_WEEK * len(WEEKS)]
    weeks = {}
    for number, week in enumerate(WEEKS):
        chosen = focus[number * SKILLS_PER_WEEK : (number + 1) * SKILLS_PER_WEEK]
        if not chosen:  # fewer gaps than weeks: deepen and apply what came before
            chosen = focus[-1:] if focus else []
        weeks[week] = _week(chosen, library, hours_per_week, deepen=number >= len(focus))
    return {
        "mode": mode,
        **({"reason": reason} if reason else {}),
        "hours_per_week": hours_per_week,
        "weeks": weeks,
        "not_yet": [g["name"] for g in gaps[len(focus) :]]
        or [g["name"] for g in gaps if g["priority_level"] == "Low"],
    }


def _week(gaps: list[dict], library: dict, hours: int, deepen: bool) -> dict:
    if not gaps:
        return {
            "focus_skills": ["consolidation"],
            "goals": [
                "Review what the job asks for against your resume and refresh the strongest matches"
            ],
            "resources": resources_for("", "tools_practices", library, 1) if library else [],
            "artefact": "an updated resume whose bullets name the skills the job asks for",
            "self_check": "Every requirement of the job description is evidenced in your resume",
            "hours": hours,
        }
    names = [g["name"] for g in gaps]
    resources = []
    for gap in gaps:
        for resource in resources_for(gap["skill_id"], gap["category"], library):
            if resource not in resources:
                resources.append(resource)
    lead = gaps[0]
    verb = "Go deeper in" if deepen else "Learn the fundamentals of"
    return {
        "focus_skills": names,
        "goals": [
            f"{verb} {g['name']} ({g['priority_level'].lower()} priority, "
            f"{g['coverage'].lower()} today)"
            for g in gaps
        ],
        "resources": resources[:3],
        "artefact": ARTEFACTS[lead["category"]].format(skill=lead["name"]),
        "self_check": SELF_CHECK.format(skill=lead["name"]),
        "hours": hours,
    }


def generic_roadmap(
    analysis: dict,
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK,
    reason: str = "no roadmap resources available",
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
    """Check an LLM's roadmap against the schema and the shipped resources."""
    if not isinstance(roadmap, dict):
        raise RoadmapInvalid("roadmap is not a JSON object")
    weeks = roadmap.get("weeks")
    if not isinstance(weeks, dict) or sorted(weeks) != list(WEEKS):
        raise RoadmapInvalid("roadmap must have exactly week1..week4")
    for name, week in weeks.items():
        if not isinstance(week, dict) or any(f not in week for f in WEEK_FIELDS):
            raise RoadmapInvalid(f"{name} lacks one of {', '.join(WEEK_FIELDS)}")
        if not isinstance(week["focus_skills"], list) or not week["focus_skills"]:
            raise RoadmapInvalid(f"{name} has no focus skills")
        resources = week["resources"]
        if not isinstance(resources, list) or not 1 <= len(resources) <= 3:
            raise RoadmapInvalid(f"{name} must cite 1 to 3 resources")
        for resource in resources:
            url = resource.get("url") if isinstance(resource, dict) else None
            if url not in allowed:
                raise RoadmapInvalid(f"{name} cites a resource we did not ship: {url!r}")
    not_yet = roadmap.get("not_yet", [])
    if not isinstance(not_yet, list):
        raise RoadmapInvalid("not_yet must be a list")
    return {"weeks": {w: weeks[w] for w in WEEKS}, "not_yet": not_yet}
