"""Where in a job description a sentence stands: what the employer asks for, or something else.

A posting names technologies in its requirements ("5 years of Python"), but also while
describing itself ("we are a SaaS company", "our platform runs on AWS") or its benefits. Only
the first kind is a requirement; skills seen only in the others are reported with lower
confidence. Requirements are split into required and preferred by the wording of the sentence
or of the section header above it ("Nice to have:").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Literal

SentenceRole = Literal["required", "preferred", "company", "neutral"]

# The patterns below are lowercase and are matched against lowercased text, which is twice as
# fast as IGNORECASE (these searches were a quarter of extraction's time).

_SENTENCE = re.compile(r"[^\n]*?(?:[.!?;](?=\s)|\n|$)")
_HEADER_MAX_WORDS = 8
_BENEFIT_MAX_WORDS = 40
_PREFERRED = re.compile(
    r"\b(nice[- ]to[- ]have|a plus|is a plus|an advantage|advantageous|bonus|preferred|"
    r"preferably|ideally|desirable|desired|would be great|beneficial|appreciated|"
    r"not required|not an? (?:requirement|prerequisite|must)|optional|good to have|helpful|"
    # German and French
    r"wünschenswert|von vorteil|idealerweise|ein plus|pluspunkt|gerne gesehen|kein muss|"
    r"serait un plus|est un plus|un atout|souhaitée?s?|souhaitable|appréciée?s?|idéalement)\b",
)
# What makes a clause a requirement even beside a preferred one: "English is a must while German
# is an advantage", "Java zwingend erforderlich, Kafka wünschenswert".
_MUST = re.compile(
    r"\b(must|required|requirements?|mandatory|essential|necessary|prerequisite|zwingend|"
    r"erforderlich|vorausgesetzt|voraussetzung|notwendig|requise?s?|exigée?s?|obligatoire|"
    r"indispensable|nécessaire)\b"
)
_CLAUSE_BREAK = re.compile(r"[,;]|\b(?:and|but|while|whereas|und|aber|während|et|mais)\b")
_REQUIRED = re.compile(
    r"\b(must|required|requirements?|essential|mandatory|minimum|you have|you bring|"
    r"you are|you will need|we expect|we require|qualifications?|your profile|"
    r"experience (?:with|in|of)|knowledge of|proficien\w*|skills?|strong|solid|expertise|"
    r"familiar\w*|understanding of|background in|degree|years?|ability to|able to|"
    r"hands-on|experienced|we are looking for|we.re looking for|we are seeking|we need|"
    # German and French
    r"zwingend|erforderlich|vorausgesetzt|voraussetzung\w*|setzen \w+ voraus|"
    r"sie (?:haben|bringen|verfügen)|du (?:hast|bringst|verfügst)|kenntnisse|erfahrung\w*|"
    r"anforderungen|ihr profil|dein profil|requis|exigée?s?|obligatoire|indispensable|"
    r"vous (?:avez|maîtrisez|possédez)|maîtrise|connaissances?|expérience|compétences|"
    r"votre profil|nous recherchons)\b",
)
_CANDIDATE = re.compile(
    r"\b(you|your|candidates?|applicants?|the ideal|who has|who have|sie|du|dein|ihr|vous|votre)\b",
)
# "We are looking for …", "We use …": the team speaking of the role or of its stack, not of
# itself. A "we" sentence is company self-description only without these.
_TEAM_NEEDS = re.compile(
    r"^\W*(?:we|we're|our team|the team|wir|nous)\b[^.!?\n]{0,40}?\b"
    r"(?:look(?:ing)? for|seek(?:ing)?|need|want|expect|require|hiring|hire|use|using|"
    r"work with|working with|rely on|build with|follow|practi[cs]e|apply|adopt|employ|deploy|"
    r"suchen|nutzen|verwenden|arbeiten mit|recherchons|utilisons|travaillons avec)\b",
)
# The stack a team says it works in is what the job needs: "Our stack: Vue, Nuxt", "We build
# iOS apps in SwiftUI", "Tech stack - Go, Kafka".
_STACK = re.compile(
    r"\b(?:our|the|tech|technology|current|core) stack\b|\bstack\s*[:\-–]|"
    r"^\W*(?:we|our team|the team)\b[^.!?\n]{0,40}?\b(?:build|develop|write|code|ship|run|"
    r"program|deliver)\b[^.!?\n]{0,50}?\b(?:in|with|using|on top of)\b"
)
_COMPANY_START = re.compile(
    r"^\W*(we|we're|we've|our|us|<organization>|the company|the university|the department|"
    r"the institute|the group|the team|the faculty|founded|about us|join us|"
    r"established|wir|unser\w*|über uns|nous|notre|nos|à propos)(?!\w)",
)
# Self-description anywhere in a sentence that does not speak to the candidate: "<Org> is a
# leading provider of …", "our customers", "founded in 1829".
_COMPANY_WORDS = re.compile(
    r"\b(is (?:an?|the) (?:\w+ ){0,3}(?:leader|provider|specialist|company|organi[sz]ation|"
    r"consultancy|manufacturer|supplier|player|firm|business|employer)|industry[- ]leading|"
    r"market[- ]leading|global leader|world leader|leading provider|provider of|"
    r"our (?:customers|clients|portfolio|products?|solutions|offerings?|mission|vision|employees)|"
    r"founded in|headquartered|employees worldwide|offices in|"
    r"unsere (?:kunden|produkte|lösungen)|nos clients|nos produits)\b",
)
# Equal-opportunity and visa boilerplate speaks to applicants but asks for nothing: "without
# regard to race … genetics", "will not sponsor … employment authorization".
_BOILERPLATE = re.compile(
    r"\b(equal (?:employment )?opportunit\w*|without regard to|national origin|veteran status|"
    r"sexual orientation|gender identity|(?:employment|work) authori[sz]ation)\b",
)
# Benefits are what the employer offers, not what it asks for ("private healthcare", "a generous
# pension scheme"), even where they follow a requirements header or speak to the candidate.
_BENEFITS = re.compile(
    r"\b(job benefits|benefits (?:include|including|such as|package)|(?:excellent|great|generous|"
    r"competitive) (?:salary and )?benefits|benefits and perks|perks|pension (?:scheme|plan|"
    r"package)|annual leave|days (?:of )?(?:paid )?holiday|paid time off|private health ?care|"
    r"health ?care (?:insurance|benefits|plan)|(?:health|life|dental) insurance|insurance plans|"
    r"wellness programs?|gym membership|employee discounts?|sozialleistungen|betriebliche "
    r"altersvorsorge|urlaubstage|mutuelle|tickets? restaurant)\b"
)
# A benefits list run into the sentence before it ("Fluency in English Job benefits: Free
# parking …"), as flattened postings do: it starts a sentence of its own.
_BENEFIT_HEADER = re.compile(r"(?:job benefits|benefits|perks|what we offer|we offer):")
_COMPANY_HEADER = re.compile(
    r"\b(about (us|the company|the team|<organization>)|who we are|our (company|story|mission|"
    r"team|culture|values)|what we offer|we offer|benefits|perks|why join|how to apply|"
    r"application|recruitment|hiring process|interview process|selection process|contact|"
    r"equal opportunit\w*|compensation|salary|über uns|wer wir sind|wir bieten|"
    r"was wir bieten|unser angebot|benefits|à propos|qui sommes-nous|nous offrons|avantages)\b",
)
_REQUIREMENT_HEADER = re.compile(
    r"\b(requirements?|qualifications?|your profile|about you|who you are|what you bring|"
    r"what we.re looking for|what you.ll need|skills|must have|you have|experience|"
    r"technolog\w*|tech stack|our stack|tags|responsibilities|what you.ll do|your role|the role|"
    r"job description|key skills|anforderungen|ihr profil|dein profil|qualifikation\w*|"
    r"deine aufgaben|ihre aufgaben|votre profil|profil recherché|compétences|exigences|missions)\b",
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    cuts = _inline_benefit_headers(text)
    spans, next_cut = [], 0
    for match in _SENTENCE.finditer(text):
        if match.group().strip():
            start, end = match.span()
            while next_cut < len(cuts) and cuts[next_cut] < end:
                cut = cuts[next_cut]
                next_cut += 1
                if text[start:cut].strip():
                    spans.append((start, cut))
                    start = cut
            spans.append((start, end))
    return spans


def _lowercase(text: str) -> str:
    """Lowercased with offsets kept: the patterns here are lowercase, and positions found in the
    result index `text` ("İ", which lowercases to two characters, is kept as it is)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _inline_benefit_headers(text: str) -> list[int]:
    """Offsets of benefit headers that follow a word on their line. Case-sensitive on lowercased
    text: a case-blind pass over every posting cost a fifth of extraction's time."""
    lowered = _lowercase(text)
    return [
        m.start()
        for m in _BENEFIT_HEADER.finditer(lowered)
        if m.start() > 1
        and lowered[m.start() - 1] in " \t"
        and not lowered[m.start() - 2].isspace()
    ]


