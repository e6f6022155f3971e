"""ML assets: skill vectors (cache + Chroma) -> training examples -> the gap-priority model.

Training code (torch, scikit-learn) is imported inside the assets that train, so that the
code server and document runs, which import this module too, start without it.
"""

import base64

import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, Output, asset

from skillbridge_pipeline.core.skills.taxonomy import DATA_DIR
from skillbridge_pipeline.ml_training.registry import RELIABILITY_FILE
from skillbridge_pipeline.resources import (
    EmbeddingResource,
    ModelStoreResource,
    SkillExtractorResource,
    VectorStoreResource,
)

SKILLSPAN_TRAIN = DATA_DIR / "skillspan" / "postings-train.jsonl"
GROUP = "gap_model"


@asset(group_name=GROUP, kinds={"chroma"})
def skill_vectors(
    skill_extractor: SkillExtractorResource,
    embeddings: EmbeddingResource,
    vectors: VectorStoreResource,
) -> MaterializeResult:
    """Every taxonomy skill embedded once (persistent cache) and upserted into Chroma; every
    skill a document can yield is a taxonomy skill, so this covers every skill seen."""
    taxonomy = skill_extractor.extractor.taxonomy
    cache = embeddings.cache()
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
    skill_extractor: SkillExtractorResource,
    embeddings: EmbeddingResource,
) -> Output[pd.DataFrame]:
    """Labelled (posting, candidate, skill) examples from O*NET profiles and SkillSpan train
    postings; see `training_data.py` for the labelling and the held-out splits."""
    from skillbridge_pipeline.ml_training.training_data import build_examples

    cache = embeddings.cache()
    examples = build_examples(
        skill_extractor.extractor.taxonomy,
        skill_extractor.extractor,
        cache.vectors,
        SKILLSPAN_TRAIN,
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
    skill_extractor: SkillExtractorResource,
    embeddings: EmbeddingResource,
    models: ModelStoreResource,
) -> MaterializeResult:
    """The DualStreamMLP on all 28 features, compared on the same held-out postings and skills
    with a tabular-only MLP, the original's 18-feature DualStreamMLP and the plain rule, with
    the calibration of its level probabilities; artifacts versioned in the model store."""
    from skillbridge_pipeline.ml_training.training import train_gap_model

    summary = train_gap_model(
        gap_training_examples,
        skill_extractor.extractor.taxonomy,
        embeddings.cache(),
        models.registry,
    )
    folder = models.registry.root / summary.version
    rows = [
        "| model | held-out | macro-F1 | accuracy | R² | MAE | ECE |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, by_split in summary.metrics.items():
        for split, m in by_split.items():
            ece = "—" if m["ece"] is None else f"{m['ece']:.3f}"
            rows.append(
                f"| {name} | {split} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | "
                f"{m['r2']:.3f} | {m['mae']:.3f} | {ece} |"
            )
    plot = (folder / RELIABILITY_FILE).read_bytes()
    reliability = [
        f"![reliability](data:image/svg+xml;base64,{base64.b64encode(plot).decode()})",
        "",
        "| confidence bin | mean confidence | accuracy | examples |",
        "|---|---|---|---|",
        *(
            f"| {b['bin']} | {b['confidence']:.3f} | {b['accuracy']:.3f} | {b['count']} |"
            for b in summary.reliability
        ),
    ]
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
            "ece": dual["ece"],
            "reliability": MetadataValue.md("\n".join(reliability)),
            "reliability_plot": MetadataValue.path(str(folder / RELIABILITY_FILE)),
            "best_epoch": summary.best_epoch,
            "training_seconds": round(summary.seconds, 1),
            "artifacts": MetadataValue.path(str(folder)),
        }
    )
