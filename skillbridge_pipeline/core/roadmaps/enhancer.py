"""Resume enhancer: rewrite resume bullets toward the JD's terminology, never inventing anything.

Offline it aligns terminology deterministically: where the resume and the JD name the same
technology differently, the bullet gains the JD's name beside its own ("k8s" becomes
"k8s (Kubernetes)"), so nothing specific the candidate wrote is lost.
With an LLM key it may also rephrase, behind the same check. The anti-fabrication check
rejects any suggestion that adds a skill, a number or date, or a capitalised name (employer,
title, product) that the resume does not already evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from skillbridge_pipeline.core.skills.extraction import SkillExtractor

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"\b[A-Z][\w.+#&-]*")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n)\s*(?:[-*•·]\s*)?$")


@dataclass(frozen=True)
class Suggestion:
    original: str
    suggested: str
    reason: str
    skills: list[str]
    mode: str  # aligned | llm

    def to_json(self) -> dict:
        return asdict(self)


def fabrication(
    suggestion: str,
    resume_text: str,
    evidenced_skill_ids: set[str],
    extractor: SkillExtractor,
    allowed_terms: set[str],
) -> str | None:
    """Why a suggestion invents something, or None when it only says what the resume says."""
    for skill in extractor.extract(suggestion, kind="resume"):
        if skill.skill_id not in evidenced_skill_ids:
            return f"adds the skill {skill.name}, which the resume does not evidence"
    resume_numbers = set(_NUMBER.findall(resume_text))
    for number in _NUMBER.findall(suggestion):
        if number not in resume_numbers:
            return f"adds the number or date {number}"
    resume_words = {w.casefold() for w in re.findall(r"[\w.+#&-]+", resume_text)}
    allowed = resume_words | {t.casefold() for t in allowed_terms}
    for match in _CAPITALISED.finditer(suggestion):
        word = match.group()
        if _SENTENCE_START.search(suggestion[: match.start()]):
            continue  # "Operated ..." is capitalised for grammar, not a name
        if word.casefold() not in allowed and word.casefold().rstrip(".") not in allowed:
            return f"adds the name {word!r}, which the resume does not contain"
    return None


def align_terminology(
    resume_text: str, resume_skills: list[dict], jd_skills: list[dict]
) -> list[Suggestion]:
    """Bullets that name a JD skill the JD's way."""
    jd_by_id = {s["skill_id"]: s for s in jd_skills}
    renames = []  # (start, end, new surface, skill name)
    for skill in resume_skills:
        jd = jd_by_id.get(skill["skill_id"])
        if not jd or skill.get("skill_kind") != "technology":
            continue  # concepts and languages read naturally either way
        wanted = _prose_form(jd["surface"], skill["name"])
        for start, end in skill.get("mentions") or [[skill["start"], skill["end"]]]:
            surface = resume_text[start:end]
            if wanted.casefold() not in surface.casefold():  # "CI/CD pipelines" already says it
                renames.append((start, end, f"{surface} ({wanted})", skill["name"]))
    by_line: dict[tuple[int, int], list] = {}
    for start, end, new, name in renames:
        line_start = resume_text.rfind("\n", 0, start) + 1
        line_end = resume_text.find("\n", end)
        line_end = len(resume_text) if line_end == -1 else line_end
        by_line.setdefault((line_start, line_end), []).append((start, end, new, name))
    suggestions = []
    for (line_start, line_end), changes in sorted(by_line.items()):
        line = resume_text[line_start:line_end]
        rewritten = line
        for start, end, new, _ in sorted(changes, reverse=True):
            rewritten = rewritten[: start - line_start] + new + rewritten[end - line_start :]
        terms = sorted({name for _, _, name, _ in changes})
        suggestions.append(
            Suggestion(
                original=line.strip(),
                suggested=rewritten.strip(),
                reason="name it as the job description does: " + ", ".join(terms),
                skills=sorted({name for *_, name in changes}),
                mode="aligned",
            )
        )
    return suggestions


def _prose_form(jd_surface: str, canonical: str) -> str:
    """The JD's wording, unless it is a tag-like form ("amazon-web-services")."""
    return canonical if jd_surface.islower() and "-" in jd_surface else jd_surface


ENHANCER_SYSTEM = (
    "Rewrite resume bullets so they use the job description's terminology. Never add skills, "
    "employers, titles, dates or numbers that the bullet does not contain. Answer JSON: "
    '{"suggestions": [{"original": ..., "suggested": ...}]}.'
)


def enhance(
    resume_text: str,
    resume_skills: list[dict],
    jd_skills: list[dict],
    extractor: SkillExtractor,
    settings=None,
) -> list[dict]:
    """Checked suggestions; the LLM's (when configured) only where they pass the same check."""
    from skillbridge_pipeline.core.roadmaps import llm

    evidenced = {s["skill_id"] for s in resume_skills}
    allowed = {s["surface"] for s in jd_skills if s["skill_id"] in evidenced} | {
        s["name"] for s in jd_skills if s["skill_id"] in evidenced
    }
    candidates = align_terminology(resume_text, resume_skills, jd_skills)
    if settings is not None and settings.enabled:
        bullets = [line.strip() for line in resume_text.splitlines() if _BULLET.match(line)][:20]
        terms = sorted({s["surface"] for s in jd_skills})
        try:
            answer = json.loads(
                llm.complete(
                    settings,
                    ENHANCER_SYSTEM,
                    json.dumps({"bullets": bullets, "job_terms": terms}),
                    json_output=True,
                )
            )
            for item in answer.get("suggestions", [])[:20]:
                original, suggested = str(item.get("original", "")), str(item.get("suggested", ""))
                if original in resume_text and suggested and suggested != original:
                    candidates.append(
                        Suggestion(
                            original, suggested, "rephrased toward the job description", [], "llm"
                        )
                    )
        except (llm.LlmUnavailable, ValueError, AttributeError) as error:
            llm._fallback("enhancer", str(error))
    checked = []
    for suggestion in candidates:
        reason = fabrication(suggestion.suggested, resume_text, evidenced, extractor, allowed)
        if reason is None:
            checked.append(suggestion.to_json())
    return checked
