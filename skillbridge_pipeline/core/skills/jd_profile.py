"""A job description's role family and seniority, for the gap model's one-hot features.

Role families (4): software engineering, data & ML, DevOps & cloud, product & design. The
title decides when it names the role; otherwise the categories of the skills asked for do.
Seniority (3): junior, mid, senior, from the title, else from the years of experience asked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

ROLE_FAMILIES = ("software_engineering", "data_ml", "devops_cloud", "product_design")
SENIORITIES = ("junior", "mid", "senior")

_TITLE_ROLES = [
    ("data_ml", r"data|machine learning|\bml\b|\bai\b|analyst|analytics|scientist|research"),
    (
        "devops_cloud",
        r"devops|\bsre\b|reliability|cloud|infrastructure|platform|sysadmin|"
        r"system administrator|network|security|operations",
    ),
    ("product_design", r"product|design|\bux\b|\bui\b|project manager|scrum master|owner"),
    (
        "software_engineering",
        r"engineer|developer|programmer|software|frontend|front-end|"
        r"backend|back-end|full[- ]?stack|architect|\bqa\b|tester|mobile",
    ),
]
_CATEGORY_ROLES = {
    "programming_languages": "software_engineering",
    "web_mobile": "software_engineering",
    "databases": "software_engineering",
    "ml_ai": "data_ml",
    "data_analytics": "data_ml",
    "cloud_devops": "devops_cloud",
    "tools_practices": "product_design",
    "soft_skills": "product_design",
}
_SENIOR = re.compile(
    r"\b(senior|sr\.?|lead|principal|staff|head|chief|director|expert|manager)\b", re.I
)
_JUNIOR = re.compile(
    r"\b(junior|jr\.?|graduate|entry[- ]level|intern|internship|trainee|student|"
    r"apprentice|working student)\b",
    re.I,
)
_YEARS = re.compile(r"(\d{1,2})\s*\+?\s*(?:-\s*\d{1,2}\s*)?(?:years|yrs)", re.I)


@dataclass(frozen=True)
class JobProfile:
    title: str | None
    role_family: str
    seniority: str


def clean_title(title: str | None) -> str | None:
    """A title as a person reads it: without a Markdown heading's "#" marks or bold stars."""
    if not title:
        return None
    return title.strip().lstrip("#").strip().strip("*_").strip() or None


def job_title(text: str) -> str | None:
    for line in text.splitlines():
        line = clean_title(line)
        if line:
            return line[:120] if len(line.split()) <= 12 else None
    return None


def profile_job(text: str, skill_categories: Iterable[str]) -> JobProfile:
    title = job_title(text)
    return JobProfile(
        title=title,
        role_family=_role_family(title or "", skill_categories),
        seniority=_seniority(title or "", text),
    )


def _role_family(title: str, categories: Iterable[str]) -> str:
    for family, pattern in _TITLE_ROLES:
        if re.search(pattern, title, re.IGNORECASE):
            return family
    votes = Counter(_CATEGORY_ROLES[c] for c in categories if c != "soft_skills")
    return votes.most_common(1)[0][0] if votes else "software_engineering"


def _seniority(title: str, text: str) -> str:
    if _JUNIOR.search(title):
        return "junior"
    if _SENIOR.search(title):
        return "senior"
    years = [int(y) for y in _YEARS.findall(text) if int(y) < 30]
    if years:
        most = max(years)
        return "senior" if most >= 5 else "junior" if most <= 2 else "mid"
    return "mid"