def _is_header(sentence: str) -> bool:
    words = sentence.split()
    stripped = sentence.strip()
    return 0 < len(words) <= _HEADER_MAX_WORDS and (
        stripped.endswith(":") or stripped.isupper() or not re.search(r"[.!?]$", stripped)
    )


def _section(header: str, section: SentenceRole) -> SentenceRole:
    header = _lowercase(header)
    if _PREFERRED.search(header):
        return "preferred"
    if _CANDIDATE.search(header):
        return "required"  # "How you will strengthen our team:" speaks to the candidate
    if _COMPANY_HEADER.search(header):
        return "company"
    if _REQUIREMENT_HEADER.search(header):
        return "required"
    return section


class SentenceRoles:
    """The role of each sentence of one JD. Headers are read in order (each sets the default
    role of what follows it); a sentence's own wording is read only when a skill is found in it,
    which keeps extraction fast on long postings."""

    def __init__(self, text: str):
        self._text = text
        self._spans: list[tuple[int, int, SentenceRole]] = []  # start, end, section
        section: SentenceRole = "neutral"
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if _is_header(sentence):
                section = _section(sentence, section)
            self._spans.append((start, end, section))
        self._starts = [start for start, _, _ in self._spans]
        # sentence index -> (clause starts, their roles): one clause unless the sentence both
        # requires and prefers
        self._roles: dict[int, tuple[list[int], list[SentenceRole]]] = {}

    @property
    def spans(self) -> list[tuple[int, int]]:
        """The sentences' (start, end) offsets, in order."""
        return [(start, end) for start, end, _ in self._spans]

    def at(self, offset: int) -> SentenceRole:
        """The role of the sentence (or clause) holding a character offset."""
        i = bisect_right(self._starts, offset) - 1
        if i < 0 or offset >= self._spans[i][1]:
            return "neutral"
        if i not in self._roles:
            start, end, section = self._spans[i]
            self._roles[i] = _clause_roles(self._text[start:end], start, section)
        starts, roles = self._roles[i]
        return roles[bisect_right(starts, offset) - 1]


