"""Where in a job description a sentence stands: what the employer asks for, or something else.

A posting names technologies in its requirements ("5 years of Python"), but also while
describing itself ("we are a SaaS company", "our platform runs on AWS") or its benefits. Only
the first kind is a requirement; skills seen only in the others are reported with lower
confidence. Requirements are split into required and preferred by the wording of the sentence
or of the section header above it ("Nice to have:").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SentenceRole = Literal["required", "preferred", "company", "neutral"]

_SENTENCE = re.compile(r"[^\n]*?(?:[.!?;](?=\s)|\n|$)")
_HEADER_MAX_WORDS = 8
_PREFERRED = re.compile(
    r"\b(nice[- ]to[- ]have|a plus|is a plus|an advantage|advantageous|bonus|preferred|"
    r"preferably|ideally|desirable|desired|would be great|beneficial|appreciated|"
    r"not required|optional|good to have|helpful)\b",
    re.IGNORECASE,
)
_REQUIRED = re.compile(
    r"\b(must|required|requirements?|essential|mandatory|minimum|you have|you bring|"
    r"you are|you will need|we expect|we require|qualifications?|your profile|"
    r"experience (?:with|in|of)|knowledge of|proficien\w*|skills?|strong|solid|expertise|"
    r"familiar\w*|understanding of|background in|degree|years?|ability to|able to|"
    r"hands-on|experienced)\b",
    re.IGNORECASE,
)
_CANDIDATE = re.compile(r"\b(you|your|candidates?|applicants?|the ideal|who has|who have)\b", re.I)
_COMPANY_START = re.compile(
    r"^\W*(we|we're|we've|our|us|<organization>|the company|the university|the department|"
    r"the institute|the group|the team|the faculty|founded|about us|join us|"
    r"headquartered|established)\b",
    re.IGNORECASE,
)
_COMPANY_HEADER = re.compile(
    r"\b(about (us|the company|the team|<organization>)|who we are|our (company|story|mission|"
    r"team|culture|values)|what we offer|we offer|benefits|perks|why join|how to apply|"
    r"application|equal opportunit\w*|compensation|salary)\b",
    re.IGNORECASE,
)
_REQUIREMENT_HEADER = re.compile(
    r"\b(requirements?|qualifications?|your profile|about you|who you are|what you bring|"
    r"what we.re looking for|what you.ll need|skills|must have|you have|experience|"
    r"technolog\w*|tech stack|our stack|responsibilities|what you.ll do|your role|the role|"
    r"job description|key skills)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    role: SentenceRole


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SENTENCE.finditer(text):
        if match.group().strip():
            spans.append((match.start(), match.end()))
    return spans


def _is_header(sentence: str) -> bool:
    words = sentence.split()
    stripped = sentence.strip()
    return 0 < len(words) <= _HEADER_MAX_WORDS and (
        stripped.endswith(":") or stripped.isupper() or not re.search(r"[.!?]$", stripped)
    )


def classify_sentences(text: str) -> list[Sentence]:
    """Each sentence with its role; a header sets the default role of what follows it."""
    section: SentenceRole = "neutral"
    out = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        header = _is_header(sentence)
        if header and _PREFERRED.search(sentence):
            section = "preferred"
        elif header and _COMPANY_HEADER.search(sentence):
            section = "company"
        elif header and _REQUIREMENT_HEADER.search(sentence):
            section = "required"
        out.append(Sentence(start, end, _role(sentence, section)))
    return out


def _role(sentence: str, section: SentenceRole) -> SentenceRole:
    if _PREFERRED.search(sentence):
        return "preferred"
    if _COMPANY_START.search(sentence) and not _CANDIDATE.search(sentence):
        return "company"
    if _REQUIRED.search(sentence) or _CANDIDATE.search(sentence):
        return "preferred" if section == "preferred" else "required"
    return section


def role_at(sentences: list[Sentence], offset: int) -> SentenceRole:
    """The role of the sentence holding a character offset (binary search)."""
    lo, hi = 0, len(sentences)
    while lo < hi:
        mid = (lo + hi) // 2
        if sentences[mid].end <= offset:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(sentences) and sentences[lo].start <= offset:
        return sentences[lo].role
    return "neutral"
