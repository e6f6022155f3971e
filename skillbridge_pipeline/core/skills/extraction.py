"""Find taxonomy skills in text, with evidence and a calibrated confidence.

Matching is longest-first over normalised tokens (see `text.py`), so "Java" never fires
inside "JavaScript", "R" never inside "R&D" and "Go" never inside "go-to-market". Unambiguous
names match however they are written ("python", "Linux"). Names that are also ordinary words
keep context rules: written as names in mid-sentence ("with Angular and React") they vouch for
one another; written otherwise ("react", "go") they count only as list items next to another
skill ("python, react, go"), never in "react quickly". Text that is not language (base64,
minified code, hex dumps) yields nothing.

In a job description, a match's confidence is the share of its alias's matches in SkillSpan
train postings that fell inside a gold span, counted apart for sentences that ask for something
and the others, and smoothed towards the skill's rate and a prior by where the alias came from:
aliases that postings use for something else than a requirement fall below the threshold. In a
resume every clean match is evidence the candidate has the skill, so there the prior is a floor:
a missed resume skill would become a false "missing".

One module of ~530 lines on purpose: matching, the context rules and calibration share one
match loop and its state, and splitting them would spread one decision over several files.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skillbridge_pipeline.core.skills.jd_context import SentenceRoles
from skillbridge_pipeline.core.skills.language import WrittenLanguage
from skillbridge_pipeline.core.skills.linker import Link, SemanticLinker, text_units
from skillbridge_pipeline.core.skills.taxonomy import (
    DEFAULT_TAXONOMY_DIR,
    LINK_ONLY_ORIGINS,
    NO_EVIDENCE,
    Alias,
    AliasReliability,
    Skill,
    Taxonomy,
    load_taxonomy,
)
from skillbridge_pipeline.core.skills.text import Tokens, tokenize, unify_punctuation

DEFAULT_MIN_CONFIDENCE = 0.53  # chosen by cross-validation on train (scripts/extraction_cv.py)
MAX_ALIAS_TOKENS = 8
CONTEXT_WINDOW = 8  # tokens either side in which a needs-context alias must meet another skill
CUE_WINDOW = 4
LIST_WINDOW = 3  # tokens between two listed ordinary words that vouch for one another
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
        "communicate",
        "communicator",
        "verbally",
        "learn",
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
# A field or an industry is asked for when the text speaks of experience or a background in it
# ("experience in healthcare", "a degree in economics", "the banking sector"), which SkillSpan's
# annotators marked too rarely for its calibration to learn.
FIELD_CUES = frozenset(
    [
        "experience",
        "experienced",
        "background",
        "expertise",
        "degree",
        "knowledge",
        "industry",
        "industries",
        "sector",
        "sectors",
        "domain",
        "field",
    ]
)
# Around a tool's ordinary-word name ("Excel"), words that make it a skill: "strong Excel
# skills", "proficient in Excel".
SKILL_NOUNS = frozenset(["skills", "skill", "proficiency", "knowledge", "experience", "expertise"])
SKILL_PREPOSITIONS = frozenset(["in", "of", "with", "using"])
SKILL_LEADS = frozenset(
    ["proficiency", "proficient", "knowledge", "experience", "experienced", "expertise", "skilled"]
)
# Words that make an ordinary-word name a job title: "Sous Chef", "Executive Chef".
JOB_TITLE_WORDS = frozenset(
    ["sous", "executive", "head", "pastry", "line", "commis", "private", "personal", "prep"]
)
# Confidence of an alias before any evidence, by source (tuned by scripts/extraction_cv.py).
ORIGIN_PRIORS = {
    "curated": 0.8,
    "onet": 0.7,
    "isced": 0.6,
    "esco": 0.55,
    "names": 0.55,
    "tech": 0.6,
    # O*NET Tools Used equipment ("forklift", "infusion pump"): catalogue names of things, as
    # O*NET's technology examples are, and rarely anything else in a posting.
    "onet-tool": 0.7,
}
PRIOR_WEIGHT = 5.0  # pseudo-observations given to the prior against train evidence
ASKING_ROLES = frozenset(["required", "preferred"])
# Outside sentences that ask for something, a name is less often a requirement (on train, single
# posting names were in gold 0.26 of the time in neutral sentences, 0.78 in asking ones).
UNASKED_PRIOR_FACTOR = 0.85
# A JD that names a skill only while describing itself ("our SaaS platform") asks for it less.
COMPANY_SENTENCE_FACTOR = 0.6
# A sentence that neither asks for anything nor describes the company ("Currently we run our
# frontend with React") names skills the job touches rather than requires (CV on train).
NEUTRAL_SENTENCE_FACTOR = 0.9
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

# "our Backend team", "a PhD scholarship", "a Product Owner role": a skill's name before one of
# these names a team, a post or a person, not something the candidate must know.
POST_NOUNS = frozenset(
    [
        "team",
        "teams",
        "department",
        "departments",
        "division",
        "unit",
        "office",
        "role",
        "roles",
        "position",
        "positions",
        "scholarship",
        "scholarships",
        "fellowship",
        "manager",
        "managers",
        "owner",
        "owners",
        "function",
        "functions",
        "community",
        "colleagues",
        "student",
        "students",
    ]
)
# Words that name a skill as nouns and are verbs after a subject or "to": "a Master's degree",
# but "you master English" (the verb is then a language cue).
VERB_NOUNS = frozenset(["master"])
SUBJECTS = frozenset(["you", "to", "i", "we", "must", "should", "can", "will", "who"])
UNIT_NOUNS = frozenset(
    ["department", "faculty", "institute", "school", "centre", "center", "ministry", "university"]
)

# Text that is not language: unbroken runs (base64, minified code, hashes) of 60 characters, or
# of 24 mixing digits, lower and upper case; and hex dumps.
_LONG_RUN = re.compile(r"(?<!\S)\S{24,}")  # a whole run, tried from its start only
_HEX_DUMP = re.compile(r"(?:\b[0-9a-fA-F]{2,8}\b[ \t:]*){8,}")
_DIGIT, _LOWER, _UPPER = re.compile(r"\d"), re.compile(r"[a-z]"), re.compile(r"[A-Z]")
# What stands between the items of a list: "python, java", "Go/Rust", "Angular and React".
_LIST_JOINT = re.compile(r"[,;/|:•·*()\n]|^\s*[-–]\s|^\s*&\s*$")
_LIST_WORDS = frozenset(["and", "or", "und", "oder", "et", "ou"])
_SENTENCE_START = re.compile(r"[.!?:•*\n]")
_ALIAS_END = ""  # the key under which a trie node holds the alias that ends there (no token is "")


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
    # (surface, start, end) of the first mention of each distinct way the document writes it
    evidence: tuple[tuple[str, int, int], ...] = ()
    method: str = "name"  # or "meaning": the linker tied a sentence (the surface) to it

    @property
    def surfaces(self) -> tuple[str, ...]:
        return tuple(surface for surface, _, _ in self.evidence)

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
            "method": self.method,
        }


@dataclass(frozen=True, slots=True)
class _Entry:
    skill_id: str
    alias: Alias
    cased_tokens: tuple[str, ...] | None  # required casing, for case-sensitive aliases
    confidence: float  # calibrated on job postings
    asked_confidence: float  # ... in sentences that ask for something
    other_confidence: float  # ... elsewhere
    prior: float
    key: str
    is_language: bool
    is_field: bool  # a curated field or industry ("healthcare", "economics")
    is_tool: bool  # a curated technology ("Excel", "React")
    # Two to four capitals from an automatic source ("BSS", "OMS", "CPR"): in a JD as often the
    # name of the employer's school, programme or system as the skill.
    bare_acronym: bool
    # Written otherwise than its casing only where that casing is a plain capital ("react" for
    # React); "safe" is never SAFe, whose own writers keep its odd casing.
    loose_ok: bool


def alias_prior(alias: Alias, token_count: int) -> float:
    """Confidence before any evidence: curated aliases are trusted most, single ordinary
    words from automatic sources least."""
    base = ORIGIN_PRIORS[alias.origin]
    if token_count > 1 and alias.origin != "curated":
        base += 0.05
    if alias.needs_context and token_count == 1:
        base -= 0.1
    return base


class SkillExtractor:
    """Stateless once built: build one per process and share it."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        min_confidence: float | None = None,
        linker: SemanticLinker | None = None,
    ):
        self.taxonomy = taxonomy
        self.min_confidence = min_confidence
        self.linker = linker  # None: names only (calibration on SkillSpan, the eval contract)
        self._written = WrittenLanguage(taxonomy)
        # The alias keys as a trie of tokens: matching walks forward from a token only while
        # some alias goes on, one dictionary lookup a step.
        self._trie: dict = {}
        pooled: dict[str, AliasReliability] = {}  # skill id -> over all its aliases
        for (skill_id, _), stats in taxonomy.reliability.items():
            pooled[skill_id] = pooled.get(skill_id, NO_EVIDENCE) + stats
        self._pooled = pooled
        for skill in taxonomy:
            for alias in skill.aliases:
                self._add(skill, alias)

    def _add(self, skill: Skill, alias: Alias) -> None:
        if alias.origin in LINK_ONLY_ORIGINS:
            return
        tokens = tokenize(unify_punctuation(alias.text))
        key = tuple(tokens.norms)
        if not key:
            return
        # Evidence is thin for most aliases, so an alias's rate is shrunk towards its skill's
        # rate over all aliases, which is itself shrunk towards the prior for the alias's origin;
        # separately for sentences that ask for something and the others ("experience in
        # healthcare" is a requirement where "we are a healthcare company" is not).
        prior = alias_prior(alias, len(key))
        skill_stats = self._pooled.get(skill.id, NO_EVIDENCE)
        stats = self.taxonomy.reliability.get((skill.id, " ".join(key)), NO_EVIDENCE)

        def rate(scope: Callable[[AliasReliability], tuple[int, int]], towards: float) -> float:
            return _shrunk(*scope(stats), _shrunk(*scope(skill_stats), towards))

        confidence = rate(AliasReliability.overall, prior)
        asked = rate(AliasReliability.asked, prior)
        other = rate(AliasReliability.unasked, prior * UNASKED_PRIOR_FACTOR)
        if skill.kind == "technology" and alias.origin == "curated" and not alias.needs_context:
            # A curated, unmistakable product name ("ReactJS") is a skill wherever it appears;
            # a low hit rate in train only says annotators skipped some mentions. Concepts and
            # fields ("analytics", "engineering") stay at what the evidence says.
            confidence, asked, other = (max(c, prior) for c in (confidence, asked, other))
        entry = _Entry(
            skill_id=skill.id,
            alias=alias,
            cased_tokens=tuple(tokens.texts) if alias.case_sensitive else None,
            confidence=round(confidence, 3),
            asked_confidence=round(asked, 3),
            other_confidence=round(other, 3),
            prior=round(prior, 3),
            key=" ".join(key),
            is_language=skill.kind == "language",
            is_field=skill.kind in ("domain", "industry") and alias.origin == "curated",
            is_tool=skill.kind == "technology" and alias.origin == "curated",
            loose_ok=alias.text[:1].isupper() and alias.text[1:] == alias.text[1:].lower(),
            bare_acronym=alias.origin != "curated"
            and len(key) == 1
            and alias.text.isupper()
            and 2 <= len(alias.text) <= 4,
        )
        self._insert(key, entry)
        last = key[-1]
        if not alias.case_sensitive and last.isalpha() and len(last) > 2 and last[-1] != "s":
            # "APIs" is a plural of API, "Leeds" no plural of LEED ("leed" in a posting list):
            # a short name's plural must be written in capitals. O*NET's equipment names are
            # plurals in the source ("Pallet jacks", "Infusion pumps").
            short = len(last) <= 4 and alias.origin not in ("curated", "onet-tool")
            if alias.text.isupper() or short:
                cased = (*tokens.texts[:-1], tokens.texts[-1].upper() + "s")
                entry = dataclasses.replace(entry, cased_tokens=cased)
            self._insert((*key[:-1], last + "s"), entry)  # plural

    def _insert(self, key: tuple[str, ...], entry: _Entry) -> None:
        """The first alias to claim a key keeps it."""
        if len(key) > MAX_ALIAS_TOKENS:
            return
        node = self._trie
        for norm in key:
            node = node.setdefault(norm, {})
        node.setdefault(_ALIAS_END, entry)

    def find_mentions(
        self,
        text: str,
        kind: str = "resume",
        min_confidence: float | None = None,
        sentences: SentenceRoles | None = None,
    ) -> list[SkillMention]:
        """Every accepted mention in reading order; offsets index `text`. `sentences`: the JD's
        sentence roles, when the caller has them already."""
        threshold = next(
            t
            for t in (min_confidence, self.min_confidence, DEFAULT_MIN_CONFIDENCE)
            if t is not None
        )
        if kind == "jd" and sentences is None:
            sentences = SentenceRoles(text)
        tokens = tokenize(unify_punctuation(text))
        norms, joints, starts, ends = tokens.norms, tokens.joints, tokens.starts, tokens.ends
        # (first token, end token, entry, casing): casing is "exact" where a cased alias was
        # written as it is ("React"), "loose" where not ("react"), None for the others.
        found: list[tuple[int, int, _Entry, str | None]] = []
        trie = self._trie
        i, count = 0, len(norms)
        while i < count:
            node = trie.get(norms[i])
            # A match may not start after a hyphen ("go" in "to-go"); where the word before is a
            # prefix-like fragment ("e" in "e-commerce"), the alias starts there.
            if node is None or (i > 0 and joints[i] == "-"):
                i += 1
                continue
            ending_here = []  # (end token, entry) of the aliases that start here, shortest first
            end = i
            while node is not None:
                end += 1
                if _ALIAS_END in node:
                    ending_here.append((end, node[_ALIAS_END]))
                node = node.get(norms[end]) if end < count else None
            match = None
            for end, entry in reversed(ending_here):
                if not _ends_cleanly(tokens, end):
                    continue
                if entry.cased_tokens is None:
                    match = (i, end, entry, None)
                elif _casing_matches(tokens.texts[i:end], entry):
                    match = (i, end, entry, "exact")
                elif end == i + 1 and entry.loose_ok:
                    match = (i, end, entry, "loose")
                else:
                    continue
                break
            if match is not None:
                unit = kind == "jd" and _names_a_unit_or_post(norms, i, match[1])
                if not unit and not _is_verb(norms, i):
                    found.append(match)
                i = match[1] - 1
            i += 1
        noise = _noise_spans(text)
        if noise:
            found = [f for f in found if not _in_spans(noise, starts[f[0]])]

        roles = [
            sentences.at(starts[first]) if sentences is not None else None for first, *_ in found
        ]

        def base_confidence(entry: _Entry, role: str | None) -> float:
            if kind != "jd":
                return max(entry.confidence, entry.prior)
            if role in ASKING_ROLES:
                return entry.asked_confidence
            confidence = entry.other_confidence
            if role == "company":
                confidence = round(confidence * COMPANY_SENTENCE_FACTOR, 3)
            elif role == "neutral":
                confidence = round(confidence * NEUTRAL_SENTENCE_FACTOR, 3)
            return confidence

        def needs_context(entry: _Entry, casing: str | None) -> bool:
            return (
                entry.alias.needs_context
                or casing == "loose"
                or (kind == "jd" and entry.bare_acronym)
            )

        # Anchors: unmistakable skills, and ordinary-word names written as names in mid-sentence
        # ("with Angular and React"), which vouch for one another.
        anchors = [
            i
            for (i, _, e, casing), role in zip(found, roles, strict=True)
            if base_confidence(e, role) >= threshold
            and (
                not needs_context(e, casing)
                or (casing == "exact" and not _starts_sentence(tokens, i))
            )
        ]
        # Ordinary words listed together vouch for one another: "banking, healthcare or retail"
        # (a partner shows the list, whether or not it is confident enough to be reported).
        listed = [
            i
            for i, end, e, casing in found
            if needs_context(e, casing) and _is_list_item(tokens, i, end)
        ]
        languages = [(i, e.skill_id) for i, _, e, _ in found if e.is_language]
        mentions = []
        for (first, end, entry, casing), role in zip(found, roles, strict=True):
            confidence = base_confidence(entry, role)
            if entry.is_language:
                if not _has_language_cue(norms, first, end, entry.skill_id, languages):
                    continue
                confidence = max(confidence, entry.prior)  # "fluent Danish" asks for Danish
            # "experience in healthcare"; "strong Excel skills", "proficient in Excel"
            cue = (entry.is_field and _has_cue(norms, first, end, FIELD_CUES)) or (
                entry.is_tool and _names_a_skill(norms, first, end, casing == "exact")
            )
            if cue and (kind != "jd" or role in ASKING_ROLES):
                confidence = max(confidence, entry.prior)
            if (
                entry.is_tool
                and casing is not None
                and role in ASKING_ROLES
                and _is_list_item(tokens, first, end)
                and _has_anchor(tokens, first, end, anchors, LIST_WINDOW)
            ):
                # "Proficiency in excel and sql", "Requirements: Excel, SQL": a tool listed
                # beside another skill in an asking sentence is asked for, whatever SkillSpan's
                # annotators did with the capitalised word elsewhere.
                confidence = max(confidence, entry.prior)
            if confidence < threshold:
                continue
            if casing == "loose" and not (cue or _is_list_item(tokens, first, end)):
                continue  # "react" counts in "python, react, go", not in "react quickly"
            contextual = needs_context(entry, casing)
            if contextual and first > 0 and norms[first - 1] in JOB_TITLE_WORDS:
                continue  # "Sous Chef", "Head Chef": a person, not the tool
            if contextual and not (
                cue
                or _has_anchor(tokens, first, end, anchors)
                or (
                    casing != "loose"
                    and _is_list_item(tokens, first, end)
                    and _has_anchor(tokens, first, end, listed, LIST_WINDOW)
                )
            ):
                continue
            mentions.append(
                SkillMention(
                    skill_id=entry.skill_id,
                    surface=text[starts[first] : ends[end - 1]],
                    start=starts[first],
                    end=ends[end - 1],
                    confidence=confidence,
                    needs_context=contextual,
                    alias_key=entry.key,
                    role=role,
                )
            )
        return mentions

    def extract(
        self,
        text: str,
        kind: str = "resume",
        min_confidence: float | None = None,
        by_meaning: bool = True,
    ) -> list[FoundSkill]:
        """One entry per canonical skill, in order of first appearance; then, with a linker and
        `by_meaning`, the skills of sentences and list items the names left empty."""
        return self.extract_many([(text, kind)], min_confidence, by_meaning)[0]

    def extract_many(
        self,
        documents: Sequence[tuple[str, str]],
        min_confidence: float | None = None,
        by_meaning: bool = True,
    ) -> list[list[FoundSkill]]:
        """`extract` for many (text, kind): names document by document, then the linker once
        for the units of them all (one tokenizer call and one pass over its clusters for a
        batch costs half what one per document did)."""
        named = []
        for text, kind in documents:
            sentences = SentenceRoles(text) if kind == "jd" else None
            mentions = self.find_mentions(text, kind, min_confidence, sentences)
            named.append((mentions, aggregate(self.taxonomy, mentions), sentences))
        if self.linker is None or not by_meaning:
            return [found for _, found, _ in named]
        asked = [
            self._units(text, mentions, sentences)
            for (text, _), (mentions, _, sentences) in zip(documents, named, strict=True)
        ]
        links = self.linker.link_many(
            [
                (text, [span for span, _ in units], kind)
                for (text, kind), units in zip(documents, asked, strict=True)
            ]
        )
        return [
            found + self._linked(text, dict(units), found, document_links)
            for (text, _), (_, found, _), units, document_links in zip(
                documents, named, asked, links, strict=True
            )
        ]

    def _units(
        self, text: str, mentions: list[SkillMention], sentences: SentenceRoles | None
    ) -> list[tuple[tuple[int, int], str | None]]:
        """The units the linker reads, with their sentence role: sentences and list items with
        no name in them; in a JD (`sentences`: its roles) only those that ask for something
        (a sentence about the company or the work around the job, "the team builds
        pipelines", names no requirement by meaning)."""
        named = sorted(m.start for m in mentions)
        units = text_units(text, sentences.spans if sentences is not None else None, named)
        if sentences is None:
            return [(unit, None) for unit in units]
        roles = [(unit, sentences.at(unit[0])) for unit in units]
        return [(unit, role) for unit, role in roles if role in ASKING_ROLES]

    def _linked(
        self,
        text: str,
        role_at: dict[tuple[int, int], str | None],
        found: list[FoundSkill],
        links: list[Link],
    ) -> list[FoundSkill]:
        """Skills by meaning. The name matcher wins where both speak: a unit with a name in it
        is not linked (`_units`), and a linked skill already found, or broader or narrower than
        one found, adds nothing."""
        named_ids = {s.skill_id for s in found}
        covered = named_ids.union(*(self.taxonomy.ancestors(i) for i in named_ids))
        mentions = [
            SkillMention(
                skill_id=link.skill_id,
                surface=text[link.start : link.end],
                start=link.start,
                end=link.end,
                confidence=link.confidence,
                needs_context=False,
                alias_key="",
                role=role_at[(link.start, link.end)],
            )
            for link in links
            # the same skill, a broader one, or a narrower one than a name found
            if link.skill_id not in covered
            and not self.taxonomy.ancestors(link.skill_id) & named_ids
        ]
        return [
            dataclasses.replace(skill, method="meaning")
            for skill in aggregate(self.taxonomy, mentions)
        ]

    def written_in(self, text: str, found: Iterable[FoundSkill] = ()) -> FoundSkill | None:
        """The spoken language a resume is written in, as a skill it evidences (a resume in
        English evidences English), unless `found` names it already."""
        written = self._written.of(text)
        if written is None or written[0].id in {s.skill_id for s in found}:
            return None
        skill, probability = written
        return FoundSkill(
            skill_id=skill.id,
            name=skill.name,
            category=skill.category,
            kind=skill.kind,
            surface=f"(written in {skill.name})",
            start=0,  # the evidence is the whole text
            end=len(text),
            confidence=round(probability, 4),
        )


