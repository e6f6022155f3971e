"""4-week learning roadmaps a person could follow, citing free resources about each skill.

A gap is planned in weeks only when it is something to learn (a tool, a method, a knowledge
field: action "learn") and the resume does not already show it (Strong). Spoken languages and
qualifications take months or years: they are `long_paths`, never a week. Personal qualities and
industry experience are not studied: `show_in_resume` says how to evidence them. Analyses stored
before gaps had a kind and an action plan every non-Strong gap, the kind read from the category.

Weeks follow the JD's emphasis and what builds on what (`study_order`): required before
preferred, then priority, and a gap another gap builds on (Python before Django, from
data/roadmaps/prerequisites.tsv) just before it. Each week says why it comes where it does.
Effort depends on what the skill is, not its category (`effort_hours`): a tool ~10 h to working
knowledge, a method ~8, a knowledge field ~12 that carries on after the plan; half when the
resume shows something close. The week's project is written for the skill
(data/roadmaps/projects.tsv: Kafka gets a producer and consumer with a replay, wound care a
supervised case log); other skills get a template by kind and category, and nobody outside
software is asked for a repository. One skill a week, or two when both fit the week's hours;
weeks left over apply what was learnt, and gaps that did not fit are "what not to learn yet".

Resources come from the catalog (`catalog.py`): for each focus skill, those found on-topic
for it, at most three a week. A skill without one says "no vetted free resource yet" and gives
search terms instead of an unrelated course. Modes: `template` (no key), `llm` (Groq answered
and passed validation), `fallback` (the LLM failed or its answer was rejected: template
instead), `generic` (no catalog: a generic plan, never a crash).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from skillbridge_pipeline.core.gaps.advice import (
    ASKED_ORDER,
    action_of,
    asked_of,
    focus_of,
    kind_of,
)
from skillbridge_pipeline.core.roadmaps.catalog import ResourceIndex
from skillbridge_pipeline.core.skills.taxonomy import DATA_DIR

WEEKS = ("week1", "week2", "week3", "week4")
WEEK_FIELDS = ("focus_skills", "goals", "resources", "artefact", "self_check", "hours")
DEFAULT_HOURS_PER_WEEK = 6
SKILLS_PER_WEEK = 2
RESOURCES_PER_WEEK = 3
NO_RESOURCE = "no vetted free resource yet"
PROJECTS_FILE = DATA_DIR / "roadmaps" / "projects.tsv"
PREREQUISITES_FILE = DATA_DIR / "roadmaps" / "prerequisites.tsv"

# Hours to working knowledge of a missing skill, by kind; a partial one needs half.
KIND_HOURS = {"technology": 10, "concept": 8, "domain": 12, "soft_skill": 6}
SENIOR_YEARS = 3  # "3+ years of X": a deeper level is expected, half as long again
# Categories whose skills are shown with code or a computer; the rest with supervised practice.
DIGITAL = {
    "programming_languages",
    "ml_ai",
    "data_analytics",
    "cloud_devops",
    "web_mobile",
    "databases",
}

# Week projects for a skill projects.tsv does not list: a tool of a software category by its
# category, anything else by its kind and whether its field works at a computer.
TOOL_PROJECTS = {
    "programming_languages": "a small command-line tool in {skill} with tests and a README",
    "ml_ai": "a notebook that trains and evaluates a model with {skill} on a public dataset, "
    "saying which metric you chose and why",
    "data_analytics": "a small end-to-end example with {skill} on data you care about: what "
    "goes in, what comes out and what it shows",
    "cloud_devops": "a small service set up with {skill}, with the steps to rebuild it from "
    "nothing",
    "web_mobile": "a one-page app using {skill}, deployed for free",
    "databases": "a schema and ten queries in {skill} for a dataset you care about",
}
KIND_PROJECTS = {
    ("concept", True): "a written walkthrough of applying {skill} to a past or sample project, "
    "with one worked example in code or configuration",
    ("domain", True): "a one-page summary of the core ideas of {skill}, applied to two "
    "examples from a system you know",
    ("technology", False): "a worked example of using {skill} for one real task at work or in "
    "a practice setting, each step noted and checked by someone who uses it daily",
    ("concept", False): "a supervised practice log of {skill} in five real or simulated "
    "situations, each with what you did and a mentor's feedback",
    ("domain", False): "a one-page study summary of {skill} with three cases from your own "
    "work or sector and what each shows",
}
SOFT_SKILL_PROJECT = "a short practice log of using {skill} at work, with feedback asked for"
SELF_CHECKS = {
    "technology": "Use {skill} for a small task from scratch without a tutorial, then explain "
    "each step to a colleague",
    "concept": "Explain {skill} to a colleague in five minutes with one example from your own "
    "practice",
}
SELF_CHECK = (
    "Explain {skill} to a colleague in five minutes and answer one question you "
    "could not have answered last week"
)


class RoadmapInvalid(ValueError):
    """An LLM roadmap that breaks the schema or cites a resource we did not offer."""


def digital(gap: dict) -> bool:
    return gap.get("category") in DIGITAL


def learning_gaps(analysis: dict) -> list[dict]:
    """Gaps to plan in weeks, in the analysis' priority order: things to learn that the resume
    does not already show (Strong coverage is not a gap)."""
    return [
        g
        for g in analysis.get("skill_gaps", [])
        if action_of(g) == "learn" and g["coverage"] != "Strong"
    ]


def effort_hours(gap: dict) -> float:
    """Hours to working knowledge. What the skill is decides it, not how urgent it is: a tool
    takes less than a knowledge field. Half when the resume shows something close; half as long
    again when the JD asks for years of it (a deeper level, which the years then build)."""
    hours = KIND_HOURS.get(kind_of(gap), 8)
    if (gap.get("years") or 0) >= SENIOR_YEARS:
        hours *= 1.5
    return hours / 2 if gap["coverage"] == "Partial" else hours


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(
            csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        )


@cache
def skill_projects() -> dict[str, tuple[str, str]]:
    """Skill id -> (week project, self-check) written for that skill."""
    return {r["skill_id"]: (r["project"], r["self_check"]) for r in _rows(PROJECTS_FILE)}


@cache
def prerequisites() -> dict[str, tuple[str, ...]]:
    """Skill id -> the skill ids it builds on."""
    needs: dict[str, tuple[str, ...]] = {}
    for row in _rows(PREREQUISITES_FILE):
        needs[row["skill_id"]] = (*needs.get(row["skill_id"], ()), row["needs"])
    return needs


def study_order(gaps: Sequence[dict]) -> list[dict]:
    """The order to learn in: what the JD requires before what it would only like, then the
    given (priority) order; a gap another one builds on comes just before it, so nobody starts
    Django before Python."""
    by_id = {g["skill_id"]: g for g in reversed(gaps)}  # the first gap of an id
    ranked = sorted(gaps, key=lambda g: ASKED_ORDER.get(asked_of(g), 1))
    order: list[dict] = []
    seen: set[int] = set()

    def place(gap: dict) -> None:
        if id(gap) in seen:
            return
        seen.add(id(gap))
        for need in prerequisites().get(gap["skill_id"], ()):
            if need in by_id:
                place(by_id[need])
        order.append(gap)

    for gap in ranked:
        place(gap)
    return order


def why(gap: dict, order: Sequence[dict]) -> str:
    """One sentence on why this gap comes where it does in `order`."""
    position = order.index(gap)
    needs = prerequisites()
    later = [
        focus_of(g)
        for g in order[position + 1 :]
        if gap["skill_id"] in needs.get(g["skill_id"], ())
    ]
    earlier = [
        focus_of(g) for g in order[:position] if g["skill_id"] in needs.get(gap["skill_id"], ())
    ]
    if later:
        verb = "builds" if len(later) == 1 else "build"
        before = f"before {' and '.join(later)}, which {verb} on it"
        return f"First: {before}" if position == 0 else before[0].upper() + before[1:]
    built_on = f"; it builds on {' and '.join(earlier)}" if earlier else ""
    if asked_of(gap) == "preferred":
        if any(asked_of(g) != "preferred" for g in order):
            return "Preferred, not required: after the required ones" + built_on
        return f"Preferred, not required: a {gap['priority_level'].lower()} priority gap" + built_on
    asked = "the JD requires it" if asked_of(gap) == "required" else "the JD asks for it"
    sentence = (gap.get("jd_evidence") or {}).get("sentence")
    asked += f" ('{_shortened(sentence)}')" if sentence else ""
    if position == 0:
        return f"First: {asked} and it is the most urgent gap"
    return f"Next: {asked}, a {gap['priority_level'].lower()} priority gap{built_on}"


def _shortened(sentence: str, limit: int = 80) -> str:
    text = " ".join(sentence.split()).rstrip(".")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def project(gap: dict) -> tuple[str, str]:
    """(what to build or do this week, how to check it) for the gap's focus skill: written for
    the skill when projects.tsv has it, else by kind and category."""
    skill = focus_of(gap)
    if written := skill_projects().get(gap["skill_id"]):
        return written
    what, works_digitally = kind_of(gap), digital(gap)
    if what == "soft_skill":
        template = SOFT_SKILL_PROJECT
    elif what == "technology" and works_digitally:
        template = TOOL_PROJECTS.get(gap["category"], KIND_PROJECTS[("concept", True)])
    else:
        template = KIND_PROJECTS.get(
            (what, works_digitally), KIND_PROJECTS[("domain", works_digitally)]
        )
    check = SELF_CHECKS.get(what, SELF_CHECK)
    return template.format(skill=skill), check.format(skill=skill)


def offered_resources(
    analyses: Sequence[dict], index: ResourceIndex, vectors: Callable[[list[str]], np.ndarray]
) -> dict[str, list[dict]]:
    """Skill id -> the catalog resources found on-topic for it, as a roadmap cites them, for
    every gap of these analyses in one lookup (a grouped gap by the member to study)."""
    gaps = [g for analysis in analyses for g in learning_gaps(analysis)]
    found = index.for_skills([(g["skill_id"], focus_of(g)) for g in gaps], vectors)
    return {
        skill_id: [{**f.resource.cited(), "relevance": f.relevance} for f in hits]
        for skill_id, hits in found.items()
    }


def allowed_urls(offered: dict[str, list[dict]]) -> set[str]:
    return {r["url"] for resources in offered.values() for r in resources}


def search_terms(name: str, works_digitally: bool = True) -> list[str]:
    """What to search for when the catalog has nothing on-topic; practical skills are taught in
    courses and guidelines rather than documentation."""
    if works_digitally:
        return [f"{name} official documentation", f"{name} tutorial for beginners"]
    return [f"{name} guidelines", f"{name} training course"]


def plan_weeks(gaps: Sequence[dict], hours_per_week: float) -> list[list[dict]]:
    """Gaps in the given order, one to a week, or two when both fit the week's hours; the
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


