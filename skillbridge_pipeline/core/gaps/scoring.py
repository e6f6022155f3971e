"""Scored gaps for one analysis: a resume against a job description.

For each skill the JD asks for: coverage, the resume skill that covers it and how
(`covered_by`), and a priority score and level from the gap-priority model. Strong: the resume
names the same skill ("same"), or a narrower one ("narrower": Git covers version control), or a
resume sentence means it with a calibrated confidence >= 0.7 ("meaning"), or its closest resume
skill is near-identical, cosine >= 0.85 ("similar"). Partial: a sentence means it less surely,
or the resume has only the broader skill ("broader": version control for Git), or the closest
resume skill is related, cosine >= 0.6. Missing otherwise. A skill the resume evidences is never
missing and has priority 0. A JD skill whose narrower form the JD also names is one requirement
with it ("Git, version control"): one gap, under the most specific name, the other in `also`.
A spoken language or a qualification is covered only by itself, or a higher degree
("higher": a Master's meets "Bachelor's degree"), never by a similar-sounding skill.

Then the JD's wording (`requirements.py`) makes one gap per requirement ("PyTorch or
TensorFlow" is one, met by either) and `advice.py` gives each its kind and action (learn, long
path, show), leaves vague words out and orders them: skill_gaps[0] is the first thing to learn.

overall_match is importance-weighted coverage: sum(w * c) / sum(w), with c = 1 for Strong,
0.5 for Partial, 0 for Missing, over what is learned or a long path (personal qualities and
industry experience are shown, not counted; `match_counts` says so), and w = 1.0 for a
required skill, 0.75 when the JD does not say, 0.45 for a preferred one, halved for soft
skills and spoken languages. A JD with no skills matches 0.0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skillbridge_pipeline.core.documents.identity import KIND_LABELS, failed_document_reason
from skillbridge_pipeline.core.gaps.advice import (
    COUNTED,
    LEVELS,
    action_of,
    advice_order,
    first_actions,
    kind_of,
    requirement_gaps,
)
from skillbridge_pipeline.core.gaps.features import (
    FEATURE_NAMES,
    TABULAR_DIM,
    GapFeatures,
    gap_features,
    jd_signals,
)
from skillbridge_pipeline.core.gaps.requirements import read_requirements
from skillbridge_pipeline.core.skills.market import SkillMarket
from skillbridge_pipeline.core.store import DocumentRecord, ResultsStore

STRONG, PARTIAL = 0.85, 0.60
STRONG_BY_MEANING = 0.7  # a linked resume sentence this sure covers the skill fully
# Kinds only the thing itself (or a narrower form) covers, never a similar-sounding skill.
EXACT_KINDS = ("language", "qualification")
DEGREES = ("bachelor-s-degree", "master-s-degree", "phd")  # each meets the ones before it
COVERAGE_VALUE = {"Strong": 1.0, "Partial": 0.5, "Missing": 0.0}
REQUIREMENT_WEIGHT = {"required": 1.0, None: 0.75, "preferred": 0.45}


class NotFound(LookupError):
    """An unknown resume or JD id: said plainly, never a crash."""


class StaleFeatures(LookupError):
    """A pair's stored features no longer match its documents' skills."""


# The `gap_features` table: one row per (requested pair, JD skill), in the pair's skill order.
FEATURE_COLUMNS = [
    "resume_id",
    "jd_id",
    "skill_id",
    "name",
    *FEATURE_NAMES,
    "closest_index",
    "closest_skill",
    "similarity",
]


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
    jd_text: str = ""  # where the JD names its skills: title, list lines


def pair_features(
    pairs: Sequence[PairInput],
    vectors: Callable[[list[str]], np.ndarray],
    market: SkillMarket,
) -> list[GapFeatures | None]:
    """The features of every pair's JD skills (None for a JD without skills): one KNN fit
    per resume, whatever the number of its JDs; the JD's signals once per JD. `vectors(names)`
    embeds skill names."""
    signals: dict[tuple, np.ndarray] = {}

    def signals_of(pair: PairInput) -> np.ndarray:
        key = (pair.jd_id, pair.role_family, *(s["skill_id"] for s in pair.jd_skills))
        if key not in signals:
            signals[key] = jd_signals(pair.jd_skills, pair.jd_text, pair.role_family, market)
        return signals[key]

    by_resume: dict[str, list[int]] = {}
    for index, pair in enumerate(pairs):
        by_resume.setdefault(pair.resume_id, []).append(index)
    features: list[GapFeatures | None] = [None] * len(pairs)
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
            np.concatenate([signals_of(pairs[i]) for i in indices]),
        )
        start = 0
        for i in indices:
            end = start + len(pairs[i].jd_skills)
            if end > start:
                features[i] = GapFeatures(
                    joint.tabular[start:end],
                    joint.embeddings[start:end],
                    joint.closest[start:end],
                    joint.similarity[start:end],
                )
            start = end
    return features


def features_frame(pairs: Sequence[PairInput], features: Sequence[GapFeatures | None]):
    """The features as a table: what the model reads, and the closest resume skill. Built
    column by column (thousands of rows a batch)."""
    kept = [(p, f) for p, f in zip(pairs, features, strict=True) if f is not None]
    ids = [(p.resume_id, p.jd_id, s["skill_id"], s["name"]) for p, _ in kept for s in p.jd_skills]
    closest = [c for _, f in kept for c in f.closest]
    names = [
        pair.resume_skills[c]["name"] if c is not None else None
        for pair, f in kept
        for c in f.closest
    ]
    tabular = (
        np.concatenate([f.tabular for _, f in kept]).astype(np.float32)
        if kept
        else np.zeros((0, len(FEATURE_NAMES)), np.float32)
    )
    frame = pd.DataFrame(ids, columns=FEATURE_COLUMNS[:4])
    frame[list(FEATURE_NAMES)] = pd.DataFrame(tabular, columns=list(FEATURE_NAMES))
    frame["closest_index"] = pd.array(closest, dtype="Int64")
    frame["closest_skill"] = pd.Series(names, dtype=object)
    frame["similarity"] = (
        np.concatenate([f.similarity for _, f in kept]).astype(np.float32)
        if kept
        else np.zeros(0, np.float32)
    )
    return frame[FEATURE_COLUMNS]


def features_from_frame(
    frame, pairs: Sequence[PairInput], vectors: Callable[[list[str]], np.ndarray]
) -> list[GapFeatures | StaleFeatures | None]:
    """Each pair's features back from the table (the JD skills' vectors from the cache), or
    StaleFeatures when the table does not hold this pair's current skills."""
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for row, key in enumerate(zip(frame["resume_id"], frame["jd_id"], strict=True)):
        start, _ = spans.get(key, (row, row))
        spans[key] = (start, row + 1)
    tabular = frame[list(FEATURE_NAMES)].to_numpy(np.float32)
    similarity = frame["similarity"].to_numpy(np.float32)
    skill_ids = frame["skill_id"].tolist()
    closest = [None if pd.isna(c) else int(c) for c in frame["closest_index"]]
    embedded = vectors(frame["name"].tolist())
    out: list[GapFeatures | StaleFeatures | None] = []
    for pair in pairs:
        if not pair.jd_skills:
            out.append(None)
            continue
        start, end = spans.get((pair.resume_id, pair.jd_id), (0, 0))
        if skill_ids[start:end] != [s["skill_id"] for s in pair.jd_skills]:
            out.append(
                StaleFeatures(
                    "the stored gap features do not match the documents' skills: "
                    "re-run gap_features for this batch"
                )
            )
            continue
        out.append(
            GapFeatures(
                tabular[start:end],
                embedded[start:end],
                closest[start:end],
                similarity[start:end],
            )
        )
    return out