def _clause_roles(
    sentence: str, start: int, section: SentenceRole
) -> tuple[list[int], list[SentenceRole]]:
    """A sentence that both requires and prefers ("English is a must while German is an
    advantage") is read clause by clause. A clause's own cue decides it; a clause without one
    belongs to the neighbour whose cue points at it: a cue opening its clause ("must have X,
    Y") governs the clauses after it, a cue closing its clause ("X, Y are required") the ones
    before."""
    lowered = _lowercase(sentence)
    role = _role(lowered, section)
    if role != "preferred" or not _MUST.search(lowered):
        return [start], [role]
    cuts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(lowered)]
    clauses = []  # (start in the sentence, role or None, whether the cue governs forward)
    for begin, end in zip(cuts, [*cuts[1:], len(lowered)], strict=True):
        clause = lowered[begin:end]
        preferred = _PREFERRED.search(clause)
        cue = preferred or _MUST.search(clause)
        if cue is None:
            clauses.append((begin, None, False))
            continue
        opens = (cue.start() + cue.end()) / 2 < len(clause.rstrip(" ,;.")) / 2
        clauses.append((begin, "preferred" if preferred else "required", opens))
    roles: list[SentenceRole] = []
    for k, (_, own, _) in enumerate(clauses):
        before = next((c for c in reversed(clauses[:k]) if c[1]), None)
        after = next((c for c in clauses[k + 1 :] if c[1]), None)
        if own:
            roles.append(own)
        elif before and before[2]:
            roles.append(before[1])
        elif after and not after[2]:
            roles.append(after[1])
        else:
            roles.append(role)
    return [start + begin for begin, _, _ in clauses], roles


def _is_benefit(sentence: str) -> bool:
    """A benefit phrase marks its own sentence; a run-on text of a whole section without full
    stops (as flattened postings have) holds requirements beside it."""
    return len(sentence.split()) <= _BENEFIT_MAX_WORDS and _BENEFITS.search(sentence) is not None


def _role(sentence: str, section: SentenceRole) -> SentenceRole:
    """`sentence` lowercased."""
    if _BOILERPLATE.search(sentence) or _is_benefit(sentence):
        return "company"
    if _PREFERRED.search(sentence):
        return "preferred"
    asks: SentenceRole = "preferred" if section == "preferred" else "required"
    if _STACK.search(sentence):
        return asks
    if _TEAM_NEEDS.search(sentence):
        # "We are looking for … Python" asks for it; "We use Kafka" says what the job uses.
        required = section in ("required", "preferred") or _REQUIRED.search(sentence)
        return asks if required else "neutral"
    candidate = _CANDIDATE.search(sentence)
    if not candidate and (_COMPANY_START.search(sentence) or _COMPANY_WORDS.search(sentence)):
        return "company"
    return asks if candidate or _REQUIRED.search(sentence) else section
