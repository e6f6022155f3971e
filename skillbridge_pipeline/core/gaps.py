"""Scored gaps for one analysis: a resume against a job description.

For each skill the JD asks for: coverage (Strong when the resume evidences the same skill or a
near-identical one, cosine >= 0.85; Partial when its closest resume skill is related, >= 0.6;
Missing otherwise), the closest resume skill, and a priority score and level from the
gap-priority model. A skill the resume evidences is never missing and has priority 0.

overall_match is importance-weighted coverage: sum(w * c) / sum(w), with c = 1 for Strong,
0.5 for Partial, 0 for Missing, and w = 1.0 for a required skill, 0.75 when the JD does not
say, 0.45 for a preferred one, halved for soft skills and spoken languages. A JD with no
skills matches 0.0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from skillbridge_pipeline.core.features import GapFeatures, gap_features

STRONG, PARTIAL = 0.85, 0.60
COVERAGE_VALUE = {"Strong": 1.0, "Partial": 0.5, "Missing": 0.0}
REQUIREMENT_WEIGHT = {"required": 1.0, None: 0.75, "preferred": 0.45}
LEVELS = ("Low", "Medium", "High", "Critical")


class NotFound(LookupError):
    """An unknown resume or JD id: said plainly, never a crash."""


def coverage_of(similarity: float, exact: bool) -> str:
    if exact or similarity >= STRONG:
        return "Strong"
    return "Partial" if similarity >= PARTIAL else "Missing"


def importance(skill: dict) -> float:
    weight = REQUIREMENT_WEIGHT.get(skill.get("requirement"), 0.75)
    return weight * (0.5 if skill["category"] == "soft_skills" else 1.0)


@dataclass(frozen=True)
class PairInput:
    resume_id: str
    jd_id: str
    resume_skills: Sequence[dict]
    jd_skills: Sequence[dict]
    role_family: str
    seniority: str


def score_pairs(
    pairs: Sequence[PairInput],
    vectors: Callable[[list[str]], np.ndarray],
    predict: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    explain: Callable[[list[str]], dict[str, list[str]]] | None = None,
    model_version: str = "",
) -> list[dict]:
    """Score many pairs at once: one KNN fit per resume, one model call for every row.
    `vectors(names)` embeds skill names; `predict(tabular, embeddings)` returns (level index,
    score) per row; `explain(names)` maps each skill name to trained skills near it."""
    by_resume: dict[str, list[int]] = {}
    for index, pair in enumerate(pairs):
        by_resume.setdefault(pair.resume_id, []).append(index)
    features: dict[int, GapFeatures] = {}
    for indices in by_resume.values():
        rows = [(i, s) for i in indices for s in pairs[i].jd_skills]
        if not rows:
            continue
        resume = pairs[indices[0]].resume_skills
        joint = gap_features(
            vectors([s["name"] for _, s in rows]),
            [s["category"] for _, s in rows],
            vectors([s["name"] for s in resume]),
            [pairs[i].role_family for i, _ in rows],
            [pairs[i].seniority for i, _ in rows],
        )
        start = 0
        for i in indices:
            end = start + len(pairs[i].jd_skills)
            features[i] = GapFeatures(
                joint.tabular[start:end],
                joint.embeddings[start:end],
                joint.closest[start:end],
                joint.similarity[start:end],
            )
            start = end
    order = [i for i in range(len(pairs)) if i in features]
    tabular = np.concatenate([features[i].tabular for i in order]) if order else np.zeros((0, 18))
    embedded = (
        np.concatenate([features[i].embeddings for i in order]) if order else np.zeros((0, 384))
    )
    levels, scores = predict(tabular.astype(np.float32), embedded.astype(np.float32))
    names = sorted({s["name"] for i in order for s in pairs[i].jd_skills})
    near = explain(names) if explain and names else {}
    results, offset = [], 0
    for i, pair in enumerate(pairs):
        n = len(pair.jd_skills)
        if i not in features:
            results.append(_assemble(pair, None, [], [], {}, model_version))
            continue
        results.append(
            _assemble(
                pair,
                features[i],
                levels[offset : offset + n],
                scores[offset : offset + n],
                near,
                model_version,
            )
        )
        offset += n
    return results


def score_analysis(
    resume_id: str,
    jd_id: str,
    resume_skills: Sequence[dict],
    jd_skills: Sequence[dict],
    role_family: str,
    seniority: str,
    vectors: Callable[[list[str]], np.ndarray],
    predict: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    explain: Callable[[list[str]], dict[str, list[str]]] | None = None,
    model_version: str = "",
) -> dict:
    pair = PairInput(resume_id, jd_id, resume_skills, jd_skills, role_family, seniority)
    return score_pairs([pair], vectors, predict, explain, model_version)[0]


def _assemble(
    pair: PairInput,
    features: GapFeatures | None,
    levels,
    scores,
    near: dict[str, list[str]],
    model_version: str,
) -> dict:
    result = {
        "resume_id": pair.resume_id,
        "jd_id": pair.jd_id,
        "overall_match": 0.0,
        "role_family": pair.role_family,
        "seniority": pair.seniority,
        "model_version": model_version,
        "skill_gaps": [],
        "missing_skills": [],
        "matched_skills": [],
        "partial_skills": [],
    }
    if features is None or not pair.jd_skills:
        return result
    resume_skills = pair.resume_skills
    by_id = {s["skill_id"]: s for s in resume_skills}
    gaps = []
    for i, skill in enumerate(pair.jd_skills):
        exact = skill["skill_id"] in by_id
        closest_index = features.closest[i]
        closest = (
            by_id[skill["skill_id"]]
            if exact
            else (resume_skills[closest_index] if closest_index is not None else None)
        )
        similarity = 1.0 if exact else float(features.similarity[i]) if closest else 0.0
        coverage = coverage_of(similarity, exact)
        score, level = float(scores[i]), LEVELS[int(levels[i])]
        if coverage == "Strong":
            score, level = 0.0, "Low"  # evidenced: nothing to learn here
        gaps.append(
            {
                "skill_id": skill["skill_id"],
                "name": skill["name"],
                "category": skill["category"],
                "priority_score": round(score, 4),
                "priority_level": level,
                "coverage": coverage,
                "closest_resume_skill": {
                    "skill_id": closest["skill_id"],
                    "name": closest["name"],
                    "similarity": round(similarity, 4),
                    "evidence": _evidence(closest),
                }
                if closest
                else None,
                "jd_evidence": {**_evidence(skill), "requirement": skill.get("requirement")},
                "importance": importance(skill),
                "learned_from": near.get(skill["name"], []),
            }
        )
    # Level first, so skill_gaps[0] is always the most critical; then score within a level.
    gaps.sort(
        key=lambda g: (
            -LEVELS.index(g["priority_level"]),
            -g["priority_score"],
            -g["importance"],
            g["name"],
        )
    )
    total = sum(g["importance"] for g in gaps)
    result["overall_match"] = round(
        sum(g["importance"] * COVERAGE_VALUE[g["coverage"]] for g in gaps) / total, 4
    )
    result["skill_gaps"] = gaps
    result["missing_skills"] = [g["name"] for g in gaps if g["coverage"] == "Missing"]
    result["matched_skills"] = [g["name"] for g in gaps if g["coverage"] == "Strong"]
    result["partial_skills"] = [g["name"] for g in gaps if g["coverage"] == "Partial"]
    return result


def _evidence(skill: dict) -> dict:
    return {
        "surface": skill.get("surface"),
        "start": skill.get("start_offset", skill.get("start")),
        "end": skill.get("end_offset", skill.get("end")),
    }
