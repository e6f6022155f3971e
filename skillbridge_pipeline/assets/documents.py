"""Per-document lineage, for resumes and for JDs: raw -> text -> skills.

One dynamic partition per document (its content hash). Each asset has a single-run backfill
policy, so a sensor can ask for a whole range of new documents in one run that loads the
taxonomy once. A bad document does not fail its batch: it gets status `failed` with its reason
in the results store and in its partition's metadata, and the inbox sensor then re-runs it
alone in strict mode, where it fails visibly in the UI (and fires the failure hooks).
"""

import warnings
from collections.abc import Iterator, Sequence

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetsDefinition,
    BackfillPolicy,
    BetaWarning,
    DynamicPartitionsDefinition,
    Failure,
    MetadataValue,
    Output,
    asset,
    define_asset_job,
)
from dagster import AssetSelection as Selection

from skillbridge_pipeline.core.documents import DOCUMENT_KINDS, KIND_FOLDERS
from skillbridge_pipeline.core.processing import (
    RAW_COLUMNS,
    SKILL_COLUMNS,
    TEXT_COLUMNS,
    RawOutcome,
    TextOutcome,
    extract_batch,
    parse_batch,
    verify_raw,
)
from skillbridge_pipeline.core.quality import SKILL_CHECKS, TEXT_CHECKS, QualityValidator
from skillbridge_pipeline.hooks import TRANSIENT_RETRIES, record_dead_letter
from skillbridge_pipeline.resources import (
    LandingStoreResource,
    ResultsStoreResource,
    SkillExtractorResource,
)

# Single-run backfills over a partition range are how a burst becomes a few runs (see the
# README's architecture section); the parameter is marked beta, which we accept knowingly.
warnings.filterwarnings("ignore", message=".*backfill_policy.*", category=BetaWarning)

STRICT_TAG = "skillbridge/strict"  # re-run of a failed document: fail the run, visibly
DOCUMENT_PARTITIONS = {
    kind: DynamicPartitionsDefinition(name=KIND_FOLDERS[kind]) for kind in DOCUMENT_KINDS
}
_NOUN = {"resume": "resume", "jd": "jd"}


def asset_names(kind: str) -> tuple[str, str, str]:
    folder, noun = KIND_FOLDERS[kind], _NOUN[kind]
    return f"raw_{folder}", f"{noun}_texts", f"{noun}_skills"


def records(frames: dict[str, pd.DataFrame]) -> list[dict]:
    """Rows of every partition's frame, with pandas' missing values as None."""
    rows = []
    for frame in frames.values():
        rows += frame.astype(object).where(frame.notna(), None).to_dict("records")
    return rows