def build_extractor(
    taxonomy_dir: Path = DEFAULT_TAXONOMY_DIR,
    min_confidence: float | None = None,
    link_by_meaning: bool = True,
) -> SkillExtractor:
    """The extractor every door uses: the taxonomy's names, and its concepts by meaning."""
    taxonomy = load_taxonomy(taxonomy_dir)
    linker = SemanticLinker(taxonomy) if link_by_meaning else None
    return SkillExtractor(taxonomy, min_confidence=min_confidence, linker=linker)


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
                evidence=_evidence(group),
            )
        )
    return found


def _evidence(group: list[SkillMention]) -> tuple[tuple[str, int, int], ...]:
    first: dict[str, tuple[str, int, int]] = {}
    for m in group:
        first.setdefault(m.surface.casefold(), (m.surface, m.start, m.end))
    return tuple(first.values())


def _requirement(group: list[SkillMention]) -> str | None:
    roles = {m.role for m in group}
    if "required" in roles:
        return "required"
    return "preferred" if "preferred" in roles else None


def _shrunk(hits: int, matched: int, towards: float) -> float:
    return (hits + PRIOR_WEIGHT * towards) / (matched + PRIOR_WEIGHT)


def _noise_spans(text: str) -> list[tuple[int, int]]:
    spans = [
        m.span()
        for m in _LONG_RUN.finditer(text)
        if len(run := m.group()) >= 60
        or (_DIGIT.search(run) and _LOWER.search(run) and _UPPER.search(run))
    ]
    hex_dumps = [m.span() for m in _HEX_DUMP.finditer(text)]
    if not hex_dumps:
        return spans
    merged: list[tuple[int, int]] = []  # one sorted list of disjoint spans, for `_in_spans`
    for start, end in sorted(spans + hex_dumps):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _in_spans(spans: list[tuple[int, int]], offset: int) -> bool:
    at = bisect_right(spans, (offset, float("inf"))) - 1
    return at >= 0 and spans[at][0] <= offset < spans[at][1]


