"""The LLM (Groq, Llama 3.1 8B by default) behind roadmaps, chat and the resume enhancer.

Every call has a timeout (8 s by default), no client retries, JSON output where a structure is
expected, and a deterministic fallback: the caller always gets an answer, and each fallback is
counted in `llm_fallback_total{purpose}` with its reason. Without an API key nothing is sent.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from skillbridge_pipeline.core.gaps.advice import action_of, asked_of, focus_of, kind_of
from skillbridge_pipeline.core.roadmaps import engine as roadmaps
from skillbridge_pipeline.core.roadmaps.answers import answer
from skillbridge_pipeline.metrics import LLM_FALLBACK_TOTAL

log = logging.getLogger(__name__)
DEFAULT_MODEL = "llama-3.1-8b-instant"


@dataclass(frozen=True)
class LlmSettings:
    api_key: str | None = None
    model: str = DEFAULT_MODEL
    timeout_seconds: float = 8.0
    base_url: str | None = None  # an OpenAI-compatible endpoint; tests use a local server

    @property
    def enabled(self) -> bool:
        return bool(self.api_key)


class LlmUnavailable(RuntimeError):
    """Any reason the LLM gave no usable answer; `reason` is recorded with the fallback."""


def complete(settings: LlmSettings, system: str, user: str, json_output: bool) -> str:
    import groq

    client = groq.Groq(
        api_key=settings.api_key,
        base_url=settings.base_url,
        timeout=settings.timeout_seconds,
        max_retries=0,
    )
    try:
        response = client.chat.completions.create(
            model=settings.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            temperature=0.2,
            **({"response_format": {"type": "json_object"}} if json_output else {}),
        )
        content = response.choices[0].message.content
    except groq.APITimeoutError:
        raise LlmUnavailable(f"timeout after {settings.timeout_seconds:g} s") from None
    except groq.APIStatusError as error:
        raise LlmUnavailable(f"HTTP {error.status_code} from the LLM API") from None
    except groq.APIError as error:
        raise LlmUnavailable(f"LLM API error: {type(error).__name__}") from None
    except (IndexError, AttributeError, TypeError) as error:
        raise LlmUnavailable(f"unexpected LLM response shape ({error})") from None
    if not content or not content.strip():
        raise LlmUnavailable("empty LLM answer")
    return content


def _fallback(purpose: str, reason: str) -> None:
    LLM_FALLBACK_TOTAL.labels(purpose=purpose).inc()
    log.warning("LLM %s fell back to the template: %s", purpose, reason)


ROADMAP_SYSTEM = (
    "You are a career coach. Write a 4-week learning plan as JSON with keys weeks "
    "(week1..week4, each with focus_skills, why, goals, resources, artefact, self_check, hours) "
    "and not_yet. Use only the gaps and the resources given, in the order given (what the job "
    "requires first; a skill another builds on before it); one or two focus skills a week, none "
    "repeated; why is one sentence on why the week comes where it does; the artefact is what a "
    "practitioner of that skill would build or do to show it. Cite at most 3 resources per week "
    "by their exact url, only resources given for that week's skills. Do not invent resources."
)


def roadmap(
    analysis: dict,
    offered: dict[str, list[dict]] | None,
    settings: LlmSettings,
    hours_per_week: int = roadmaps.DEFAULT_HOURS_PER_WEEK,
) -> dict:
    """A roadmap for one analysis: LLM when configured and valid, else templates.
    `offered` maps each gap's skill id to its on-topic catalog resources (None: no catalog)."""
    if offered is None:
        return roadmaps.generic_roadmap(analysis, hours_per_week)
    if not settings.enabled:
        return roadmaps.template_roadmap(analysis, offered, hours_per_week)
    order = roadmaps.study_order(roadmaps.learning_gaps(analysis))
    gaps = order[:8]
    prompt = json.dumps(
        {
            "hours_per_week": hours_per_week,
            "gaps": [
                {
                    "skill": focus_of(g),
                    "kind": kind_of(g),
                    "priority": g["priority_level"],
                    "coverage": g["coverage"],
                    "required": asked_of(g) or "asked",
                    "hours_needed": roadmaps.effort_hours(g),
                    "why_here": roadmaps.why(g, order),
                }
                for g in gaps
            ],
            "resources": {
                focus_of(g): [
                    {k: v for k, v in r.items() if k != "relevance"}
                    for r in offered.get(g["skill_id"], [])
                ]
                for g in gaps
            },
        }
    )
    try:
        answer = json.loads(complete(settings, ROADMAP_SYSTEM, prompt, json_output=True))
        checked = roadmaps.validate_roadmap(
            answer, roadmaps.allowed_urls(offered), _never_weeks(analysis)
        )
    except json.JSONDecodeError as error:
        reason = f"LLM answer is not JSON ({error.msg})"
    except (LlmUnavailable, roadmaps.RoadmapInvalid) as error:
        reason = str(error)
    else:
        # Long paths and what to show are the template's: how long a degree takes is not the
        # LLM's to invent.
        beyond = roadmaps.beyond_weeks(analysis)
        return {"mode": "llm", "hours_per_week": hours_per_week, **checked, **beyond}
    _fallback("roadmap", reason)
    return roadmaps.template_roadmap(
        analysis, offered, hours_per_week, mode="fallback", reason=reason
    )


def _never_weeks(analysis: dict) -> set[str]:
    """Names of the gaps no week may hold: languages, qualifications, what to show."""
    gaps = analysis.get("skill_gaps", [])
    return {n for g in gaps if action_of(g) != "learn" for n in (g["name"], focus_of(g))}


CHAT_SYSTEM = (
    "You answer questions about one skill-gap analysis. Use only the analysis given. Be brief "
    "and concrete. Never claim the candidate has a skill the analysis does not list as matched."
)


def chat(question: str, analysis: dict, settings: LlmSettings) -> str:
    """An answer grounded in the analysis; a non-empty template answer when the LLM fails."""
    if settings.enabled:
        context = json.dumps(
            {
                "overall_match": analysis.get("overall_match"),
                "top_gaps": [
                    {"skill": g["name"], "priority": g["priority_level"], "coverage": g["coverage"]}
                    for g in analysis.get("skill_gaps", [])[:8]
                ],
                "matched": analysis.get("matched_skills", [])[:20],
            }
        )
        try:
            return complete(
                settings,
                CHAT_SYSTEM,
                f"Analysis: {context}\n\nQuestion: {question}",
                json_output=False,
            ).strip()
        except LlmUnavailable as error:
            _fallback("chat", str(error))
    return grounded_answer(analysis, question)


def grounded_answer(analysis: dict, question: str = "") -> str:
    """The answer without an LLM: rule-based, from the analysis, to the question asked."""
    return answer(question, analysis)
