"""Labelled examples for the gap-priority model, built from real market signals.

An example is one skill a job description asks for, seen from one candidate.

Job descriptions (two real sources):
- SkillSpan *train* postings, with the skills our extractor finds in them, whether each is
  required or preferred, and the posting's role family and seniority;
- O*NET occupation profiles of the four role families, turned into postings: a title and one
  bullet for each of 8-20 of the occupation's technologies (Hot Technologies twice as likely),
  wording unspecified.

Candidates are sampled from real O*NET occupation skill profiles: an occupation of the same
role family (70%) or another one, keeping 35-90% of its technologies, plus their own spoken
language and degree.

Label. For skill s asked by a JD of role family f with requirement r, and a candidate whose
nearest skill is at cosine gap g (the gap_score feature):

    demand   = 0.30 hot(s) + 0.15 in_demand(s) + 0.30 sqrt(occupations of f listing s / all of f)
               + 0.25 min(1, share of SkillSpan train postings asking for s / 0.15)
    ask      = 1.0 required | 0.75 unspecified | 0.45 preferred, raised halfway to 1 by
               emphasis (1 when the JD names s in its title or 4+ times; 1/3, 2/3 for 2, 3)
    need     = clip((g - 0.15) / 0.55, 0, 1)      # 0 when the candidate has it or a near twin
    priority = need * (0.15 + 0.85 * ask * (0.5 + 0.5 * demand))          in [0, 1]
    level    = Critical >= 0.60 > High >= 0.40 > Medium >= 0.20 > Low

The JD's wording comes first and the market second: a missing required skill scores 0.58-1.0,
a missing preferred one 0.34-0.53, whatever their demand (the release-1 label, 0.25 + 0.75
demand * ask, ranked a missing required skill above a missing preferred one of the same
analysis only 67% of the time).

The 18 original features see none of demand or ask: the baseline model learns them from the
skill's category and embedding alone. The 10 signal features (`core/gaps/features.py`) give the
model the JD's wording, emphasis and the O*NET half of demand; the SkillSpan share it never
sees.

Held out: 20% of the postings (all their examples) and 15% of the skills (every example of them,
in any posting) never reach training; a further 10% of the remaining postings select the best
checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from skillbridge_pipeline.core.gaps.features import (
    GAP_SCORE,
    IN_TITLE,
    MENTIONS,
    gap_features,
    jd_signals,
)
from skillbridge_pipeline.core.skills.extraction import SkillExtractor
from skillbridge_pipeline.core.skills.jd_profile import profile_job
from skillbridge_pipeline.core.skills.market import (
    SkillMarket,
    occupation_profiles,
    role_of,
)
from skillbridge_pipeline.core.skills.taxonomy import Taxonomy

SEED = 42
LEVELS = ("Low", "Medium", "High", "Critical")
LEVEL_FLOORS = (0.0, 0.20, 0.40, 0.60)
ASK = {"required": 1.0, None: 0.75, "unspecified": 0.75, "preferred": 0.45}
CANDIDATE_EXTRAS = ("english", "bachelor-s-degree", "master-s-degree", "communication", "teamwork")


def level_of(priority: float) -> int:
    return max(i for i, floor in enumerate(LEVEL_FLOORS) if priority >= floor)


def need_of(gap: float) -> float:
    return min(1.0, max(0.0, (gap - 0.15) / 0.55))


def ask_of(requirement: str | None, emphasis: float = 0.0) -> float:
    """How hard the JD asks: its wording, raised halfway to 1 by emphasis."""
    ask = ASK.get(requirement, 0.75)
    return ask + (1.0 - ask) * 0.5 * emphasis


def emphasis_of(signals: np.ndarray) -> float:
    """1 when the JD names the skill in its title or 4+ times, in between for 2-3 mentions."""
    mentions = round(2 ** (3 * float(signals[MENTIONS])) - 1)
    return max(float(signals[IN_TITLE]), min(1.0, (mentions - 1) / 3))


def priority_label(
    demand: float, requirement: str | None, gap: float, emphasis: float = 0.0
) -> float:
    return need_of(gap) * (0.15 + 0.85 * ask_of(requirement, emphasis) * (0.5 + 0.5 * demand))


@dataclass(frozen=True)
class MarketSignals:
    market: SkillMarket
    posting_share: dict[str, float]  # skill id -> share of SkillSpan train postings

    def demand(self, skill_id: str, role_family: str) -> float:
        return (
            0.30 * (skill_id in self.market.hot)
            + 0.15 * (skill_id in self.market.in_demand)
            + 0.30 * math.sqrt(self.market.share(skill_id, role_family))
            + 0.25 * min(1.0, self.posting_share.get(skill_id, 0.0) / 0.15)
        )


@dataclass(frozen=True)
class Posting:
    posting_id: str
    role_family: str
    seniority: str
    skills: list[tuple[str, str | None]]  # (skill id, requirement)
    records: list[dict]  # the skills as `FoundSkill.record()` writes them
    text: str


def skillspan_postings(
    path: Path, extractor: SkillExtractor, split: str = "train"
) -> list[Posting]:
    postings = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)
            if raw["split"] != split:
                continue
            # Names only: the labels are SkillSpan's spans, which name skills, and the model's
            # figures stay comparable across releases (the linker's concepts are scored alike).
            found = extractor.extract(raw["text"], kind="jd", by_meaning=False)
            profile = profile_job(raw["text"], (s.category for s in found))
            skills = [(s.skill_id, s.requirement) for s in found]
            if skills:
                postings.append(
                    Posting(
                        f"skillspan-{raw['source']}-{raw['idx']}",
                        profile.role_family,
                        profile.seniority,
                        skills,
                        [s.record() for s in found],
                        raw["text"],
                    )
                )
    return postings


def market_signals(market: SkillMarket, postings: list[Posting]) -> MarketSignals:
    asked = Counter(s for p in postings for s in {sid for sid, _ in p.skills})
    return MarketSignals(market, {s: n / max(1, len(postings)) for s, n in asked.items()})


def listed_posting(
    posting_id: str, title: str, role: str, seniority: str, skills: list[tuple[str, str]]
) -> Posting:
    """A posting written as a title and one bullet per (skill id, name), wording unspecified."""
    lines, records, offset = [title], [], len(title) + 1
    for skill_id, name in skills:
        start = offset + 2
        records.append({"skill_id": skill_id, "mentions": [[start, start + len(name)]]})
        lines.append(f"- {name}")
        offset += len(lines[-1]) + 1
    return Posting(
        posting_id, role, seniority, [(s, None) for s, _ in skills], records, "\n".join(lines)
    )


def occupation_postings(
    taxonomy: Taxonomy, rng: random.Random, per_occupation: int = 6
) -> list[Posting]:
    profiles = occupation_profiles(taxonomy)
    postings = []
    for code in sorted(profiles):
        role = role_of(code)
        if role is None or len(profiles[code]) < 8:
            continue
        skills = profiles[code]
        weights = [2.0 if taxonomy.skills[s].hot_technology else 1.0 for s in skills]
        for i in range(per_occupation):
            size = min(len(skills), rng.randint(8, 20))
            chosen = _weighted_sample(skills, weights, size, rng)
            seniority = rng.choice(("junior", "mid", "senior"))
            title = f"{seniority.title()} {role.replace('_', ' ')} role"
            named = [(s, taxonomy.skills[s].name) for s in chosen]
            postings.append(listed_posting(f"onet-{code}-{i}", title, role, seniority, named))
    return postings


def _weighted_sample(
    items: list[str], weights: list[float], k: int, rng: random.Random
) -> list[str]:
    """k items without replacement, each as likely as its weight (Efraimidis-Spirakis)."""
    keyed = sorted(
        zip(items, weights, strict=True), key=lambda iw: -(rng.random() ** (1.0 / iw[1]))
    )
    return [item for item, _ in keyed[:k]]


def sample_candidate(
    role: str,
    profiles: dict[str, list[str]],
    codes_by_role: dict[str, list[str]],
    rng: random.Random,
) -> list[str]:
    same = rng.random() < 0.7
    pool_role = role if same else rng.choice([r for r in codes_by_role if r != role])
    code = rng.choice(codes_by_role[pool_role])
    skills = profiles[code]
    kept = rng.sample(skills, max(1, int(len(skills) * rng.uniform(0.35, 0.9))))
    return kept + rng.sample(CANDIDATE_EXTRAS, rng.randint(1, len(CANDIDATE_EXTRAS)))


def _share(salt: str, key: str) -> float:
    """Where `key` falls in [0, 1), the same in every build."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def build_examples(
    taxonomy: Taxonomy,
    extractor: SkillExtractor,
    vectors_for: Callable[[list[str]], dict[str, np.ndarray]],
    skillspan_path: Path,
    candidates_per_posting: int = 6,
    seed: int = SEED,
) -> pd.DataFrame:
    """One row per (posting, candidate, JD skill): ids, split, signals, label, 18 features
    (embeddings are looked up by skill id at training time)."""
    rng = random.Random(seed)
    spans = skillspan_postings(skillspan_path, extractor)
    market = SkillMarket.of(taxonomy)
    signals = market_signals(market, spans)
    postings = spans + occupation_postings(taxonomy, rng)
    profiles = occupation_profiles(taxonomy)
    codes_by_role: dict[str, list[str]] = defaultdict(list)
    for code in sorted(profiles):
        if (role := role_of(code)) and len(profiles[code]) >= 8:
            codes_by_role[role].append(code)

    needed = (
        {s for p in postings for s, _ in p.skills}
        | {s for codes in codes_by_role.values() for c in codes for s in profiles[c]}
        | set(CANDIDATE_EXTRAS)
    )
    name_vectors = vectors_for([taxonomy.skills[s].name for s in sorted(needed)])
    vector = {s: name_vectors[_key(taxonomy, s)] for s in needed}

    # Held out by a hash of the id, not by sampling a list: a taxonomy or extraction change
    # then moves only the examples it touches, and the held-out figures of two builds compare
    # (a sample redrew every held-out set, and the model comparison swung by 0.02 F1).
    test_postings = {p.posting_id for p in postings if _share("test", p.posting_id) < 0.2}
    validation_postings = {
        p.posting_id for p in postings if _share("validation", p.posting_id) < 0.1
    }
    test_skills = {s for p in postings for s, _ in p.skills if _share("skill", s) < 0.15}

    rows = []
    for posting in postings:
        jd_ids = [s for s, _ in posting.skills]
        jd_matrix = np.stack([vector[s] for s in jd_ids])
        categories = [taxonomy.skills[s].category for s in jd_ids]
        asked = jd_signals(posting.records, posting.text, posting.role_family, market)
        emphasis = [emphasis_of(row) for row in asked]
        for c in range(candidates_per_posting):
            candidate = sample_candidate(posting.role_family, profiles, codes_by_role, rng)
            resume_matrix = np.stack([vector[s] for s in candidate])
            features = gap_features(
                jd_matrix,
                categories,
                resume_matrix,
                posting.role_family,
                posting.seniority,
                asked,
            )
            for i, (skill_id, requirement) in enumerate(posting.skills):
                gap = float(features.tabular[i, GAP_SCORE])
                demand = signals.demand(skill_id, posting.role_family)
                priority = priority_label(demand, requirement, gap, emphasis[i])
                if posting.posting_id in test_postings or skill_id in test_skills:
                    split = "test"
                elif posting.posting_id in validation_postings:
                    split = "validation"
                else:
                    split = "train"
                rows.append(
                    {
                        "posting_id": posting.posting_id,
                        "candidate": c,
                        "skill_id": skill_id,
                        "requirement": requirement or "unspecified",
                        "role_family": posting.role_family,
                        "demand": demand,
                        "priority": priority,
                        "level": level_of(priority),
                        "split": split,
                        "held_out_skill": skill_id in test_skills,
                        "held_out_posting": posting.posting_id in test_postings,
                        **{f"f{j}": float(v) for j, v in enumerate(features.tabular[i])},
                    }
                )
    return pd.DataFrame(rows)


def _key(taxonomy: Taxonomy, skill_id: str) -> str:
    from skillbridge_pipeline.core.gaps.embeddings import normalise_phrase

    return normalise_phrase(taxonomy.skills[skill_id].name)
