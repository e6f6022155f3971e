"""Document lineage per batch, for resumes and for JDs: raw -> text -> skills.

Each run materialises one batch (one partition of `batches`): one Parquet file per asset, one
set of metadata (counts, a preview, the failed documents and why) and the asset checks over the
batch. A bad document never fails its batch: it gets status `failed` with its reason in the
results store, and its dead-letter row, and the rest go on. Replaying that document runs it in a
one-document batch in strict mode, where the same reason fails the run visibly in the UI.
"""

from collections.abc import Iterator, Sequence

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetsDefinition,
    Failure,
    MetadataValue,
    Output,
    asset,
)

from skillbridge_pipeline.core.documents.identity import DOCUMENT_KINDS, KIND_FOLDERS
from skillbridge_pipeline.core.documents.processing import (
    RAW_COLUMNS,
    SKILL_COLUMNS,
    TEXT_COLUMNS,
    RawOutcome,
    TextOutcome,
    extract_batch,
    parse_batch,
    verify_raw,
)
from skillbridge_pipeline.core.documents.quality import SKILL_CHECKS, TEXT_CHECKS, QualityValidator
from skillbridge_pipeline.core.store import DocumentRecord, ResultsStore, dead_letters
from skillbridge_pipeline.hooks import step_coordinates
from skillbridge_pipeline.partitions import BATCHES, STRICT_TAG
from skillbridge_pipeline.resources import (
    LandingStoreResource,
    ResultsStoreResource,
    SkillExtractorResource,
)

PREVIEW_ROWS = 10
# raw -> texts -> skills, per kind of document (the jobs in `jobs.py` name the same keys).
ASSET_KEYS = {
    "resume": ("raw_resumes", "resume_texts", "resume_skills"),
    "jd": ("raw_jds", "jd_texts", "jd_skills"),
}


def rows(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows with pandas' missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _frame(records: Sequence[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(records), columns=columns)


def markdown_table(
    header: Sequence[str], records: Sequence[Sequence], after: str = ""
) -> MetadataValue:
    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")[:200]

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in record) + " |" for record in records]
    return MetadataValue.md("\n".join(lines) + after)


def failures_metadata(documents: Sequence[DocumentRecord]) -> dict:
    """The batch's failed documents with their reasons: what a user looks for first."""
    failed = [d for d in documents if d.status == "failed"]
    if not failed:
        return {"failed": 0}
    return {
        "failed": len(failed),
        "failed_documents": markdown_table(
            ["file", "reason", "document"],
            [(d.filename or "", d.error or "unknown", d.doc_id) for d in failed[:100]],
        ),
    }


def record_failures(
    context: AssetExecutionContext,
    store: ResultsStore,
    kind: str,
    stage: str,
    failed: dict[str, str],
    landing_paths: dict[str, str | None],
) -> dict:
    """Failed status with the reason, and one dead-letter row per document pointing at its
    kept raw bytes: `skillbridge dlq replay` re-runs it alone. Returns the metadata that shows
    them by file name on the asset where they failed (not one asset later)."""
    store.record_failed(kind, failed, stage)
    for doc_id, reason in failed.items():
        dead_letters.record(
            store,
            event_key=f"document:{kind}:{doc_id}",
            subject=doc_id,
            **step_coordinates(context),
            error_type="DocumentError",
            error_message=reason,
            payload=landing_paths.get(doc_id),
        )
    if not failed:
        return {}
    names = {d: r.filename or "" for d, r in store.documents_by_id(kind, failed).items()}
    context.log.warning(
        f"{len(failed)} {kind} documents failed at {stage}: "
        + "; ".join(f"{names.get(d) or d}: {reason}" for d, reason in list(failed.items())[:5])
    )
    return {
        f"failed_at_{stage}": markdown_table(
            ["file", "reason", "document"],
            [(names.get(d, ""), reason, d) for d, reason in list(failed.items())[:100]],
        )
    }


def _fail_if_strict(context: AssetExecutionContext, kind: str, failed: dict[str, str]) -> None:
    if failed and context.run.tags.get(STRICT_TAG) == "true":
        doc_id, reason = next(iter(failed.items()))
        raise Failure(
            description=f"{kind} {doc_id} failed: {reason}",
            metadata={"doc_id": doc_id, "reason": reason},
            allow_retries=False,
        )


def check_results(asset_name: str, outcomes) -> Iterator[AssetCheckResult]:
    for outcome in outcomes:
        yield AssetCheckResult(
            asset_key=asset_name,
            check_name=outcome.name,
            passed=outcome.passed,
            severity=AssetCheckSeverity.ERROR,
            metadata={"failures": MetadataValue.json(outcome.failures)} if outcome.failures else {},
        )


