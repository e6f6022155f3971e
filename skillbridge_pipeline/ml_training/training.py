"""Train the gap-priority model on built examples; measure it against its baselines; save it."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from skillbridge_pipeline.core.gaps.embeddings import EmbeddingCache
from skillbridge_pipeline.core.gaps.features import BASELINE_DIM, TABULAR_DIM
from skillbridge_pipeline.core.skills.taxonomy import Taxonomy
from skillbridge_pipeline.ml_training import model as gap
from skillbridge_pipeline.ml_training.registry import ModelRegistry

FEATURE_COLUMNS = [f"f{i}" for i in range(TABULAR_DIM)]
EPOCHS = 60
HELD_OUT = ("test", "test_unseen_skills", "test_unseen_postings")


@dataclass(frozen=True)
class TrainingSummary:
    version: str
    metrics: dict  # model -> held-out set -> Metrics as dict
    best_epoch: int
    curve: list[dict]
    reliability: list[dict]  # the dual-stream model's calibration bins on the test set
    seconds: float
    examples: dict[str, int]


def datasets(
    examples: pd.DataFrame, taxonomy: Taxonomy, cache: EmbeddingCache
) -> dict[str, gap.Dataset]:
    names = {s: taxonomy.skills[s].name for s in examples["skill_id"].unique()}
    matrix = cache.matrix(list(names.values()))
    by_skill = dict(zip(names, matrix, strict=True))

    def build(frame: pd.DataFrame) -> gap.Dataset:
        return gap.Dataset(
            frame[FEATURE_COLUMNS].to_numpy(np.float32),
            np.stack([by_skill[s] for s in frame["skill_id"]]).astype(np.float32)
            if len(frame)
            else np.zeros((0, gap.EMBEDDING_DIM), np.float32),
            frame["level"].to_numpy(np.int64),
            frame["priority"].to_numpy(np.float32),
        )

    test = examples[examples["split"] == "test"]
    return {
        "train": build(examples[examples["split"] == "train"]),
        "validation": build(examples[examples["split"] == "validation"]),
        "test": build(test),
        "test_unseen_skills": build(test[test["held_out_skill"]]),
        "test_unseen_postings": build(test[test["held_out_posting"] & ~test["held_out_skill"]]),
    }


def train_gap_model(
    examples: pd.DataFrame,
    taxonomy: Taxonomy,
    cache: EmbeddingCache,
    registry: ModelRegistry,
    epochs: int = EPOCHS,
) -> TrainingSummary:
    started = time.perf_counter()
    data = datasets(examples, taxonomy, cache)
    train, validation = data["train"], data["validation"]
    dual = gap.train(train, validation, use_embedding=True, epochs=epochs)
    models = {
        "dual_stream": dual.model,
        "tabular_only": gap.train(train, validation, use_embedding=False, epochs=epochs).model,
        "baseline_18": gap.train(
            train, validation, use_embedding=True, epochs=epochs, tabular_dim=BASELINE_DIM
        ).model,
    }
    metrics = {
        name: {h: asdict(gap.evaluate(model, data[h])) for h in HELD_OUT}
        for name, model in models.items()
    }
    metrics["rule_baseline"] = {h: asdict(gap.rule_baseline(data[h])) for h in HELD_OUT}
    _, probabilities, _ = gap.predict(dual.model, data["test"].tabular, data["test"].embedding)
    _, reliability = gap.calibration(probabilities, data["test"].level)
    trained_skills = sorted(set(examples.loc[examples["split"] == "train", "skill_id"]))
    vectors = cache.matrix([taxonomy.skills[s].name for s in trained_skills])
    digest = hashlib.sha256(pd.util.hash_pandas_object(examples, index=False).values.tobytes())
    version = time.strftime("%Y%m%dT%H%M%S") + "-" + digest.hexdigest()[:8]
    registry.save(
        version,
        dual.model,
        trained_skills,
        vectors,
        {"metrics": metrics, "best_epoch": dual.best_epoch, "reliability": reliability},
        curve_svg(dual.curve),
        reliability_svg(reliability),
    )
    return TrainingSummary(
        version=version,
        metrics=metrics,
        best_epoch=dual.best_epoch,
        curve=dual.curve,
        reliability=reliability,
        seconds=time.perf_counter() - started,
        examples={k: int(v) for k, v in examples["split"].value_counts().items()},
    )


def curve_svg(curve: list[dict], width: int = 480, height: int = 240) -> str:
    """Training loss and validation macro-F1 per epoch, as a small standalone SVG."""
    pad = 30
    epochs = [c["epoch"] for c in curve]
    series = {
        "train loss": [c["train_loss"] for c in curve],
        "validation F1": [c["validation_f1"] for c in curve],
    }
    colours = {"train loss": "#d62728", "validation F1": "#1f77b4"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    for row, (name, values) in enumerate(series.items()):
        top, low = max(values) or 1.0, min(min(values), 0.0)
        points = " ".join(
            f"{pad + (e - 1) / max(1, len(epochs) - 1) * (width - 2 * pad):.1f},"
            f"{height - pad - (v - low) / ((top - low) or 1) * (height - 2 * pad):.1f}"
            for e, v in zip(epochs, values, strict=True)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colours[name]}" stroke-width="2" points="{points}"/>'
        )
        parts.append(
            f'<text x="{pad}" y="{14 + 14 * row}" font-size="12" fill="{colours[name]}">'
            f"{name} (last {values[-1]:.3f})</text>"
        )
    parts.append(
        f'<text x="{width - pad - 60}" y="{height - 8}" font-size="11">epoch 1-{len(epochs)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def reliability_svg(bins: list[dict], size: int = 240) -> str:
    """Accuracy against confidence per bin, beside the diagonal of perfect calibration."""
    pad = 30
    span = size - 2 * pad

    def xy(confidence: float, accuracy: float) -> tuple[float, float]:
        return pad + confidence * span, size - pad - accuracy * span

    placed = [xy(b["confidence"], b["accuracy"]) for b in bins]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in placed)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f77b4"/>' for x, y in placed)
    (x0, y0), (x1, y1) = xy(0, 0), xy(1, 1)
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">',
            '<rect width="100%" height="100%" fill="white"/>',
            f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#999" stroke-dasharray="4"/>',
            f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{points}"/>',
            dots,
            f'<text x="{pad}" y="16" font-size="12">accuracy vs confidence (test)</text>',
            f'<text x="{size - pad - 70}" y="{size - 8}" font-size="11">confidence</text>',
            "</svg>",
        ]
    )