def works_digitally(analysis: dict) -> bool:
    """Whether the applying weeks may ask for a repository: most of the skills to learn (else
    of all the skills asked for) are shown at a computer; personal qualities say nothing about
    where one works. A nurse or a cook is never asked for a repository."""
    gaps = [g for g in learning_gaps(analysis) if kind_of(g) != "soft_skill"]
    gaps = gaps or [g for g in analysis.get("skill_gaps", []) if kind_of(g) != "soft_skill"]
    return 2 * sum(map(digital, gaps)) > len(gaps)


def template_roadmap(
    analysis: dict,
    offered: dict[str, list[dict]],
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK,
    mode: str = "template",
    reason: str | None = None,
) -> dict:
    """The plan without an LLM: the gaps to learn in study order, filled into weeks, each with
    its why and a project for its skill; then the long paths and what to show."""
    order = study_order(learning_gaps(analysis))
    planned = plan_weeks(order, hours_per_week)
    placed = {g["skill_id"] for week in planned for g in week}
    used: set[str] = set()
    weeks = {}
    for number, week in enumerate(WEEKS):
        if number < len(planned):
            weeks[week] = _learning_week(planned[number], order, offered, hours_per_week, used)
        else:
            learnt = [focus_of(g) for w in planned for g in w]
            weeks[week] = _applying_week(
                number - len(planned), learnt, hours_per_week, works_digitally(analysis)
            )
    return {
        "mode": mode,
        **({"reason": reason} if reason else {}),
        "hours_per_week": hours_per_week,
        "weeks": weeks,
        "not_yet": [g["name"] for g in order if g["skill_id"] not in placed],
        **beyond_weeks(analysis),
    }


