"""The two stages the gap analysis rests on, as assets of their own: skill embeddings per batch
of documents, and the KNN feature table per batch of requests.

`skill_embeddings` embeds the skill names a batch of documents brought in (each phrase once,
ever: the phrase cache in the results store), so scoring finds every vector cached.
`gap_features` writes, for every requested pair and JD skill, the 28 tabular features the model
reads and the closest resume skill with its similarity; `skill_gaps` reads that table from its
input, so the edge carries the data and a re-run of both reproduces the stored analyses.
"""

import time
from collections.abc import Iterator

import pandas as pd
from dagster import (
    AllPartitionMapping,
    AssetCheckSpec,
    AssetDep,
    AssetExecutionContext,
    MetadataValue,
    Output,
    asset,
)

from skillbridge_pipeline.assets.documents import check_results, markdown_table
from skillbridge_pipeline.core.documents.batches import batch_kind
from skillbridge_pipeline.core.documents.quality import FEATURE_CHECKS, QualityValidator
from skillbridge_pipeline.core.gaps.embeddings import normalise_phrase
from skillbridge_pipeline.core.gaps.scoring import (
    features_frame,
    pair_features,
    requested_pairs,
    stored_pairs,
)
from skillbridge_pipeline.core.skills.market import SkillMarket
from skillbridge_pipeline.hooks import fail_requests
from skillbridge_pipeline.partitions import BATCHES
from skillbridge_pipeline.resources import (
    EmbeddingResource,
    ResultsStoreResource,
    SkillExtractorResource,
)

EMBEDDING_COLUMNS = ["phrase", "kind", "documents", "newly_embedded"]


@asset(
    partitions_def=BATCHES,
    group_name="features",
    kinds={"pandas"},
    deps=["resume_skills", "jd_skills"],
)
def skill_embeddings(
    context: AssetExecutionContext,
    results_store: ResultsStoreResource,
    embeddings: EmbeddingResource,
) -> Output[pd.DataFrame]:
    """all-MiniLM-L6-v2 vectors of the skill names this batch of documents brought in; new
    phrases are embedded once and kept in the phrase cache, cached ones reused."""
    store = results_store.store
    cache = embeddings.cache()
    seen = store.batch_skill_names(context.partition_key)
    started = time.perf_counter()
    new = set(cache.embed([name for name, _, _ in seen]))
    seconds = time.perf_counter() - started
    frame = pd.DataFrame(
        [
            {
                "phrase": name,
                "kind": kind,
                "documents": count,
                "newly_embedded": normalise_phrase(name) in new,
            }
            for name, kind, count in seen
        ],
        columns=EMBEDDING_COLUMNS,
    )
    phrases = len({name for name, _, _ in seen})
    return Output(
        frame,
        metadata={
            "phrases": phrases,
            "newly_embedded": len(new),
            "cache_hits": phrases - len(new),
            "seconds": round(seconds, 3),
        },
    )


@asset(
    partitions_def=BATCHES,
    group_name="features",
    kinds={"pandas", "sklearn"},
    deps=[AssetDep("skill_embeddings", partition_mapping=AllPartitionMapping())],
    check_specs=[
        AssetCheckSpec(c.name, asset="gap_features", description=c.description, blocking=True)
        for c in FEATURE_CHECKS
    ],
)
def gap_features(
    context: AssetExecutionContext,
    results_store: ResultsStoreResource,
    embeddings: EmbeddingResource,
    skill_extractor: SkillExtractorResource,
) -> Iterator:
    """For every requested pair of this batch and each skill its JD asks for: the 28 tabular
    features (the original's 18: category, role and seniority one-hots, gap score, mean and
    min KNN distance to the resume's skills; then how the JD asks for the skill and what the
    market says of it) and the closest resume skill with its cosine similarity."""
    store = results_store.store
    batch = context.partition_key
    if batch_kind(batch) == "analysis":  # a batch of requests starts here
        store.update_batch(batch, status="running", run_id=context.run.run_id)
    pairs = requested_pairs(store, batch)
    ready, errors = stored_pairs(store, list(pairs))
    for requests, error in zip(pairs.values(), errors, strict=True):
        if error is not None:  # told now: the scoring step never sees this pair
            fail_requests(store, [r.request_id for r in requests], str(error))
    cache = embeddings.cache()
    started = time.perf_counter()
    frame = features_frame(
        ready,
        pair_features(ready, cache.matrix, SkillMarket.of(skill_extractor.extractor.taxonomy)),
    )
    seconds = time.perf_counter() - started
    preview = frame.head(10)
    yield Output(
        frame,
        metadata={
            "pairs": len(ready),
            "rows": len(frame),
            "requests_failed": sum(1 for e in errors if e is not None),
            "phrases_embedded": cache.embedded,
            "seconds": round(seconds, 3),
            "mean_gap_score": round(float(frame["gap_score"].mean()), 4) if len(frame) else 0.0,
            "preview": markdown_table(
                ["resume", "JD", "skill", "gap score", "closest", "similarity"],
                [
                    (
                        r.resume_id,
                        r.jd_id,
                        r.name,
                        f"{r.gap_score:.3f}",
                        r.closest_skill,
                        f"{r.similarity:.3f}",
                    )
                    for r in preview.itertuples()
                ],
            )
            if len(frame)
            else MetadataValue.md("(no rows)"),
        },
    )
    yield from check_results("gap_features", QualityValidator().validate_features(frame))