def _starts_sentence(tokens: Tokens, i: int) -> bool:
    return i == 0 or bool(_SENTENCE_START.search(tokens.joints[i]))


def _is_list_item(tokens: Tokens, first: int, end: int) -> bool:
    """Joined to a neighbour as list items are: "python, java", "Go/Rust", "banking or retail"."""
    joints, norms = tokens.joints, tokens.norms
    before = first > 0 and (
        _LIST_JOINT.search(joints[first]) is not None or norms[first - 1] in _LIST_WORDS
    )
    after = end < len(norms) and (
        _LIST_JOINT.search(joints[end]) is not None or norms[end] in _LIST_WORDS
    )
    return before or after or (end == len(norms) and first > 0)


def _names_a_unit_or_post(norms: list[str], first: int, end: int) -> bool:
    """ "our Backend team", "Department of Physics": a unit or a post, not a skill asked for."""
    return (end < len(norms) and norms[end] in POST_NOUNS) or (
        first >= 2 and norms[first - 1] in ("of", "for") and norms[first - 2] in UNIT_NOUNS
    )


def _ends_cleanly(tokens: Tokens, end: int) -> bool:
    if end >= len(tokens) or tokens.joints[end] != "-":
        return True
    return tokens.norms[end] in HYPHEN_SUFFIXES


