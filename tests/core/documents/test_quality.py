"""The Great Expectations checks catch what they are named for (and pass clean batches)."""

import pandas as pd
import pytest
from conftest import PYTHON_SKILL

from skillbridge_pipeline.core.documents.processing import SKILL_COLUMNS, TEXT_COLUMNS
from skillbridge_pipeline.core.documents.quality import QualityValidator

# a row of the `*_skills` Parquet table: the record, its document, mentions as JSON
ROW = {
    "doc_id": "d1",
    "kind": "resume",
    **PYTHON_SKILL,
    "requirement": None,
    "mentions": "[[0, 6]]",
    "text_chars": 40,
}


@pytest.fixture(scope="module")
def validator():
    return QualityValidator()


def verdicts(outcomes) -> dict[str, bool]:
    return {o.name: o.passed for o in outcomes}


def test_a_clean_batch_passes(validator, taxonomy):
    frame = pd.DataFrame([ROW, {**ROW, "doc_id": "d2"}], columns=SKILL_COLUMNS)
    assert all(verdicts(validator.validate_skills(frame, taxonomy.skills)).values())


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"skill_id": "not-a-skill"}, "skill_ids_in_taxonomy"),
        ({"category": "astrology"}, "categories_in_taxonomy"),
        ({"end": 99}, "offsets_inside_text"),
        ({"confidence": 1.5}, "confidence_in_unit_range"),
    ],
)
def test_each_check_catches_its_error(validator, taxonomy, change, failing):
    frame = pd.DataFrame([ROW, {**ROW, "doc_id": "d2", **change}], columns=SKILL_COLUMNS)
    outcomes = {o.name: o for o in validator.validate_skills(frame, taxonomy.skills)}
    assert [name for name, o in outcomes.items() if not o.passed] == [failing]
    if failing == "skill_ids_in_taxonomy":
        assert "not-a-skill" in str(outcomes[failing].failures)


def test_a_skill_twice_in_a_document_is_caught(validator, taxonomy):
    frame = pd.DataFrame([ROW, ROW], columns=SKILL_COLUMNS)
    outcomes = verdicts(validator.validate_skills(frame, taxonomy.skills))
    assert [name for name, ok in outcomes.items() if not ok] == ["one_row_per_skill_per_document"]


def test_text_checks(validator):
    good = {"doc_id": "d1", "kind": "jd", "status": "parsed", "text": "Python", "text_chars": 6}
    failed_without_reason = {"doc_id": "d2", "kind": "jd", "status": "failed", "error": None}
    frame = pd.DataFrame([good, failed_without_reason], columns=TEXT_COLUMNS)
    assert verdicts(validator.validate_texts(frame)) == {
        "parsed_text_not_empty": True,
        "failure_has_reason": False,
        "known_status": True,
    }


def feature_frame(**changes):
    from skillbridge_pipeline.core.gaps.features import FEATURE_NAMES
    from skillbridge_pipeline.core.gaps.scoring import FEATURE_COLUMNS

    row = {name: 0.0 for name in FEATURE_NAMES}
    row |= {"resume_id": "r", "jd_id": "j", "skill_id": "python", "name": "Python"}
    row |= {"gap_score": 0.4, "mean_knn_dist": 0.5, "min_knn_dist": 0.4, "similarity": 0.6}
    second = {**row, "skill_id": "sql", "name": "SQL", **changes}
    return pd.DataFrame([row, second], columns=FEATURE_COLUMNS)


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({}, None),
        ({"gap_score": float("nan")}, "features_finite_and_in_range"),
        ({"min_knn_dist": float("inf")}, "features_finite_and_in_range"),
        ({"mean_knn_dist": 1.5}, "features_finite_and_in_range"),
        ({"skill_id": "python", "name": "Python"}, "one_row_per_pair_and_skill"),
        ({"similarity": -1.2}, "similarity_in_range"),
    ],
)
def test_feature_checks(validator, change, failing):
    outcomes = verdicts(validator.validate_features(feature_frame(**change)))
    assert [name for name, ok in outcomes.items() if not ok] == ([failing] if failing else [])


def test_a_feature_out_of_range_is_named_with_its_pair_and_skill(validator):
    [in_range, *_] = validator.validate_features(feature_frame(mean_knn_dist=1.5))
    assert not in_range.passed
    [row] = in_range.failures["expect_column_values_to_be_between"]
    assert row == {
        "resume_id": "r",
        "jd_id": "j",
        "skill_id": "sql",
        "feature": "mean_knn_dist",
        "value": 1.5,
    }
