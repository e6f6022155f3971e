"""Scored gaps per batch of analysis requests: one row per (requested pair, JD skill).

Nothing here grows with resumes x JDs: a batch holds exactly the pairs someone asked for. The
batch is either an analysis batch (the analysis sensor's) or the batch of new resumes whose
requests are scored in the run that extracts them (`resumes_and_gaps_job`).
"""

import time

import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetIn,
    MetadataValue,
    Output,
    asset,
)

from skillbridge_pipeline.assets.documents import markdown_table
from skillbridge_pipeline.core.gaps.scoring import (
    features_from_frame,
    requested_pairs,
    stored_pairs,
)
from skillbridge_pipeline.core.skills.jd_profile import clean_title
from skillbridge_pipeline.core.store.db import now
from skillbridge_pipeline.hooks import fail_requests
from skillbridge_pipeline.metrics import ANALYSIS_COMPLETED_TOTAL, GAP_ANALYSIS_LATENCY_SECONDS
from skillbridge_pipeline.partitions import BATCHES
from skillbridge_pipeline.resources import (
    EmbeddingResource,
    ModelStoreResource,
    ResultsStoreResource,
    SkillExtractorResource,
)

GAP_COLUMNS = [
    "resume_id",
    "jd_id",
    "overall_match",
    "skill_id",
    "name",
    "category",
    "priority_score",
    "priority_level",
    "coverage",
    "closest_skill",
    "similarity",
]


def gap_rows(result: dict) -> list[dict]:
    return [
        {
            "resume_id": result["resume_id"],
            "jd_id": result["jd_id"],
            "overall_match": result["overall_match"],
            "skill_id": g["skill_id"],
            "name": g["name"],
            "category": g["category"],
            "priority_score": g["priority_score"],
            "priority_level": g["priority_level"],
            "coverage": g["coverage"],
            "closest_skill": (g["closest_resume_skill"] or {}).get("name"),
            "similarity": (g["closest_resume_skill"] or {}).get("similarity", 0.0),
        }
        for g in result["skill_gaps"]
    ]


TABLE_ROWS = 50  # analyses listed in a materialisation's table; the rest are counted


def analyses_table(store, pairs) -> MetadataValue:
    """The batch's analyses as a person looks for them in the Dagster UI: resume and JD by
    name, the match and the top gaps (the UI searches asset keys, not ids in metadata)."""
    rows = store.analysis_listing_of_pairs(pairs)
    if not rows:
        return MetadataValue.md("No analysis in this batch.")
    table = []
    for row in rows[:TABLE_ROWS]:
        job = clean_title(row["jd_title"]) or row["jd_file"] or row["jd_id"]
        named = f" ({row['jd_file']})" if row["jd_file"] and row["jd_file"] != job else ""
        top = ", ".join(row["top_gaps"]) or "none"
        table.append(
            (
                row["resume_file"] or row["resume_id"],
                job + named,
                f"{row['overall_match']:.0%}",
                top,
            )
        )
    more = f"\n\n... and {len(rows) - TABLE_ROWS} more (`skillbridge results`)"
    return markdown_table(
        ["Resume", "Job", "Match", "Top gaps"], table, more if len(rows) > TABLE_ROWS else ""
    )


@asset(
    partitions_def=BATCHES,
    group_name="analyses",
    kinds={"pytorch", "pandas"},
    ins={"features": AssetIn("gap_features")},
    deps=[AssetDep("gap_model")],
)
def skill_gaps(
    context: AssetExecutionContext,
    features: pd.DataFrame,
    results_store: ResultsStoreResource,
    skill_extractor: SkillExtractorResource,
    embeddings: EmbeddingResource,
    models: ModelStoreResource,
) -> Output[pd.DataFrame]:
    """For each requested (resume, JD) pair of this batch, from its gap features: coverage,
    closest resume skill, priority from the latest gap model, overall match; stored in the
    results store.
    Partitions: every batch (shared with the document batches): only analysis batches and
    new-resume batches with waiting requests fill here, so "% filled" counts the others."""
    # imported here: torch loads only in runs that score, not in every Dagster process
    from skillbridge_pipeline.ml_training.scoring import GapScorer

    store = results_store.store
    cache = embeddings.cache()
    scorer = GapScorer(models.registry.load(), cache, skill_extractor.extractor.taxonomy)
    pairs = requested_pairs(store, context.partition_key)
    ready, errors = stored_pairs(store, list(pairs))
    inputs = iter(ready)
    aligned = [error or next(inputs) for error in errors]  # per pair: its input, or why not
    loaded = iter(features_from_frame(features, ready, cache.matrix))
    outcomes = []  # per pair: (input, features), or the error that fails its requests
    for pair in aligned:
        found = pair if isinstance(pair, LookupError) else next(loaded)
        outcomes.append(found if isinstance(found, LookupError) else (pair, found))
    scorable = [o for o in outcomes if isinstance(o, tuple)]
    started = time.perf_counter()
    scored = iter(scorer.score_features([p for p, _ in scorable], [f for _, f in scorable]))
    scoring_seconds = time.perf_counter() - started
    results, done, failed, gap_table = [], [], 0, []
    for requests, outcome in zip(pairs.values(), outcomes, strict=True):
        if isinstance(outcome, LookupError):
            fail_requests(store, [r.request_id for r in requests], str(outcome))
            failed += len(requests)
            continue
        result = next(scored)
        results.append(result)
        done += requests
        gap_table += gap_rows(result)
    store.save_analyses(results)
    store.set_request_status([r.request_id for r in done], "done")
    ANALYSIS_COMPLETED_TOTAL.labels(outcome="done").inc(len(done))
    stored_at = now()
    for request in done:
        GAP_ANALYSIS_LATENCY_SECONDS.observe((stored_at - request.requested_at).total_seconds())
    frame = pd.DataFrame(gap_table, columns=GAP_COLUMNS)
    matches = [r["overall_match"] for r in results]
    return Output(
        frame,
        metadata={
            "analyses": len(results),
            "requests_failed": failed,
            "gaps": len(frame),
            **({"mean_match": round(sum(matches) / len(matches), 3)} if matches else {}),
            "analyses_table": analyses_table(
                store, [(r["resume_id"], r["jd_id"]) for r in results]
            ),
            "model_version": scorer.trained.version,
            "scoring_seconds": round(scoring_seconds, 3),
            "phrases_embedded": cache.embedded,
        },
    )