def score_features(
    pairs: Sequence[PairInput],
    features: Sequence[GapFeatures | None],
    predict: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    explain: Callable[[list[str]], dict[str, list[str]]] | None = None,
    model_version: str = "",
    ancestors: Callable[[str], frozenset[str]] = lambda _: frozenset(),
) -> list[dict]:
    """Priorities from the model for every row at once, then each pair's result.
    `predict(tabular, embeddings)` returns (level index, score) per row; `explain(names)` maps
    each skill name to trained skills near it; `ancestors(skill id)` its broader skills."""
    order = [i for i, f in enumerate(features) if f is not None]
    tabular = (
        np.concatenate([features[i].tabular for i in order])
        if order
        else np.zeros((0, TABULAR_DIM))
    )
    embedded = (
        np.concatenate([features[i].embeddings for i in order]) if order else np.zeros((0, 384))
    )
    levels, scores = predict(tabular.astype(np.float32), embedded.astype(np.float32))
    names = sorted({s["name"] for i in order for s in pairs[i].jd_skills})
    near = explain(names) if explain and names else {}
    results, offset = [], 0
    for pair, feature in zip(pairs, features, strict=True):
        if feature is None:
            results.append(_assemble(pair, None, [], [], {}, model_version, ancestors))
            continue
        n = len(pair.jd_skills)
        results.append(
            _assemble(
                pair,
                feature,
                levels[offset : offset + n],
                scores[offset : offset + n],
                near,
                model_version,
                ancestors,
            )
        )
        offset += n
    return results


