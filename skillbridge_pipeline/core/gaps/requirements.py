"""Requirements as the job description states them, read from its wording around the skills.

A JD's skills are not each a requirement. "Experience with PyTorch or TensorFlow" is one
requirement met by either; "one or more of React, Angular or Vue", "a language such as Go or
Scala", "AWS/GCP", "Tableau, Power BI or similar" likewise. "Bachelor's degree in Computer
Science" is one qualification, its field an attribute of it. "5+ years of Python" keeps the
years with Python. "You will work closely with business analysts" names colleagues, not a
skill to have. This module reads those from the text and the skills' offsets: plain
functions, no model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from skillbridge_pipeline.core.skills.jd_context import split_sentences

# What may stand between two members of one list: commas, slashes, "or", "and", "and/or".
_LINK = re.compile(r"^(?:\s*(?:,|/|\||&|\band/or\b|\bor\b|\band\b|\bnor\b)\s*)+$", re.IGNORECASE)
_OR = re.compile(r"/|\||\bor\b|\bnor\b", re.IGNORECASE)
# An opening bracket, with or without "e.g.", between a skill and its examples.
_EXAMPLES = re.compile(
    r"^\s*\(\s*(?:e\.g\.?|eg\.?|i\.e\.?|such as|for example|like|incl\.?|including)?[\s:,]*$",
    re.IGNORECASE,
)
# Words before a list that make its members examples or alternatives.
_CUE_BEFORE = re.compile(
    r"(?:\b(?:one or more of|at least one of|one of|any of|either|such as|e\.g\.?|eg\.?|"
    r"for example|for instance|like|including|i\.e\.?|preferably)\s*[:(]?\s*|\(\s*)$",
    re.IGNORECASE,
)
# Words after a list that make it open: "or similar", "or equivalent", "or another …".
_CUE_AFTER = re.compile(
    r"^\s*,?\s*(?:or (?:a |an |any )?(?:similar|equivalent|comparable|related|other|another|"
    r"alternative)|etc\b|and (?:the )?like\b)",
    re.IGNORECASE,
)
_YEARS = re.compile(
    r"(\d{1,2})\s*\+?\s*(?:-|–|to)?\s*(?:\d{1,2}\s*\+?\s*)?(?:years?|yrs?)\b", re.IGNORECASE
)
# "… degree in Computer Science", "BSc in …", "qualified in …": the field of a qualification.
_FIELD_OF = re.compile(
    r"^(?:['’]s)?\s*(?:degree|diploma|qualification)?\s*(?:\(\w+\)\s*)?(?:in|of)\s+(?:a\s+)?$",
    re.IGNORECASE,
)
# "work closely with business analysts": colleagues named by their role, not a skill asked for.
_COLLEAGUES = re.compile(
    r"\b(?:with|alongside|to|between|for)\s+(?:our\s+|the\s+|other\s+|fellow\s+)?[\w\s-]{0,40}$",
    re.IGNORECASE,
)
_ROLE_NOUN = re.compile(
    r"(?:analysts|engineers|developers|designers|scientists|managers|architects|"
    r"consultants|specialists|teams|stakeholders)$",
    re.IGNORECASE,
)
_WORKING_WITH = re.compile(
    r"\b(?:work|working|collaborat\w*|cooperat\w*|partner\w*|liais\w*|interact\w*|support\w*|"
    r"report\w*|coordinat\w*)\b",
    re.IGNORECASE,
)
SENTENCE_CHARS = 300
_LIST_MARK = re.compile(r"^[-–—•*·▪◦]+\s*")  # "- Fluent German" is quoted "Fluent German"
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|incl|approx|vs|etc)\.\s*$", re.IGNORECASE)


@dataclass
class Requirement:
    """One thing the JD asks for: a skill, or alternatives any of which meets it."""

    skill_ids: list[str]  # in the JD's order
    any_of: bool = False
    sentence: str = ""
    years: int | None = None
    fields: list[str] = field(default_factory=list)  # a qualification's field(s) of study


@dataclass(frozen=True)
class _Mention:
    skill_id: str
    start: int
    end: int


def _mentions(jd_skills: Sequence[dict]) -> list[_Mention]:
    out = []
    for skill in jd_skills:
        spans = skill.get("mentions") or [[skill.get("start"), skill.get("end")]]
        for span in spans:
            if span and span[0] is not None and span[1] is not None:
                out.append(_Mention(skill["skill_id"], int(span[0]), int(span[1])))
    return sorted(out, key=lambda m: (m.start, m.end))


def read_requirements(jd_text: str, jd_skills: Sequence[dict]) -> list[Requirement]:
    """The JD's requirements, one per skill unless its wording groups them; in the order the
    skills are given. Without the text (or offsets) each skill is a requirement of its own."""
    kinds = {s["skill_id"]: s.get("skill_kind") for s in jd_skills}
    single: dict[str, Requirement] = {}  # asked for on its own
    grouped: dict[str, Requirement] = {}  # one of alternatives
    colleagues: set[str] = set()
    mentions = _mentions(jd_skills) if jd_text else []
    for start, end in _sentences(jd_text) if mentions else []:
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        if not inside:
            continue
        sentence = _LIST_MARK.sub("", " ".join(jd_text[start:end].split()))[:SENTENCE_CHARS]
        for chain, examples in _chains(jd_text, inside):
            ids = list(dict.fromkeys(m.skill_id for m in chain))
            years = _years(jd_text, start, end, chain)
            if len(ids) > 1 and (examples or _alternatives(jd_text, end, chain)):
                group = Requirement(ids, True, sentence, years)
                for skill_id in ids:
                    grouped.setdefault(skill_id, group)
                continue
            for mention in chain:
                if _names_colleagues(jd_text, start, mention):
                    colleagues.add(mention.skill_id)
                    continue
                found = single.setdefault(
                    mention.skill_id, Requirement([mention.skill_id], False, sentence)
                )
                found.years = found.years or years
        _fields_of_qualifications(jd_text, inside, kinds, single)
    return _in_order(jd_skills, single, grouped, colleagues)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentences, an abbreviation's full stop not ending one ("Cloud (e.g. AWS, GCP)")."""
    spans: list[tuple[int, int]] = []
    for start, end in split_sentences(text):
        if spans and _ABBREVIATION.search(text[spans[-1][0] : spans[-1][1]]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _in_order(
    jd_skills: Sequence[dict],
    single: dict[str, Requirement],
    grouped: dict[str, Requirement],
    colleagues: set[str],
) -> list[Requirement]:
    """One requirement per thing, in the skills' order: a skill asked for on its own leaves the
    alternatives it was also offered in; a field of study stays with its qualification."""
    for group in {id(g): g for g in grouped.values()}.values():
        group.skill_ids = [i for i in group.skill_ids if i not in single]
        group.any_of = len(group.skill_ids) > 1
    fields = {f for r in single.values() for f in r.fields}
    requirements: dict[int, Requirement] = {}
    for skill in jd_skills:
        skill_id = skill["skill_id"]
        requirement = single.get(skill_id) or grouped.get(skill_id)
        if requirement is None:
            if skill_id in colleagues:
                continue  # only ever named as colleagues
            requirement = Requirement([skill_id])
        if requirement.skill_ids == [skill_id] and skill_id in fields:
            continue
        requirements.setdefault(id(requirement), requirement)
    return list(requirements.values())


def _chains(text: str, mentions: list[_Mention]) -> list[tuple[list[_Mention], bool]]:
    """Runs of mentions joined only by list punctuation ("A, B or C", "A/B"), each with whether
    it holds examples in brackets: "Unit testing (Jest or Vitest)" is met by any of the three,
    "Python or R (pandas, tidyverse)" by any of the four."""
    chains: list[tuple[list[_Mention], bool]] = []
    for mention in mentions:
        if chains:
            chain = chains[-1][0]
            between = text[chain[-1].end : mention.start]
            if mention.start >= chain[-1].end and between.strip():
                if _LINK.match(between):
                    chain.append(mention)
                    continue
                if _EXAMPLES.match(between):
                    chain.append(mention)
                    chains[-1] = (chain, True)
                    continue
        chains.append(([mention], False))
    return chains


def _alternatives(text: str, end: int, chain: list[_Mention]) -> bool:
    if any(_OR.search(text[a.end : b.start]) for a, b in pairwise(chain)):
        return True
    # The line before, not the sentence: "e.g." ends a sentence for the splitter.
    before = text[max(0, chain[0].start - 40) : chain[0].start].rsplit("\n", 1)[-1]
    after = text[chain[-1].end : min(end, chain[-1].end + 30)]
    return bool(_CUE_BEFORE.search(before) or _CUE_AFTER.match(after))


def _years(text: str, start: int, end: int, chain: list[_Mention]) -> int | None:
    """Years the sentence asks for next to this chain: "5+ years of Python", "Python (3 yrs)"."""
    before = text[max(start, chain[0].start - 40) : chain[0].start]
    after = text[chain[-1].end : min(end, chain[-1].end + 20)]
    found = [m for m in _YEARS.finditer(before) if not re.search(r"[.;]", before[m.end() :])]
    if found:
        return int(found[-1].group(1))
    if (m := _YEARS.search(after)) and not re.search(r"[,.;]", after[: m.start()]):
        return int(m.group(1))
    return None


def _names_colleagues(text: str, start: int, mention: _Mention) -> bool:
    surface = text[mention.start : mention.end]
    if not _ROLE_NOUN.search(surface):
        return False
    before = text[max(start, mention.start - 60) : mention.start]
    return bool(_COLLEAGUES.search(before) and _WORKING_WITH.search(before))


def _fields_of_qualifications(
    text: str, mentions: list[_Mention], kinds: dict, by_id: dict[str, Requirement]
) -> None:
    """A field named right after a qualification ("degree in Computer Science") is that
    qualification's field, not a requirement of its own."""
    for first, second in pairwise(mentions):
        if kinds.get(first.skill_id) != "qualification" or kinds.get(second.skill_id) not in (
            "domain",
            "concept",
        ):
            continue
        if _FIELD_OF.match(text[first.end : second.start]) and first.skill_id in by_id:
            fields = by_id[first.skill_id].fields
            if second.skill_id not in fields:
                fields.append(second.skill_id)
