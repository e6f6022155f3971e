"""What the labour market says of a skill, from the taxonomy's O*NET columns.

A skill is a Hot Technology or In Demand when O*NET says so, and its role share for a role
family is the share of that family's occupations whose O*NET profile lists it. These are the
market signals the gap model reads beside the JD's own wording; the training label is built
from them too (see `ml_training/training_data.py`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from skillbridge_pipeline.core.skills.taxonomy import Taxonomy

# O*NET-SOC codes of each role family (prefix match).
ROLE_OCCUPATIONS = {
    "software_engineering": (
        "15-1251",
        "15-1252",
        "15-1253",
        "15-1254",
        "15-1299.07",
        "15-1211",
        "17-2061",
    ),
    "data_ml": ("15-2051", "15-2041", "15-2031", "15-1221", "15-1242", "15-1243", "15-2099.01"),
    "devops_cloud": (
        "15-1212",
        "15-1231",
        "15-1241",
        "15-1244",
        "15-1299.01",
        "15-1299.04",
        "15-1299.05",
        "15-1299.08",
    ),
    "product_design": (
        "15-1255",
        "15-1299.09",
        "11-3021",
        "11-2021",
        "13-1082",
        "27-1021",
        "27-1024",
    ),
}


def role_of(code: str) -> str | None:
    for role, prefixes in ROLE_OCCUPATIONS.items():
        if code.startswith(prefixes):
            return role
    return None


def occupation_profiles(taxonomy: Taxonomy) -> dict[str, list[str]]:
    """O*NET-SOC code -> the taxonomy skills that occupation lists."""
    profiles: dict[str, list[str]] = defaultdict(list)
    for skill in taxonomy:
        for code in skill.onet_occupations:
            profiles[code].append(skill.id)
    return profiles


@dataclass(frozen=True)
class SkillMarket:
    hot: frozenset[str] = frozenset()
    in_demand: frozenset[str] = frozenset()
    # role family -> skill id -> share of the family's occupations listing the skill
    role_share: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> SkillMarket:
        profiles = occupation_profiles(taxonomy)
        role_share: dict[str, dict[str, float]] = {}
        for role in ROLE_OCCUPATIONS:
            codes = [c for c in profiles if role_of(c) == role]
            counts = Counter(s for c in codes for s in profiles[c])
            role_share[role] = {s: n / max(1, len(codes)) for s, n in counts.items()}
        return cls(
            hot=frozenset(s.id for s in taxonomy if s.hot_technology),
            in_demand=frozenset(s.id for s in taxonomy if s.in_demand),
            role_share=role_share,
        )

    def share(self, skill_id: str, role_family: str) -> float:
        return self.role_share.get(role_family, {}).get(skill_id, 0.0)