def _frame(rows: Sequence[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def _check_results(asset_name: str, outcomes) -> Iterator[AssetCheckResult]:
    for outcome in outcomes:
        yield AssetCheckResult(
            asset_key=asset_name,
            check_name=outcome.name,
            passed=outcome.passed,
            severity=AssetCheckSeverity.ERROR,
            metadata={"failures": MetadataValue.json(outcome.failures)} if outcome.failures else {},
        )


def _fail_if_strict(context: AssetExecutionContext, kind: str, failed: dict[str, str]) -> None:
    if failed and context.run.tags.get(STRICT_TAG) == "true":
        doc_id, reason = next(iter(failed.items()))
        raise Failure(
            description=f"{kind} {doc_id} failed: {reason}",
            metadata={"doc_id": doc_id, "reason": reason},
            allow_retries=False,
        )


def build_document_assets(kind: str) -> list[AssetsDefinition]:
    raw_name, text_name, skills_name = asset_names(kind)
    partitions = DOCUMENT_PARTITIONS[kind]
    group = KIND_FOLDERS[kind]
    common = {
        "partitions_def": partitions,
        "backfill_policy": BackfillPolicy.single_run(),
        "group_name": group,
    }

    @asset(name=raw_name, kinds={"file"}, **common)
    def raw(
        context: AssetExecutionContext,
        results_store: ResultsStoreResource,
        landing: LandingStoreResource,
    ) -> dict[str, pd.DataFrame]:
        """Landed bytes of each document, verified against its content hash."""
        store = results_store.store
        keys = context.partition_keys
        outcomes = verify_raw(kind, keys, store.documents_by_id(kind, keys), landing.landing.read)
        failed = {o.doc_id: o.error for o in outcomes if o.status == "failed"}
        for doc_id, error in failed.items():
            store.record_failed(kind, doc_id, "landing", error or "unknown")
        for o in outcomes:
            context.add_asset_metadata(
                {
                    "status": o.status,
                    "filename": o.filename or "",
                    "bytes": o.size_bytes,
                    **({"error": o.error} if o.error else {}),
                },
                partition_key=o.doc_id,
            )
        _fail_if_strict(context, kind, failed)
        return {o.doc_id: _frame([o.row()], RAW_COLUMNS) for o in outcomes}

    @asset(
        name=text_name,
        ins={"raw": AssetIn(raw_name)},
        kinds={"pandas"},
        check_specs=[
            AssetCheckSpec(c.name, asset=text_name, description=c.description, blocking=c.blocking)
            for c in TEXT_CHECKS
        ],
        **common,
    )
    def texts(
        context: AssetExecutionContext,
        raw: dict[str, pd.DataFrame],
        results_store: ResultsStoreResource,
        landing: LandingStoreResource,
    ) -> Iterator:
        """Plain text of each document (pypdf for PDFs, HTML and JSON Resume flattened)."""
        store = results_store.store
        raw_outcomes = [RawOutcome(**row) for row in records(raw)]
        outcomes = parse_batch(raw_outcomes, landing.landing.read, landing.max_document_bytes)
        already_failed = {o.doc_id for o in raw_outcomes if o.status == "failed"}
        failed = {o.doc_id: o.error or "unknown" for o in outcomes if o.status == "failed"}
        store.record_parsed(
            kind,
            [
                {"doc_id": o.doc_id, "format": o.format, "text_chars": o.text_chars}
                for o in outcomes
                if o.status == "parsed"
            ],
        )
        for doc_id, error in failed.items():
            if doc_id not in already_failed:
                store.record_failed(kind, doc_id, "parse", error)
        for o in outcomes:
            context.add_asset_metadata(
                {
                    "status": o.status,
                    "format": o.format or "",
                    "chars": o.text_chars,
                    **({"error": o.error} if o.error else {}),
                },
                partition_key=o.doc_id,
            )
        _fail_if_strict(context, kind, failed)
        frames = {o.doc_id: _frame([o.row()], TEXT_COLUMNS) for o in outcomes}
        yield Output(frames, metadata={"documents": len(outcomes), "failed": len(failed)})
        batch = _frame([o.row() for o in outcomes], TEXT_COLUMNS)
        yield from _check_results(text_name, QualityValidator().validate_texts(batch))

    @asset(
        name=skills_name,
        ins={"texts": AssetIn(text_name)},
        kinds={"pandas"},
        check_specs=[
            AssetCheckSpec(
                c.name, asset=skills_name, description=c.description, blocking=c.blocking
            )
            for c in SKILL_CHECKS
        ],
        **common,
    )
    def extracted_skills(
        context: AssetExecutionContext,
        texts: dict[str, pd.DataFrame],
        results_store: ResultsStoreResource,
        skills: SkillExtractorResource,
    ) -> Iterator:
        """Taxonomy skills found in each document, with evidence offsets and confidence;
        for JDs also required/preferred, role family and seniority."""
        text_outcomes = [TextOutcome(**row) for row in records(texts)]
        outcomes = extract_batch(text_outcomes, skills.extractor)
        results_store.store.replace_skills(
            kind,
            [
                {
                    "doc_id": o.doc_id,
                    "skills": o.skills,
                    "title": o.title,
                    "role_family": o.role_family,
                    "seniority": o.seniority,
                }
                for o in outcomes
            ],
        )
        by_doc = {o.doc_id: o for o in outcomes}
        frames = {}
        for doc in text_outcomes:
            outcome = by_doc.get(doc.doc_id)
            frames[doc.doc_id] = _frame(outcome.rows() if outcome else [], SKILL_COLUMNS)
            context.add_asset_metadata(
                {
                    "status": "extracted" if outcome else doc.status,
                    "skills": len(outcome.skills) if outcome else 0,
                    **(
                        {"role_family": outcome.role_family, "seniority": outcome.seniority}
                        if outcome and outcome.role_family
                        else {}
                    ),
                },
                partition_key=doc.doc_id,
            )
        yield Output(
            frames,
            metadata={"documents": len(outcomes), "skills": sum(len(o.skills) for o in outcomes)},
        )
        batch = (
            pd.concat(frames.values(), ignore_index=True) if frames else _frame([], SKILL_COLUMNS)
        )
        validator = QualityValidator()
        yield from _check_results(
            skills_name, validator.validate_skills(batch, skills.extractor.taxonomy.skills)
        )

    return [raw, texts, extracted_skills]


DOCUMENT_ASSETS = {kind: build_document_assets(kind) for kind in DOCUMENT_KINDS}
DOCUMENT_JOBS = {
    kind: define_asset_job(
        f"{KIND_FOLDERS[kind]}_job",
        selection=Selection.assets(*DOCUMENT_ASSETS[kind]),
        hooks={record_dead_letter},
        op_retry_policy=TRANSIENT_RETRIES,
        description=f"Land, parse and extract skills from a batch of {KIND_FOLDERS[kind]}.",
    )
    for kind in DOCUMENT_KINDS
}
