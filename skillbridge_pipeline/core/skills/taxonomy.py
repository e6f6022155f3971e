"""The skill taxonomy: canonical skills with stable ids, categories and match-ready aliases.

Built by `skillbridge build-taxonomy` (see `taxonomy_build.py`) from O*NET, ESCO and the
project's curation, and shipped in `data/taxonomy/`. This module only reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES: dict[str, str] = {
    "programming_languages": "Programming languages",
    "ml_ai": "ML & AI",
    "data_analytics": "Data & analytics",
    "cloud_devops": "Cloud & DevOps",
    "web_mobile": "Web & mobile",
    "databases": "Databases",
    "tools_practices": "Tools & practices",
    "soft_skills": "Soft skills",
}
# What kind of thing a skill is decides the advice (`core/gaps/advice.py`): tools, methods and
# knowledge fields are learned in weeks; spoken languages and qualifications are long paths;
# industry experience and personal qualities are shown in the resume, never studied; a vague
# word ("technology trends") is not reported as a gap at all.
KINDS = (
    "technology",  # a tool or technology
    "concept",  # a method or practice
    "domain",  # a field of knowledge
    "industry",  # experience of a sector
    "language",  # a spoken language
    "qualification",  # a degree, licence or certification
    "soft_skill",  # a personal quality
    "vague",  # too general to act on
)
# Aliases the name matcher leaves alone: ESCO's skills pillar is written as verb phrases ("handle
# knives", "apply person-centred care") that postings paraphrase rather than quote; the semantic
# linker (`linker.py`) reads them by meaning.
LINK_ONLY_ORIGINS = frozenset(["esco-skill"])

DATA_DIR = Path(__file__).resolve().parents[3] / "data"  # the repository's data/
DEFAULT_TAXONOMY_DIR = DATA_DIR / "taxonomy"
SKILLS_FILE = "skills.jsonl"
RELIABILITY_FILE = "alias_reliability.tsv"


@dataclass(frozen=True, slots=True)
class Alias:
    text: str
    origin: str  # curated | onet | esco | isced | names | tech | onet-tool | esco-skill
    case_sensitive: bool = False  # must appear with this casing (or in capitals)
    needs_context: bool = False  # an ordinary word too: needs another skill nearby


@dataclass(frozen=True, slots=True)
class SourceLink:
    source: str  # onet | esco | isced | curated | names | tech | onet-tool
    ref: str  # O*NET example name, ESCO concept URI, ISCED-F URI


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    category: str
    kind: str
    aliases: tuple[Alias, ...]
    sources: tuple[SourceLink, ...] = ()
    hot_technology: bool = False
    in_demand: bool = False
    onet_occupations: tuple[str, ...] = field(default=(), repr=False)
    # Ids of broader skills (Git -> Version control): a narrower skill covers a broader one.
    broader: tuple[str, ...] = ()

    @property
    def esco_uri(self) -> str | None:
        return next((s.ref for s in self.sources if s.source == "esco"), None)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "kind": self.kind,
            "aliases": [
                {
                    "text": a.text,
                    "origin": a.origin,
                    "case_sensitive": a.case_sensitive,
                    "needs_context": a.needs_context,
                }
                for a in self.aliases
            ],
            "sources": [{"source": s.source, "ref": s.ref} for s in self.sources],
            "hot_technology": self.hot_technology,
            "in_demand": self.in_demand,
            "onet_occupations": list(self.onet_occupations),
            "broader": list(self.broader),
        }

    @classmethod
    def from_json(cls, row: dict) -> Skill:
        return cls(
            id=row["id"],
            name=row["name"],
            category=row["category"],
            kind=row["kind"],
            aliases=tuple(Alias(**a) for a in row["aliases"]),
            sources=tuple(SourceLink(**s) for s in row["sources"]),
            hot_technology=row["hot_technology"],
            in_demand=row["in_demand"],
            onet_occupations=tuple(row["onet_occupations"]),
            broader=tuple(row.get("broader", ())),
        )


@dataclass(frozen=True)
class AliasReliability:
    """How often an alias, where the extractor matched it in SkillSpan train postings, lay
    inside a gold span: the evidence behind a match's confidence."""

    matched: int
    in_gold: int
    asked_matched: int = 0  # of those, in sentences that ask for something (required/preferred)
    asked_in_gold: int = 0

    # (in gold, matched) overall, in asking sentences, and elsewhere
    def overall(self) -> tuple[int, int]:
        return self.in_gold, self.matched

    def asked(self) -> tuple[int, int]:
        return self.asked_in_gold, self.asked_matched

    def unasked(self) -> tuple[int, int]:
        return self.in_gold - self.asked_in_gold, self.matched - self.asked_matched

    def __add__(self, other: AliasReliability) -> AliasReliability:
        return AliasReliability(
            self.matched + other.matched,
            self.in_gold + other.in_gold,
            self.asked_matched + other.asked_matched,
            self.asked_in_gold + other.asked_in_gold,
        )


NO_EVIDENCE = AliasReliability(0, 0)


@dataclass(frozen=True)
class Taxonomy:
    skills: dict[str, Skill]
    reliability: dict[tuple[str, str], AliasReliability]  # (skill id, alias key) -> stats

    def __len__(self) -> int:
        return len(self.skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self.skills.values())

    def get(self, skill_id: str) -> Skill | None:
        return self.skills.get(skill_id)

    def ancestors(self, skill_id: str) -> frozenset[str]:
        """Every broader skill, transitively (cycles in the sources are tolerated)."""
        seen: set[str] = set()
        stack = list(self.skills[skill_id].broader) if skill_id in self.skills else []
        while stack:
            current = stack.pop()
            if current not in seen and current != skill_id:
                seen.add(current)
                stack.extend(self.skills[current].broader if current in self.skills else ())
        return frozenset(seen)


def write_skills(skills: list[Skill], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / SKILLS_FILE
    with path.open("w", encoding="utf-8") as out:
        for skill in sorted(skills, key=lambda s: s.id):
            out.write(json.dumps(skill.to_json(), ensure_ascii=False) + "\n")
    return path


def load_taxonomy(directory: Path = DEFAULT_TAXONOMY_DIR) -> Taxonomy:
    skills_path = directory / SKILLS_FILE
    if not skills_path.exists():
        raise FileNotFoundError(
            f"taxonomy not found at {skills_path}; build it with `skillbridge build-taxonomy`"
        )
    with skills_path.open(encoding="utf-8") as lines:
        skills = {s.id: s for s in (Skill.from_json(json.loads(line)) for line in lines)}
    reliability: dict[tuple[str, str], AliasReliability] = {}
    reliability_path = directory / RELIABILITY_FILE
    if reliability_path.exists():
        with reliability_path.open(encoding="utf-8") as lines:
            next(lines)  # header
            for line in lines:
                skill_id, key, *counts = line.rstrip("\n").split("\t")
                reliability[(skill_id, key)] = AliasReliability(*map(int, counts))
    return Taxonomy(skills=skills, reliability=reliability)
