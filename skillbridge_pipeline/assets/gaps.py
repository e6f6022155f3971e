"""Scored gaps, partitioned by resume: one row per (requested JD, JD skill).

Nothing here grows with resumes x JDs: a resume's partition holds exactly the JDs someone asked
to compare it with, and a new request for that resume re-materialises its partition.
"""

import time

import pandas as pd
from dagster import (
    AllPartitionMapping,
    AssetDep,
    AssetExecutionContext,
    BackfillPolicy,
    Output,
    asset,
    define_asset_job,
)

from skillbridge_pipeline.assets.documents import DOCUMENT_ASSETS, DOCUMENT_PARTITIONS
from skillbridge_pipeline.core.store import now
from skillbridge_pipeline.hooks import (
    GAPS_JOB_NAME,
    RESUMES_AND_GAPS_JOB_NAME,
    TRANSIENT_RETRIES,
    record_dead_letter,
)
from skillbridge_pipeline.metrics import ANALYSIS_COMPLETED_TOTAL, GAP_ANALYSIS_LATENCY_SECONDS
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


@asset(
    partitions_def=DOCUMENT_PARTITIONS["resume"],
    backfill_policy=BackfillPolicy.single_run(),
    group_name="analyses",
    kinds={"pytorch", "pandas"},
    deps=[
        AssetDep("resume_skills"),
        AssetDep("jd_skills", partition_mapping=AllPartitionMapping()),
        AssetDep("gap_model"),
    ],
)
def skill_gaps(
    context: AssetExecutionContext,
    results_store: ResultsStoreResource,
    skills: SkillExtractorResource,
    embeddings: EmbeddingResource,
    models: ModelStoreResource,
) -> Output[dict[str, pd.DataFrame]]:
    """For each requested (resume, JD) pair of these resumes: coverage, closest resume skill,
    priority from the latest gap model, overall match; stored in the results store."""
    # imported here: torch loads only in runs that score, not in every Dagster process
    from skillbridge_pipeline.ml_training.scoring import GapScorer

    store = results_store.store
    scorer = GapScorer(
        models.registry.load(), embeddings.cache(results_store), skills.extractor.taxonomy
    )
    keys = context.partition_keys
    requests = [r for r in store.requests_for_resumes(keys) if r.status in ("scoring", "done")]
    pairs: dict[tuple[str, str], list[str]] = {}
    for request in requests:
        pairs.setdefault((request.resume_id, request.jd_id), []).append(request.request_id)
    requested_at = {r.request_id: r.requested_at for r in requests}
    results, done, frames = [], [], {key: [] for key in keys}
    started = time.perf_counter()
    scored = scorer.score_stored_many(store, list(pairs))
    scoring_seconds = time.perf_counter() - started
    for ((resume_id, _), request_ids), (result, error) in zip(pairs.items(), scored, strict=True):
        if error is not None:
            store.set_request_status(request_ids, "failed", error=str(error))
            ANALYSIS_COMPLETED_TOTAL.labels(outcome="failed").inc(len(request_ids))
            continue
        results.append(result)
        done += request_ids
        frames[resume_id] += gap_rows(result)
    store.save_analyses(results)
    store.set_request_status(done, "done")
    ANALYSIS_COMPLETED_TOTAL.labels(outcome="done").inc(len(done))
    stored_at = now()
    for request_id in done:
        GAP_ANALYSIS_LATENCY_SECONDS.observe((stored_at - requested_at[request_id]).total_seconds())
    for key in keys:
        matches = [r["overall_match"] for r in results if r["resume_id"] == key]
        context.add_asset_metadata(
            {"analyses": len(matches), **({"best_match": max(matches)} if matches else {})},
            partition_key=key,
        )
    return Output(
        {key: pd.DataFrame(rows, columns=GAP_COLUMNS) for key, rows in frames.items()},
        metadata={
            "analyses": len(results),
            "model_version": scorer.trained.version,
            "scoring_seconds": round(scoring_seconds, 3),
            "phrases_embedded": scorer.cache.embedded,
        },
    )


GAPS_JOB = define_asset_job(
    GAPS_JOB_NAME,
    selection=["skill_gaps", "roadmaps"],
    hooks={record_dead_letter},
    op_retry_policy=TRANSIENT_RETRIES,
    description="Score requested resume/JD pairs for a batch of resumes, then their roadmaps.",
)
# New resumes that arrive with their requests (the JD already extracted) are extracted and
# scored in one run: same partitions, one launch, no wait for the analysis sensor.
RESUMES_AND_GAPS_JOB = define_asset_job(
    RESUMES_AND_GAPS_JOB_NAME,
    selection=[
        *(a.key.to_user_string() for a in DOCUMENT_ASSETS["resume"]),
        "skill_gaps",
        "roadmaps",
    ],
    hooks={record_dead_letter},
    op_retry_policy=TRANSIENT_RETRIES,
    description="Extract a batch of new resumes and score the requests that wait on them.",
)
ML_JOB = define_asset_job(
    "train_gap_model_job",
    selection=["skill_vectors", "gap_training_examples", "gap_model"],
    hooks={record_dead_letter},
    op_retry_policy=TRANSIENT_RETRIES,
    description="Embed the taxonomy, build training examples and train the gap model.",
)
