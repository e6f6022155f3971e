"""Data-quality expectations on parsed text and extracted skills, run with Great Expectations.

Each named check is one or more GX expectations validated against a batch's DataFrame; the
asset layer reports them as Dagster asset checks. GX is imported lazily: it takes seconds to
import and only run processes need it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from skillbridge_pipeline.core.skills.taxonomy import CATEGORIES


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    failures: dict[str, Any] = field(default_factory=dict)  # expectation -> unexpected sample


@dataclass(frozen=True)
class CheckDefinition:
    name: str
    description: str
    blocking: bool


TEXT_CHECKS = (
    CheckDefinition("parsed_text_not_empty", "Every parsed document has non-empty text.", True),
    CheckDefinition("failure_has_reason", "Every failed document says why.", True),
    CheckDefinition("known_status", "Status is parsed or failed.", True),
)
SKILL_CHECKS = (
    CheckDefinition("categories_in_taxonomy", "Every category is one of the 8.", True),
    CheckDefinition("skill_ids_in_taxonomy", "Every skill id exists in the taxonomy.", True),
    CheckDefinition("offsets_inside_text", "Evidence offsets lie inside the text.", True),
    CheckDefinition("one_row_per_skill_per_document", "No skill twice in a document.", True),
    CheckDefinition("confidence_in_unit_range", "Confidence is within [0, 1].", True),
)

FEATURE_CHECKS = (
    CheckDefinition("features_finite_and_in_range", "The 18 features lie in [0, 1].", True),
    CheckDefinition("one_row_per_pair_and_skill", "One row per requested pair and JD skill.", True),
    CheckDefinition("similarity_in_range", "Cosine similarity within [-1, 1].", True),
)


class QualityValidator:
    """Holds one ephemeral GX context; make one per step, not per document."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self._context.data_sources.add_pandas("skillbridge")
        self._batch_definition = source.add_dataframe_asset(
            "batch"
        ).add_batch_definition_whole_dataframe("whole")

    def _run(
        self, frame: pd.DataFrame, checks: dict[str, list], identify: list[str] | None = None
    ) -> list[CheckOutcome]:
        """`identify`: columns that name an unexpected row in the failures (else its value)."""
        gx = self._gx
        batch = self._batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result_format = (
            {"result_format": "SUMMARY", "unexpected_index_column_names": identify}
            if identify
            else "SUMMARY"
        )
        unexpected = "partial_unexpected_index_list" if identify else "partial_unexpected_list"
        outcomes = []
        for name, expectations in checks.items():
            suite = gx.ExpectationSuite(name=name, expectations=expectations)
            result = batch.validate(suite, result_format=result_format)
            failures = {
                r.expectation_config.type: _json_safe(r.result.get(unexpected, [])[:5])
                for r in result.results
                if not r.success
            }
            outcomes.append(CheckOutcome(name=name, passed=result.success, failures=failures))
        return outcomes

    def validate_texts(self, frame: pd.DataFrame) -> list[CheckOutcome]:
        import great_expectations.expectations as gxe
        from great_expectations.expectations.row_conditions import Column

        parsed, failed = Column("status") == "parsed", Column("status") == "failed"

        return self._run(
            frame,
            {
                "parsed_text_not_empty": [
                    gxe.ExpectColumnValueLengthsToBeBetween(
                        column="text", min_value=1, row_condition=parsed
                    )
                ],
                "failure_has_reason": [
                    gxe.ExpectColumnValuesToNotBeNull(column="error", row_condition=failed)
                ],
                "known_status": [
                    gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["parsed", "failed"])
                ],
            },
        )

    def validate_skills(self, frame: pd.DataFrame, skill_ids: Iterable[str]) -> list[CheckOutcome]:
        import great_expectations.expectations as gxe

        # The taxonomy restricted to the ids this batch holds: the same verdict, and GX copies
        # its value set around, which for all 9,730 ids cost seconds a batch.
        known = sorted(set(frame["skill_id"].dropna()) & set(skill_ids))
        return self._run(
            frame,
            {
                "categories_in_taxonomy": [
                    gxe.ExpectColumnValuesToBeInSet(column="category", value_set=list(CATEGORIES))
                ],
                "skill_ids_in_taxonomy": [
                    gxe.ExpectColumnValuesToBeInSet(column="skill_id", value_set=known)
                ],
                "offsets_inside_text": [
                    gxe.ExpectColumnValuesToBeBetween(column="start", min_value=0),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end", column_B="start"),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="text_chars", column_B="end", or_equal=True
                    ),
                ],
                "one_row_per_skill_per_document": [
                    gxe.ExpectCompoundColumnsToBeUnique(column_list=["doc_id", "skill_id"])
                ],
                "confidence_in_unit_range": [
                    gxe.ExpectColumnValuesToBeBetween(column="confidence", min_value=0, max_value=1)
                ],
            },
        )

    def validate_features(self, frame: pd.DataFrame) -> list[CheckOutcome]:
        import great_expectations.expectations as gxe

        from skillbridge_pipeline.core.gaps.features import FEATURE_NAMES

        # The features in long form (one row per pair, skill and feature): two expectations
        # instead of two per feature column, since GX's cost is per expectation (56 of them took
        # ~0.9 s a run), not per row. Between 0 and 1 excludes infinities; not null, NaN.
        pair_skill = ["resume_id", "jd_id", "skill_id"]
        features = frame.melt(
            id_vars=pair_skill, value_vars=list(FEATURE_NAMES), var_name="feature"
        )
        in_range = self._run(
            features,
            {
                "features_finite_and_in_range": [
                    gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=1),
                    gxe.ExpectColumnValuesToNotBeNull(column="value"),
                ]
            },
            identify=[*pair_skill, "feature"],
        )
        return in_range + self._run(
            frame,
            {
                "one_row_per_pair_and_skill": [
                    gxe.ExpectCompoundColumnsToBeUnique(column_list=pair_skill)
                ],
                "similarity_in_range": [
                    gxe.ExpectColumnValuesToBeBetween(
                        column="similarity", min_value=-1, max_value=1
                    ),
                    gxe.ExpectColumnValuesToNotBeNull(column="similarity"),
                ],
            },
        )


def _json_safe(values: list) -> list:
    """Unexpected values as JSON can carry them (GX hands numpy scalars back)."""
    return json.loads(
        json.dumps(values, default=lambda v: v.item() if hasattr(v, "item") else str(v))
    )