def _assemble(
    pair: PairInput,
    features: GapFeatures | None,
    levels,
    scores,
    near: dict[str, list[str]],
    model_version: str,
    ancestors: Callable[[str], frozenset[str]],
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
    narrower_in_resume = {a: s for s in resume_skills for a in ancestors(s["skill_id"])}
    requirements = read_requirements(pair.jd_text, pair.jd_skills)
    alone = {r.skill_ids[0] for r in requirements if len(r.skill_ids) == 1}
    merged = merged_into([s for s in pair.jd_skills if s["skill_id"] in alone], ancestors)
    requirements = [r for r in requirements if r.skill_ids[0] not in merged]
    gaps_by_id: dict[str, dict] = {}
    for i, skill in enumerate(pair.jd_skills):
        if skill["skill_id"] in merged:
            continue  # asked for again under a narrower name
        closest_index = features.closest[i]
        nearest = resume_skills[closest_index] if closest_index is not None else None
        similarity = float(features.similarity[i]) if nearest else 0.0
        coverage, closest, covered_by = cover(
            skill, by_id, narrower_in_resume, ancestors, nearest, similarity
        )
        if covered_by in ("same", "narrower", "higher", "meaning"):
            similarity = 1.0  # the skill itself, or a narrower form of it
        score, level = float(scores[i]), LEVELS[int(levels[i])]
        if coverage == "Strong":
            score, level = 0.0, "Low"  # evidenced: nothing to learn here
        gaps_by_id[skill["skill_id"]] = {
            "skill_id": skill["skill_id"],
            "name": skill["name"],
            "category": skill["category"],
            "priority_score": round(score, 4),
            "priority_level": level,
            "coverage": coverage,
            "covered_by": covered_by,
            "also": [
                j["name"] for j in pair.jd_skills if merged.get(j["skill_id"]) == skill["skill_id"]
            ],
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
    gaps, vague = requirement_gaps(
        gaps_by_id, requirements, {s["skill_id"]: kind_of(s) for s in pair.jd_skills}
    )
    # What to learn first, most critical first (skill_gaps[0] is the top gap to learn); then
    # long paths; then what to show.
    gaps.sort(key=advice_order)
    counted = [g for g in gaps if g["action"] != "show"] or gaps
    total = sum(g["importance"] for g in counted)
    result["overall_match"] = (
        round(sum(g["importance"] * COVERAGE_VALUE[g["coverage"]] for g in counted) / total, 4)
        if total
        else 0.0
    )
    result["match_counts"] = {
        coverage.lower(): sum(g["coverage"] == coverage for g in counted)
        for coverage in COVERAGE_VALUE
    } | {"counts": COUNTED if counted is not gaps or not gaps else "every skill the job asks for"}
    result["skill_gaps"] = gaps
    result["first_actions"] = first_actions(gaps)
    result["not_reported"] = vague
    listed = [g for g in gaps if g["action"] != "show"]
    result["missing_skills"] = [g["name"] for g in listed if g["coverage"] == "Missing"]
    result["matched_skills"] = [g["name"] for g in gaps if g["coverage"] == "Strong"]
    result["partial_skills"] = [g["name"] for g in listed if g["coverage"] == "Partial"]
    result["to_show"] = [
        g["name"] for g in gaps if g["action"] == "show" and g["coverage"] != "Strong"
    ]
    return result


def merged_into(
    jd_skills: Sequence[dict], ancestors: Callable[[str], frozenset[str]]
) -> dict[str, str]:
    """JD skill id -> the narrower JD skill that stands for it ("version control" -> Git).
    Only skills asked for on their own: "Angular or Vue; TypeScript" keeps TypeScript."""
    merged: dict[str, str] = {}
    for skill in jd_skills:
        for broader in ancestors(skill["skill_id"]):
            merged.setdefault(broader, skill["skill_id"])
    ids = {s["skill_id"] for s in jd_skills}
    return {broad: narrow for broad, narrow in merged.items() if broad in ids}


def cover(
    skill: dict,
    by_id: dict[str, dict],
    narrower_in_resume: dict[str, dict],
    ancestors: Callable[[str], frozenset[str]],
    nearest: dict | None,
    similarity: float,
) -> tuple[str, dict | None, str | None]:
    """(coverage, the resume skill that covers it, how) for one JD skill."""
    skill_id = skill["skill_id"]
    if (same := by_id.get(skill_id)) is not None:
        if same.get("method") == "meaning":
            # Two sentences read as the same concept say the same thing ("take vital signs",
            # "monitored vital signs"); a named skill needs a surer sentence.
            sure = skill.get("method") == "meaning" or same["confidence"] >= STRONG_BY_MEANING
            return ("Strong" if sure else "Partial"), same, "meaning"
        return "Strong", same, "same"
    if (narrower := narrower_in_resume.get(skill_id)) is not None:
        return "Strong", narrower, "narrower"
    if skill_id in DEGREES:
        higher = DEGREES[DEGREES.index(skill_id) + 1 :]
        if (degree := next((by_id[d] for d in higher if d in by_id), None)) is not None:
            return "Strong", degree, "higher"  # a Master's meets "Bachelor's degree"
    broader = next((by_id[a] for a in ancestors(skill_id) if a in by_id), None)
    if kind_of(skill) in EXACT_KINDS:
        nearest = None  # English is not a little German, nor a certificate a little degree
    coverage = coverage_of(similarity, False) if nearest else "Missing"
    if coverage == "Missing" and broader is not None:
        return "Partial", broader, "broader"
    return coverage, nearest, ("similar" if coverage != "Missing" else None)


def _evidence(skill: dict) -> dict:
    return {
        "surface": skill.get("surface"),
        "method": skill.get("method", "name"),
        "start": skill.get("start_offset", skill.get("start")),
        "end": skill.get("end_offset", skill.get("end")),
        "confidence": skill.get("confidence"),
    }


SCORED_STATUSES = ("scoring", "done")  # done too: a re-run of a batch scores it again


def requested_pairs(store: ResultsStore, batch_key: str) -> dict[tuple[str, str], list]:
    """The batch's requests being scored, by (resume id, JD id): several sessions may ask for
    the same pair, which is scored once."""
    pairs: dict[tuple[str, str], list] = {}
    for request in store.requests_in_batch(batch_key):
        if request.status in SCORED_STATUSES:
            pairs.setdefault((request.resume_id, request.jd_id), []).append(request)
    return pairs


def stored_pairs(
    store: ResultsStore, pairs: list[tuple[str, str]]
) -> tuple[list[PairInput], list[NotFound | None]]:
    """The ready pairs' inputs from the store, and per requested pair None or why not."""
    resumes = store.documents_by_id("resume", (r for r, _ in pairs))
    jds = store.documents_by_id("jd", (j for _, j in pairs))
    resume_skills = store.skills_many("resume", resumes)
    jd_skills = store.skills_many("jd", jds)
    jd_texts = store.texts("jd", jds)
    ready, outcomes = [], []
    for resume_id, jd_id in pairs:
        error = _not_ready("resume", resume_id, resumes) or _not_ready("jd", jd_id, jds)
        outcomes.append(error)
        if error is None:
            jd = jds[jd_id]
            ready.append(
                PairInput(
                    resume_id,
                    jd_id,
                    resume_skills[resume_id],
                    jd_skills[jd_id],
                    jd.role_family or "software_engineering",
                    jd.seniority or "mid",
                    jd_texts.get(jd_id, ""),
                )
            )
    return ready, outcomes


def _not_ready(kind: str, doc_id: str, documents: dict[str, DocumentRecord]) -> NotFound | None:
    label = KIND_LABELS[kind]
    document = documents.get(doc_id)
    if document is None:
        return NotFound(f"unknown {label} id {doc_id!r}")
    if document.status == "failed":
        return NotFound(failed_document_reason(kind, document.error))
    if document.status != "extracted":
        return NotFound(f"{label} {doc_id} is {document.status}, not extracted")
    return None


def required_first(analysis: dict) -> tuple[int, int]:
    """(pairs the model ranks required before preferred, pairs) over the analysis's missing
    skills to learn that the JD names: how often the model's priority follows the JD's own
    wording (the list's order puts required first by rule)."""
    missing = [
        g
        for g in analysis["skill_gaps"]
        if g["coverage"] == "Missing"
        and action_of(g) == "learn"
        and g["jd_evidence"].get("method", "name") == "name"
    ]
    score = {g["skill_id"]: g["priority_score"] for g in missing}
    asked = [(g["skill_id"], g["jd_evidence"]["requirement"]) for g in missing]
    required = [s for s, r in asked if r == "required"]
    preferred = [s for s, r in asked if r == "preferred"]
    wins = sum(score[r] > score[p] for r in required for p in preferred)
    return wins, len(required) * len(preferred)