def beyond_weeks(analysis: dict) -> dict:
    """What no week holds: the long paths (languages, qualifications) and what to show in the
    resume (personal qualities, industry experience). The same for any roadmap of an analysis,
    LLM or template: facts about how long a degree takes are not the LLM's to invent."""
    open_gaps = [g for g in analysis.get("skill_gaps", []) if g["coverage"] != "Strong"]
    return {
        "long_paths": [long_path(g) for g in open_gaps if action_of(g) == "long_path"],
        "show_in_resume": [show_in_resume(g) for g in open_gaps if action_of(g) == "show"],
    }


def _learning_week(
    gaps: list[dict], order: list[dict], offered: dict, hours: int, used: set[str]
) -> dict:
    resources, unvetted, goals = [], [], []
    for gap in gaps:
        fresh = [r for r in offered.get(gap["skill_id"], []) if r["url"] not in used]
        timed = next((r for r in fresh if r.get("weeks") and r.get("hours_per_week")), None)
        goals.append(_goal(gap, hours, timed))
        if not fresh:
            unvetted.append(
                {
                    "skill": focus_of(gap),
                    "note": NO_RESOURCE,
                    "search_terms": search_terms(focus_of(gap), digital(gap)),
                }
            )
        room = RESOURCES_PER_WEEK - len(resources)
        for resource in fresh[: min(room, RESOURCES_PER_WEEK // len(gaps) or 1)]:
            resources.append({k: v for k, v in resource.items() if k != "relevance"})
            used.add(resource["url"])
    artefact, self_check = project(gaps[0])
    week = {
        "focus_skills": [focus_of(g) for g in gaps],
        "why": why(gaps[0], order)
        + "".join(f"; {focus_of(g)} shares the week: both fit its hours" for g in gaps[1:]),
        "goals": goals,
        "resources": resources,
        "artefact": artefact,
        "self_check": self_check,
        "hours": hours,
    }
    if unvetted:
        week["unvetted"] = unvetted
    return week


def _goal(gap: dict, hours: int, course: dict | None = None) -> str:
    """What to do this week and for how long; a course that states its duration says how much
    of it the week covers, and years the JD asks for are said to come from the job itself."""
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
    group = gap.get("group") or {}
    if group.get("members") and not group.get("met_by"):
        members = ", ".join(group["members"])
        time += f"; the job takes any of {members}: this one is nearest to your resume"
    if gap.get("years"):
        time += (
            f"; the JD asks for {gap['years']}+ years: this starts them, using it at work adds them"
        )
    return (
        f"{verb} {focus_of(gap)} ({gap['priority_level'].lower()} priority, "
        f"{gap['coverage'].lower()} today): {time}"
    )


def _applying_week(index: int, learnt: list[str], hours: int, works_digitally: bool) -> dict:
    """Weeks after the gaps, each different: a project that uses what was learnt, the resume,
    interviews, then keeping up. Outside software the project is supervised or real work a
    mentor can check, not a repository."""
    skills = " and ".join(learnt[:2]) or "the job's core skills"
    if works_digitally:
        project = (
            f"Build one small project that uses {skills} together",
            f"a public repository or write-up of a project using {skills}",
            "Someone else can run or read your project without your help",
        )
    else:
        project = (
            f"Do one piece of real or supervised work that uses {skills} together",
            "a record of that work (a case log, photos with notes or a worked example) that a "
            "mentor or employer can check",
            "A mentor or senior colleague has checked the work and said what to improve",
        )
    weeks = [
        (
            "portfolio project",
            *project,
            "After the gaps: use what you learnt where an employer can see it",
        ),
        (
            "resume and applications",
            "Rewrite your resume's bullets so each requirement of the job is evidenced, then apply",
            "an updated resume whose bullets name the skills the job asks for",
            "Every requirement of the job description is evidenced in your resume",
            "The resume is what gets you the interview: it must show each requirement",
        ),
        (
            "interview practice",
            f"Prepare one short story per requirement, {skills} first, and rehearse them aloud",
            "a page of interview stories: situation, what you did, the result",
            "You can answer 'tell me about a time you used it' for each requirement",
            "Interviews ask for a time you used each skill: prepared stories beat improvised ones",
        ),
        (
            "keeping up",
            f"Follow one community or newsletter about {skills} and read it weekly",
            "a short list of sources you will keep reading after this plan",
            "You can name one recent change in what the job asks for",
            "Skills fade without use: a weekly habit keeps them current after the plan",
        ),
    ]
    focus_name, goal, artefact, check, reason = weeks[index]
    return {
        "focus_skills": [focus_name],
        "why": reason,
        "goals": [goal],
        "resources": [],
        "artefact": artefact,
        "self_check": check,
        "hours": hours,
    }


# Guided hours from scratch to each CEFR level (language schools' estimates), and the study
# pace the months are counted at.
CEFR_HOURS = {
    "A1": (80, 120),
    "A2": (180, 250),
    "B1": (350, 450),
    "B2": (600, 750),
    "C1": (900, 1100),
    "C2": (1200, 1500),
}
LANGUAGE_HOURS_PER_WEEK = 10
# Languages that take an English speaker about twice as long (FSI's hardest category).
HARDER = {"arabic", "japanese", "korean", "mandarin"}
LANGUAGE_EXAMS = {
    "english": "IELTS or a Cambridge English exam",
    "german": "Goethe-Zertifikat or TestDaF",
    "french": "DELF or DALF",
    "spanish": "DELE",
    "italian": "CILS or CELI",
    "portuguese": "CAPLE or Celpe-Bras",
    "dutch": "NT2 (Staatsexamen)",
    "japanese": "JLPT",
    "mandarin": "HSK",
    "korean": "TOPIK",
    "finnish": "YKI",
    "swedish": "Swedex or TISUS",
}
# Words a JD uses for a language level, strongest first.
LEVEL_WORDS = (
    ("C2", re.compile(r"\b(native|mother tongue|bilingual)\b", re.I)),
    ("C1", re.compile(r"\b(fluen\w*|excellent|proficien\w*|advanced)\b", re.I)),
    ("B2", re.compile(r"\b(business|professional|working|good)\b", re.I)),
    ("B1", re.compile(r"\b(basic|conversational|intermediate)\b", re.I)),
)
QUALIFICATIONS = (  # (words in the name, how long, first step), first match wins
    (
        ("cpa", "acca", "cima", "chartered accountant", "cfa"),
        "1.5-4 years part time beside work: several exams, and supervised experience before "
        "you may use the title",
        "Check which exams your degree exempts you from, register with the body and book the "
        "first exam window",
    ),
    (
        ("nmc", "registered nurse", "nursing licen"),
        "a nursing degree (3 years; 2 after a relevant degree) or a nursing apprenticeship "
        "(about 4 years), then registration",
        "Ask your employer about a nursing apprenticeship, or compare pre-registration nursing "
        "courses and their next intake",
    ),
    (
        ("qualified teacher", "teaching licen", "teaching credential"),
        "about a year of teacher training after a degree (an assessment-only route exists for "
        "experienced unqualified teachers)",
        "Compare teacher-training routes for your subject and apply for the next intake",
    ),
    (
        ("electrician licen", "journeyman"),
        "a 4-5 year apprenticeship (about 8,000 hours on the job) and then the licensing exam",
        "Log your supervised hours from now on and ask your employer or a union about an "
        "apprenticeship place",
    ),
    (
        ("commercial driving", "cdl", "hgv"),
        "3-8 weeks of training, then theory and practical tests",
        "Book the medical and the theory test, then a training course with a licensed school",
    ),
    (
        ("phd", "doctor"),
        "3-4 years full time, 5-7 part time; industry (professional) doctorates exist too",
        "Find a supervisor whose research fits the role and ask about funded or part-time places",
    ),
    (
        ("master",),
        "1-2 years full time, 2-3 part time or online",
        "Check the entry requirements and next deadline of two or three part-time or online "
        "programmes",
    ),
    (
        ("bachelor", "degree", "diploma"),
        "3-4 years full time, 4-6 part time; online and part-time degrees let you keep working",
        "Ask whether the employer accepts equivalent experience instead; if not, compare "
        "part-time or online programmes that credit prior learning, and apply for the next intake",
    ),
    (
        ("licen", "registration", "registered"),
        "weeks to months: training, supervised hours and an exam, set by the licensing body",
        "Read the licensing body's requirements (training, hours, exam, fees) and book the first "
        "required course or exam date",
    ),
)
CERTIFICATION = (
    "typically 4-12 weeks of study at a few hours a week, then an exam",
    "Read the official exam guide, take a practice test, then book the exam date and study "
    "toward it",
)


def long_path(gap: dict) -> dict:
    """A language or a qualification: how long it really takes and the first step, never a
    week of the plan."""
    if kind_of(gap) == "language":
        how_long, first_step = _language_path(gap)
    else:
        how_long, first_step = _qualification_path(gap["name"])
    return {
        "skill": gap["name"],
        "kind": kind_of(gap),
        "how_long": how_long,
        "first_step": first_step,
    }


def language_level(gap: dict) -> str:
    """The CEFR level the JD asks for: a level it names, else its words ("fluent": C1), else B2
    (what most jobs that name a language need)."""
    evidence = gap.get("jd_evidence") or {}
    surface = str(evidence.get("surface") or gap["name"])
    text = f"{surface} {_about(str(evidence.get('sentence') or ''), surface)}"
    if named := re.search(r"\b([ABC][12])\b", text):
        return named.group(1)
    return next((level for level, words in LEVEL_WORDS if words.search(text)), "B2")


def _about(sentence: str, surface: str) -> str:
    """The part of the sentence about this one language: "fluent English and basic German"
    asks for basic German."""
    at = sentence.casefold().find(surface.casefold())
    if at < 0:
        return sentence
    before = re.split(r"\band\b|[,;]", sentence[:at])[-1]
    after = re.split(r"\band\b|[,;]", sentence[at + len(surface) :])[0]
    return before + surface + after


def _language_path(gap: dict) -> tuple[str, str]:
    level = language_level(gap)
    low, high = CEFR_HOURS[level]
    harder = gap["skill_id"] in HARDER
    if harder:
        low, high = 2 * low, 2 * high
    months = [round(h / LANGUAGE_HOURS_PER_WEEK / 4.345) for h in (low, high)]
    how_long = (
        f"{level} from scratch: about {low}-{high} guided hours, {months[0]}-{months[1]} months "
        f"at {LANGUAGE_HOURS_PER_WEEK} h a week"
        + (" (about twice as long for an English speaker)" if harder else "")
        + "; less if you already speak some"
    )
    exam = LANGUAGE_EXAMS.get(gap["skill_id"], "a recognised CEFR exam")
    first_step = (
        f"Take a free placement test to find your level, then book a course aiming at {level} "
        f"and, when ready, the {exam} to prove it"
    )
    return how_long, first_step


def _qualification_path(name: str) -> tuple[str, str]:
    lowered = name.casefold()
    for words, how_long, first_step in QUALIFICATIONS:
        if any(word in lowered for word in words):
            return how_long, first_step
    return CERTIFICATION


# Resume bullets that show a personal quality in a situation with a result.
SHOWN_BY = {
    "self-motivation": "Taught myself Excel macros in my own time and used them to cut the "
    "weekly report from a day to an hour",
    "communication": "Explained a delayed delivery to three client teams in a weekly note; no "
    "escalations followed",
    "teamwork": "Covered a colleague's shifts during a staff shortage so the ward kept every "
    "planned admission",
    "leadership": "Led a team of four through a system change and finished a week early",
    "problem-solving": "Traced repeated order errors to one form field and fixed it; errors "
    "fell from 30 a month to 2",
    "attention-to-detail": "Checked 300 invoices a month against orders and found duplicate "
    "payments worth 12,000",
    "time-management": "Ran 12 deliveries a day on a schedule I planned; none late in six months",
    "adaptability": "Moved to a new till system in a week and trained two colleagues on it",
    "customer-focus": "Handled 40 customer queries a day; satisfaction rose from 4.1 to 4.6 out "
    "of 5",
}


def show_in_resume(gap: dict) -> dict:
    """A personal quality or industry experience: not studied, shown in the resume by an
    example with a situation and a result (a claim alone convinces nobody)."""
    skill = gap["name"]
    if kind_of(gap) == "industry":
        how = (
            f"Show experience close to {skill}: clients, projects, placements or volunteering "
            f"in or near the sector, in its own words (its customers, rules, products), e.g. "
            f"'Delivered <work> for a {skill} client, meeting <a rule or need of the sector>'; "
            "with none yet, a short sector course or a project on one of its problems gives "
            "you one"
        )
    else:
        example = SHOWN_BY.get(
            gap["skill_id"],
            "When <a real situation>, I <what you did>, which <a result, with a number>",
        )
        how = (
            f"Show {skill} instead of claiming it: one bullet with a real situation, what you "
            f"did and the result, e.g. '{example}'"
        )
    return {"skill": skill, "kind": kind_of(gap), "how": how}


def plan_lines(plan: dict, not_yet: int | None = None) -> list[str]:
    """A roadmap as a person reads it on a terminal: a line a week and why it comes there,
    then what is not yet, the long paths and what to show in the resume."""
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
        if content.get("why"):
            lines.append(f"    why: {content['why']}")
    if plan.get("not_yet"):
        lines.append(f"  not yet: {', '.join(plan['not_yet'][:not_yet])}")
    for path in plan.get("long_paths", []):
        lines.append(f"  long path, not a week: {path['skill']}: {path['how_long']}")
    if shown := plan.get("show_in_resume"):
        lines.append(
            "  show in your resume, with an example: " + ", ".join(s["skill"] for s in shown)
        )
    return lines


def generic_roadmap(
    analysis: dict,
    hours_per_week: int = DEFAULT_HOURS_PER_WEEK,
    reason: str = "no learning-resource catalog available",
) -> dict:
    ordered = [focus_of(g) for g in study_order(learning_gaps(analysis))]
    names = ordered[:4] or ["the job's core skills"]
    plan = [
        (
            "Map the gap",
            f"List what the job asks for and rank it; start with {names[0]}",
            "Knowing what the job asks for first keeps the next weeks on it",
        ),
        (
            "Build foundations",
            f"Work through an introductory course on {names[min(1, len(names) - 1)]}",
            "The most urgent gaps first, in the order the job asks for them",
        ),
        (
            "Practise",
            "Build one small project that uses the top two gaps together",
            "Using skills together is what the job will ask of you",
        ),
        (
            "Show it",
            "Publish the project and rewrite resume bullets to evidence it",
            "The resume is what gets you the interview",
        ),
    ]
    return {
        "mode": "generic",
        "reason": reason,
        "hours_per_week": hours_per_week,
        "weeks": {
            week: {
                "focus_skills": names[:2] if i < 3 else ["portfolio"],
                "why": because,
                "goals": [goal],
                "resources": [],
                "artefact": title.lower(),
                "self_check": "You can point to something you made this week",
                "hours": hours_per_week,
            }
            for i, (week, (title, goal, because)) in enumerate(zip(WEEKS, plan, strict=True))
        },
        "not_yet": ordered[4:],
        **beyond_weeks(analysis),
    }


BEYOND_FIELDS = {
    "long_paths": ("skill", "kind", "how_long", "first_step"),
    "show_in_resume": ("skill", "kind", "how"),
}


def validate_roadmap(roadmap: object, allowed: set[str], not_weeks: set[str] = frozenset()) -> dict:
    """Check an LLM's roadmap against the schema and the resources it was offered. A week's
    "why" and the long paths and what to show are kept when well formed; `not_weeks` are the
    gaps that are never a week (languages, qualifications, personal qualities)."""
    if not isinstance(roadmap, dict):
        raise RoadmapInvalid("roadmap is not a JSON object")
    weeks = roadmap.get("weeks")
    if not isinstance(weeks, dict) or sorted(weeks) != list(WEEKS):
        raise RoadmapInvalid("roadmap must have exactly week1..week4")
    seen_skills: set[str] = set()
    for name, week in weeks.items():
        if not isinstance(week, dict) or any(f not in week for f in WEEK_FIELDS):
            raise RoadmapInvalid(f"{name} lacks one of {', '.join(WEEK_FIELDS)}")
        focus_skills = week["focus_skills"]
        if not isinstance(focus_skills, list) or not 1 <= len(focus_skills) <= SKILLS_PER_WEEK:
            raise RoadmapInvalid(f"{name} must focus on 1 or 2 skills")
        if repeated := seen_skills & {str(s) for s in focus_skills}:
            raise RoadmapInvalid(f"{name} repeats {', '.join(sorted(repeated))}")
        if never := not_weeks & {str(s) for s in focus_skills}:
            raise RoadmapInvalid(f"{name} makes a week of {', '.join(sorted(never))}")
        seen_skills |= {str(s) for s in focus_skills}
        if not isinstance(week.get("why", ""), str):
            raise RoadmapInvalid(f"{name}'s why must be a sentence")
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
    beyond = {}
    for key, fields in BEYOND_FIELDS.items():
        entries = roadmap.get(key, [])
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and all(isinstance(e.get(f), str) for f in fields) for e in entries
        ):
            raise RoadmapInvalid(f"{key} must be a list of {{{', '.join(fields)}}}")
        if key in roadmap:
            beyond[key] = [{f: e[f] for f in fields} for e in entries]
    return {"weeks": {w: weeks[w] for w in WEEKS}, "not_yet": not_yet, **beyond}
