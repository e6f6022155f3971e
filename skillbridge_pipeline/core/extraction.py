"""Find taxonomy skills in text, with evidence and a calibrated confidence.

Matching is longest-first over normalised tokens (see `text.py`), so "Java" never fires
inside "JavaScript", "R" never inside "R&D" and "Go" never inside "go-to-market". Aliases that
are also ordinary words must keep their casing ("Excel", not "excel at") and, where flagged,
stand next to another skill ("Python, Go and Rust", not "Go ahead").

In a job description, a match's confidence is the share of its alias's matches in SkillSpan
train postings that fell inside a gold span (smoothed towards the skill's rate and a prior by
where the alias came from): aliases that postings use for something else than a requirement
fall below the threshold. In a resume every clean match is evidence the candidate has the
skill, so there the prior is a floor: a missed resume skill would become a false "missing".
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from skillbridge_pipeline.core.jd_context import classify_sentences, role_at
from skillbridge_pipeline.core.taxonomy import Alias, Skill, Taxonomy
from skillbridge_pipeline.core.text import Token, tokenize, unify_punctuation

DEFAULT_MIN_CONFIDENCE = 0.6
MAX_ALIAS_TOKENS = 8
CONTEXT_WINDOW = 8  # tokens either side in which a needs-context alias must meet another skill
CUE_WINDOW = 4
# A spoken language is a requirement when the text speaks of command of it ("fluent English"),
# not when it says in which language to write the application.
LANGUAGE_CUES = frozenset(
    [
        "fluent",
        "fluency",
        "fluently",
        "speak",
        "speaks",
        "speaking",
        "spoken",
        "written",
        "write",
        "native",
        "proficiency",
        "proficient",
        "language",
        "languages",
        "skills",
        "skill",
        "command",
        "knowledge",
        "excellent",
        "good",
        "business",
        "communication",
        "verbal",
        "oral",
        "mother",
        "tongue",
        "level",
        "bilingual",
        "c1",
        "c2",
        "b2",
        "working",
    ]
)
PRIOR_WEIGHT = 5.0  # pseudo-observations given to the prior against train evidence
# A JD that names a skill only while describing itself ("our SaaS platform") asks for it less.
COMPANY_SENTENCE_FACTOR = 0.6
# "Python-based", "cloud-native": a hyphen after a skill that does not make it another word.
HYPHEN_SUFFIXES = frozenset(
    [
        "based",
        "driven",
        "native",
        "first",
        "related",
        "oriented",
        "focused",
        "centric",
        "heavy",
        "savvy",
        "certified",
        "enabled",
        "powered",
        "style",
        "like",
        "friendly",
        "ready",
        "compatible",
        "compliant",
        "specific",
    ]
)


@dataclass(frozen=True, slots=True)
class SkillMention:
    skill_id: str
    surface: str
    start: int
    end: int
    confidence: float
    needs_context: bool
    alias_key: str  # the matched alias, normalised (plural folded)
    role: str | None = None  # for JDs: required | preferred | company | neutral


@dataclass(frozen=True)
class FoundSkill:
    """One canonical skill found in a document, with every place it was found."""

    skill_id: str
    name: str
    category: str
    kind: str
    surface: str  # the first surface form seen
    start: int  # offsets of the first mention in the document text
    end: int
    confidence: float
    mentions: tuple[tuple[int, int], ...] = field(default=())
    requirement: str | None = None  # JDs: required | preferred, when the wording says so

    def record(self) -> dict:
        """The row form the stores, scoring and the enhancer use."""
        return {
            "skill_id": self.skill_id,
            "name": self.name,
            "category": self.category,
            "skill_kind": self.kind,
            "surface": self.surface,
            "start": self.start,
            "end": self.end,
            "confidence": self.confidence,
            "requirement": self.requirement,
            "mentions": [list(m) for m in self.mentions],
        }


@dataclass(frozen=True, slots=True)
class _Entry:
    skill_id: str
    alias: Alias
    cased_tokens: tuple[str, ...] | None  # required casing, for case-sensitive aliases
    confidence: float  # calibrated on job postings
    prior: float
    key: str
    is_language: bool


def alias_prior(alias: Alias, token_count: int) -> float:
    """Confidence before any evidence: curated aliases are trusted most, single ordinary
    words from automatic sources least."""
    base = {"curated": 0.8, "onet": 0.7, "isced": 0.6, "esco": 0.55}[alias.origin]
    if token_count > 1 and alias.origin != "curated":
        base += 0.05
    if alias.needs_context:
        base -= 0.1
    return base


class SkillExtractor:
    """Stateless once built: build one per process and share it."""

    def __init__(self, taxonomy: Taxonomy, min_confidence: float | None = None):
        self.taxonomy = taxonomy
        self.min_confidence = min_confidence
        self._index: dict[tuple[str, ...], _Entry] = {}
        pooled: dict[str, list[int]] = {}  # skill id -> [matched, in gold] over all its aliases
        for (skill_id, _), stats in taxonomy.reliability.items():
            totals = pooled.setdefault(skill_id, [0, 0])
            totals[0] += stats.matched
            totals[1] += stats.in_gold
        self._pooled = pooled
        for skill in taxonomy:
            for alias in skill.aliases:
                self._add(skill, alias)
        self._first_tokens = frozenset(key[0] for key in self._index)
        self._max_tokens = min(MAX_ALIAS_TOKENS, max(len(k) for k in self._index))

    def _add(self, skill: Skill, alias: Alias) -> None:
        tokens = tokenize(unify_punctuation(alias.text))
        key = tuple(t.norm for t in tokens)
        if not key:
            return
        # Evidence is thin for most aliases, so an alias's rate is shrunk towards its skill's
        # rate over all aliases, which is itself shrunk towards the prior for the alias's origin.
        prior = alias_prior(alias, len(key))
        matched, in_gold = self._pooled.get(skill.id, (0, 0))
        skill_rate = (in_gold + PRIOR_WEIGHT * prior) / (matched + PRIOR_WEIGHT)
        stats = self.taxonomy.reliability.get((skill.id, " ".join(key)))
        confidence = (
            (stats.in_gold + PRIOR_WEIGHT * skill_rate) / (stats.matched + PRIOR_WEIGHT)
            if stats
            else skill_rate
        )
        if skill.kind == "technology" and alias.origin == "curated" and not alias.needs_context:
            # A curated, unmistakable product name ("ReactJS") is a skill wherever it appears;
            # a low hit rate in train only says annotators skipped some mentions. Concepts and
            # fields ("analytics", "engineering") stay at what the evidence says.
            confidence = max(confidence, prior)
        entry = _Entry(
            skill_id=skill.id,
            alias=alias,
            cased_tokens=tuple(t.text for t in tokens) if alias.case_sensitive else None,
            confidence=round(confidence, 3),
            prior=round(prior, 3),
            key=" ".join(key),
            is_language=skill.kind == "language",
        )
        self._index.setdefault(key, entry)
        last = key[-1]
        if not alias.case_sensitive and last.isalpha() and len(last) > 2 and last[-1] != "s":
            self._index.setdefault((*key[:-1], last + "s"), entry)  # plural

    def find_mentions(
        self, text: str, kind: str = "resume", min_confidence: float | None = None
    ) -> list[SkillMention]:
        """Every accepted mention in reading order; offsets index `text`."""
        threshold = next(
            t
            for t in (min_confidence, self.min_confidence, DEFAULT_MIN_CONFIDENCE)
            if t is not None
        )
        sentences = classify_sentences(text) if kind == "jd" else None
        tokens = tokenize(unify_punctuation(text))
        norms = [t.norm for t in tokens]
        found: list[tuple[int, int, _Entry]] = []  # (first token, end token, entry)
        i, count = 0, len(tokens)
        while i < count:
            if norms[i] not in self._first_tokens or _inside_hyphenated(tokens, i):
                i += 1
                continue
            for n in range(min(self._max_tokens, count - i), 0, -1):
                entry = self._index.get(tuple(norms[i : i + n]))
                if entry is None or not _ends_cleanly(tokens, i + n):
                    continue
                if entry.cased_tokens and not _casing_matches(tokens[i : i + n], entry):
                    continue
                found.append((i, i + n, entry))
                i += n - 1
                break
            i += 1

        def base_confidence(entry: _Entry) -> float:
            return entry.confidence if kind == "jd" else max(entry.confidence, entry.prior)

        anchors = [
            i for i, _, e in found if not e.alias.needs_context and base_confidence(e) >= threshold
        ]
        languages = [i for i, _, e in found if e.is_language]
        mentions = []
        for first, end, entry in found:
            confidence = base_confidence(entry)
            role = role_at(sentences, tokens[first].start) if sentences is not None else None
            if role == "company":
                confidence = round(confidence * COMPANY_SENTENCE_FACTOR, 3)
            if confidence < threshold:
                continue
            if entry.alias.needs_context and not _has_anchor(tokens, first, end, anchors):
                continue
            if entry.is_language and not _has_language_cue(norms, first, end, languages):
                continue
            mentions.append(
                SkillMention(
                    skill_id=entry.skill_id,
                    surface=text[tokens[first].start : tokens[end - 1].end],
                    start=tokens[first].start,
                    end=tokens[end - 1].end,
                    confidence=confidence,
                    needs_context=entry.alias.needs_context,
                    alias_key=entry.key,
                    role=role,
                )
            )
        return mentions

    def extract(
        self, text: str, kind: str = "resume", min_confidence: float | None = None
    ) -> list[FoundSkill]:
        """One entry per canonical skill, in order of first appearance."""
        return aggregate(self.taxonomy, self.find_mentions(text, kind, min_confidence))


def aggregate(taxonomy: Taxonomy, mentions: Iterable[SkillMention]) -> list[FoundSkill]:
    by_skill: dict[str, list[SkillMention]] = {}
    for mention in mentions:
        by_skill.setdefault(mention.skill_id, []).append(mention)
    found = []
    for skill_id, group in by_skill.items():
        skill = taxonomy.skills[skill_id]
        first = group[0]
        found.append(
            FoundSkill(
                skill_id=skill_id,
                name=skill.name,
                category=skill.category,
                kind=skill.kind,
                surface=first.surface,
                start=first.start,
                end=first.end,
                confidence=max(m.confidence for m in group),
                mentions=tuple((m.start, m.end) for m in group),
                requirement=_requirement(group),
            )
        )
    return found


def _requirement(group: list[SkillMention]) -> str | None:
    roles = {m.role for m in group}
    if "required" in roles:
        return "required"
    return "preferred" if "preferred" in roles else None


def _inside_hyphenated(tokens: list[Token], i: int) -> bool:
    """A match may not start after a hyphen ("go" in "to-go"), except where the word before
    is a prefix-like fragment such as "e" in "e-commerce" (the alias then starts there)."""
    return i > 0 and tokens[i].joint == "-"


def _ends_cleanly(tokens: list[Token], end: int) -> bool:
    if end >= len(tokens) or tokens[end].joint != "-":
        return True
    return tokens[end].norm in HYPHEN_SUFFIXES


def _casing_matches(window: list[Token], entry: _Entry) -> bool:
    expected = entry.cased_tokens or ()
    return all(t.text == e or t.text == e.upper() for t, e in zip(window, expected, strict=True))


def _has_language_cue(norms: list[str], first: int, end: int, languages: list[int]) -> bool:
    """A proficiency word, or another language, near this one (`languages`: sorted starts)."""
    lo, hi = max(0, first - CUE_WINDOW), end + CUE_WINDOW
    if any(n in LANGUAGE_CUES for n in norms[lo:hi]):
        return True
    return any(
        f != first for f in languages[bisect_left(languages, lo) : bisect_left(languages, hi)]
    )


def _has_anchor(tokens: list[Token], first: int, end: int, anchors: list[int]) -> bool:
    """Another skill within the window (`anchors` is sorted: only the window is looked at, so
    extraction stays linear in text size)."""
    lo, hi = first - CONTEXT_WINDOW, end + CONTEXT_WINDOW
    for anchor in anchors[bisect_left(anchors, lo) : bisect_left(anchors, hi)]:
        if anchor == first:
            continue
        span = range(min(anchor, first) + 1, max(anchor, first) + 1)
        if not any("\n\n" in tokens[k].joint for k in span):
            return True
    return False
