"""ML assets: skill vectors (cache + Chroma) -> training examples -> the gap-priority model.

Training code (torch, scikit-learn) is imported inside the assets that train, so that the
code server and document runs, which import this module too, start without it.
"""

import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, Output, asset

from skillbridge_pipeline.core.taxonomy import DATA_DIR
from skillbridge_pipeline.resources import (
    EmbeddingResource,
    ModelStoreResource,
    ResultsStoreResource,
    SkillExtractorResource,
    VectorStoreResource,
)

SKILLSPAN_TRAIN = DATA_DIR / "skillspan" / "postings-train.jsonl"
GROUP = "gap_model"


@asset(group_name=GROUP, kinds={"chroma"})
def skill_vectors(
    results_store: ResultsStoreResource,
    skills: SkillExtractorResource,
    embeddings: EmbeddingResource,
    vectors: VectorStoreResource,
) -> MaterializeResult:
    """Every taxonomy skill embedded once (persistent cache) and upserted into Chroma; every
    skill a document can yield is a taxonomy skill, so this covers every skill seen."""
    taxonomy = skills.extractor.taxonomy
    cache = embeddings.cache(results_store)
    ordered = sorted(taxonomy.skills.values(), key=lambda s: s.id)
    matrix = cache.matrix([s.name for s in ordered])
    store = vectors.vector_store()
    store.upsert(
        [s.id for s in ordered],
        matrix,
        [{"name": s.name, "category": s.category, "kind": s.kind} for s in ordered],
    )
    return MaterializeResult(
        metadata={
            "skills": len(ordered),
            "newly_embedded": cache.embedded,
            "collection_size": store.count(),
        }
    )


@asset(group_name=GROUP, deps=[skill_vectors], kinds={"pandas"})
def gap_training_examples(
    context: AssetExecutionContext,
    results_store: ResultsStoreResource,
    skills: SkillExtractorResource,
    embeddings: EmbeddingResource,
) -> Output[pd.DataFrame]:
    """Labelled (posting, candidate, skill) examples from O*NET profiles and SkillSpan train
    postings; see `training_data.py` for the labelling and the held-out splits."""
    from skillbridge_pipeline.ml_training.training_data import build_examples

    cache = embeddings.cache(results_store)
    examples = build_examples(
        skills.extractor.taxonomy, skills.extractor, cache.vectors, SKILLSPAN_TRAIN
    )
    levels = examples["level"].value_counts().sort_index()
    return Output(
        examples,
        metadata={
            "examples": len(examples),
            "postings": examples["posting_id"].nunique(),
            "skills": examples["skill_id"].nunique(),
            "splits": MetadataValue.json(examples["split"].value_counts().to_dict()),
            "levels (Low..Critical)": MetadataValue.json([int(v) for v in levels]),
        },
    )


@asset(group_name=GROUP, kinds={"pytorch"})
def gap_model(
    context: AssetExecutionContext,
    gap_training_examples: pd.DataFrame,
    results_store: ResultsStoreResource,
    skills: SkillExtractorResource,
    embeddings: EmbeddingResource,
    models: ModelStoreResource,
) -> MaterializeResult:
    """The DualStreamMLP, trained and compared with a tabular-only MLP and the plain rule on
    held-out postings and skills; artifacts versioned in the model store."""
    from skillbridge_pipeline.ml_training.training import train_gap_model

    summary = train_gap_model(
        gap_training_examples,
        skills.extractor.taxonomy,
        embeddings.cache(results_store),
        models.registry,
    )
    folder = models.registry.root / summary.version
    rows = ["| model | held-out | macro-F1 | accuracy | R² | MAE |", "|---|---|---|---|---|---|"]
    for name, by_split in summary.metrics.items():
        for split, m in by_split.items():
            rows.append(
                f"| {name} | {split} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | "
                f"{m['r2']:.3f} | {m['mae']:.3f} |"
            )
    curve = ["| epoch | train loss | validation F1 | validation R² |", "|---|---|---|---|"] + [
        f"| {c['epoch']} | {c['train_loss']:.4f} | {c['validation_f1']:.3f} "
        f"| {c['validation_r2']:.3f} |"
        for c in summary.curve
        if c["epoch"] % 5 == 0 or c["epoch"] == summary.best_epoch
    ]
    dual = summary.metrics["dual_stream"]["test"]
    return MaterializeResult(
        metadata={
            "version": summary.version,
            "macro_f1": dual["macro_f1"],
            "accuracy": dual["accuracy"],
            "r2": dual["r2"],
            "mae": dual["mae"],
            "comparison": MetadataValue.md("\n".join(rows)),
            "training_curve": MetadataValue.md("\n".join(curve)),
            "training_curve_plot": MetadataValue.path(str(folder / "training_curve.svg")),
            "best_epoch": summary.best_epoch,
            "training_seconds": round(summary.seconds, 1),
            "artifacts": MetadataValue.path(str(folder)),
        }
    )