def build_document_assets(kind: str) -> list[AssetsDefinition]:
    raw_name, text_name, skills_name = ASSET_KEYS[kind]
    common = {"partitions_def": BATCHES, "group_name": KIND_FOLDERS[kind]}

    @asset(name=raw_name, kinds={"file"}, **common)
    def raw(
        context: AssetExecutionContext,
        results_store: ResultsStoreResource,
        landing: LandingStoreResource,
    ) -> Output[pd.DataFrame]:
        """The batch's landed bytes, each verified against its content hash.
        Partitions: every batch (one set with the other kind's and the analysis batches, so
        one run can extract and score): only this kind's fill here, so "% filled" counts all."""
        store = results_store.store
        store.update_batch(context.partition_key, status="running", run_id=context.run.run_id)
        documents = [d for d in store.batch_documents(context.partition_key) if d.kind == kind]
        outcomes = verify_raw(kind, documents, landing.landing.fingerprint)
        failed = {o.doc_id: o.error or "unknown" for o in outcomes if o.status == "failed"}
        paths = {d.doc_id: d.landing_path for d in documents}
        failures = record_failures(context, store, kind, "landing", failed, paths)
        _fail_if_strict(context, kind, failed)
        return Output(
            _frame([o.row() for o in outcomes], RAW_COLUMNS),
            metadata={
                "documents": len(outcomes),
                "bytes": sum(o.size_bytes for o in outcomes),
                "failed": len(failed),
                **failures,
                "files": markdown_table(
                    ["file", "document"], [(d.filename or "", d.doc_id) for d in documents]
                ),
            },
        )

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
        raw: pd.DataFrame,
        results_store: ResultsStoreResource,
        landing: LandingStoreResource,
    ) -> Iterator:
        """Plain text of each document (pypdf for PDFs, HTML and JSON Resume flattened), parsed
        in a worker process with a time and memory limit per document.
        Partitions: every batch (one set with the other kind's and the analysis batches, so
        one run can extract and score): only this kind's fill here, so "% filled" counts all."""
        store = results_store.store
        raw_outcomes = [RawOutcome(**row) for row in rows(raw)]
        with landing.parse_worker() as worker:
            outcomes = parse_batch(raw_outcomes, worker)
        already_failed = {o.doc_id for o in raw_outcomes if o.status == "failed"}
        store.record_parsed(
            kind,
            [
                {
                    "doc_id": o.doc_id,
                    "format": o.format,
                    "text_chars": o.text_chars,
                    "text": o.text,
                }
                for o in outcomes
                if o.status == "parsed"
            ],
        )
        failed = {
            o.doc_id: o.error or "unknown"
            for o in outcomes
            if o.status == "failed" and o.doc_id not in already_failed
        }
        paths = {o.doc_id: o.landing_path for o in raw_outcomes}
        failures = record_failures(context, store, kind, "parse", failed, paths)
        _fail_if_strict(context, kind, failed)
        frame = _frame([o.row() for o in outcomes], TEXT_COLUMNS)
        formats = frame.loc[frame["status"] == "parsed", "format"].value_counts().to_dict()
        yield Output(
            frame,
            metadata={
                "documents": len(outcomes),
                "parsed": sum(1 for o in outcomes if o.status == "parsed"),
                "failed": len(failed) + len(already_failed),
                "formats": MetadataValue.json({str(k): int(v) for k, v in formats.items()}),
                "characters": int(frame["text_chars"].sum()),
                **failures,
            },
        )
        yield from check_results(text_name, QualityValidator().validate_texts(frame))

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
        texts: pd.DataFrame,
        results_store: ResultsStoreResource,
        skill_extractor: SkillExtractorResource,
    ) -> Iterator:
        """Taxonomy skills found in each document, with evidence offsets and confidence;
        for JDs also required/preferred, role family and seniority.
        Partitions: every batch (one set with the other kind's and the analysis batches, so
        one run can extract and score): only this kind's fill here, so "% filled" counts all."""
        store = results_store.store
        batch = context.partition_key
        text_outcomes = [TextOutcome(**row) for row in rows(texts)]
        outcomes, failed = extract_batch(text_outcomes, skill_extractor.extractor)
        failures = record_failures(
            context,
            store,
            kind,
            "extraction",
            failed,
            {d: r.landing_path for d, r in store.documents_by_id(kind, failed).items()},
        )
        store.replace_skills(
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
        _fail_if_strict(context, kind, failed)
        frame = _frame([row for o in outcomes for row in o.rows()], SKILL_COLUMNS)
        documents = [d for d in store.batch_documents(batch) if d.kind == kind]
        status = failures_metadata(documents)
        store.update_batch(batch, status="done")
        names = {d.doc_id: d.filename or "" for d in documents}
        preview = [
            (
                names.get(o.doc_id, ""),
                o.title or "",
                len(o.skills),
                ", ".join(s["name"] for s in o.skills[:6]),
                o.doc_id,
            )
            for o in outcomes[:PREVIEW_ROWS]
        ]
        yield Output(
            frame,
            metadata={
                "documents": len(documents),
                "extracted": len(outcomes),
                "skills": len(frame),
                **status,
                **failures,
                "preview": markdown_table(
                    ["file", "title", "skills", "first skills", "document"], preview
                ),
            },
        )
        yield from check_results(
            skills_name,
            QualityValidator().validate_skills(frame, skill_extractor.extractor.taxonomy.skills),
        )

    return [raw, texts, extracted_skills]


DOCUMENT_ASSETS = {kind: build_document_assets(kind) for kind in DOCUMENT_KINDS}