def _casing_matches(written: list[str], entry: _Entry) -> bool:
    expected = entry.cased_tokens or ()
    return all(t == e or t == e.upper() for t, e in zip(written, expected, strict=True))


def _is_verb(norms: list[str], i: int) -> bool:
    """ "you master English", "to master new tools": a verb, not the degree ("a Master's")."""
    return norms[i] in VERB_NOUNS and i > 0 and norms[i - 1] in SUBJECTS


def _cue_window(norms: list[str], first: int, end: int) -> range:
    return range(max(0, first - CUE_WINDOW), min(end + CUE_WINDOW, len(norms)))


def _names_a_skill(norms: list[str], first: int, end: int, cased: bool) -> bool:
    """The words around a tool's name that make it one: "Excel skills", "Excel experience",
    "proficient in Excel", "knowledge of excel", and, written with its capital, "the report
    in Excel" (the verb "excel" never has them)."""
    if end < len(norms) and norms[end] in SKILL_NOUNS:
        return True
    if first < 1 or norms[first - 1] not in SKILL_PREPOSITIONS:
        return False
    return (cased and norms[first - 1] != "of") or (first >= 2 and norms[first - 2] in SKILL_LEADS)


def _has_cue(norms: list[str], first: int, end: int, cues: frozenset[str]) -> bool:
    return any(norms[k] in cues for k in _cue_window(norms, first, end))


def _has_language_cue(
    norms: list[str], first: int, end: int, skill_id: str, languages: list[tuple[int, str]]
) -> bool:
    """A proficiency word, or another language ("Danish and English", not "Danish
    universities under the Danish ministry"), near this one (`languages`: sorted starts)."""
    window = _cue_window(norms, first, end)
    if any(norms[k] in LANGUAGE_CUES or _is_verb(norms, k) for k in window):
        return True
    near = languages[
        bisect_left(languages, (window.start, "")) : bisect_left(languages, (window.stop, ""))
    ]
    return any(other != skill_id for _, other in near)


def _has_anchor(
    tokens: Tokens, first: int, end: int, anchors: list[int], window: int = CONTEXT_WINDOW
) -> bool:
    """Another skill within the window (`anchors` is sorted: only the window is looked at, so
    extraction stays linear in text size)."""
    lo, hi = first - window, end + window
    for anchor in anchors[bisect_left(anchors, lo) : bisect_left(anchors, hi)]:
        if anchor == first:
            continue
        span = range(min(anchor, first) + 1, max(anchor, first) + 1)
        if not any("\n\n" in tokens.joints[k] for k in span):
            return True
    return False
