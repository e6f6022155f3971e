"""The DualStreamMLP gap-priority model, its tabular-only and rule baselines, and training.

Two streams fused: the tabular gap features (all 28, or the original's first 18 for the
baseline: the model slices what it reads) and the JD skill's 384-dim embedding. Two
heads: priority level (Low / Medium / High / Critical; focal loss, gamma 2) and priority score
in [0, 1] (MSE). Adam(lr=1e-3, weight_decay=1e-4), CosineAnnealingWarmRestarts(T_0=30), the
checkpoint with the best validation score kept, seed 42, deterministic on CPU.
"""

from __future__ import annotations

import io
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, r2_score
from torch import nn

from skillbridge_pipeline.core.gaps.features import BASELINE_DIM, GAP_SCORE, TABULAR_DIM
from skillbridge_pipeline.ml_training.training_data import LEVEL_FLOORS, LEVELS, need_of

SEED = 42
EMBEDDING_DIM = 384
N_LEVELS = len(LEVELS)


class FocalLoss(nn.Module):
    """Cross-entropy that down-weights easy examples: (1 - p_t)^gamma * CE."""

    def __init__(self, gamma: float = 2.0):
        super().__init__()
        self.gamma = gamma

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        log_p = torch.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
        return (-((1 - log_p.exp()) ** self.gamma) * log_p).mean()


def _stream(inputs: int, hidden: int, out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(inputs, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, out), nn.ReLU()
    )


class DualStreamMLP(nn.Module):
    def __init__(
        self,
        tabular_dim: int = TABULAR_DIM,
        embedding_dim: int = EMBEDDING_DIM,
        use_embedding: bool = True,
        dropout: float = 0.1,
    ):
        super().__init__()
        self.use_embedding = use_embedding
        self.tabular_dim = tabular_dim
        self.tabular = _stream(tabular_dim, 64, 32, dropout)
        self.embedding = _stream(embedding_dim, 128, 32, dropout) if use_embedding else None
        fused = 64 if use_embedding else 32
        self.fusion = nn.Sequential(nn.Linear(fused, 64), nn.ReLU(), nn.Dropout(dropout))
        self.classifier = nn.Linear(64, N_LEVELS)
        self.regressor = nn.Linear(64, 1)

    def forward(self, tabular: torch.Tensor, embedding: torch.Tensor):
        parts = [self.tabular(tabular[:, : self.tabular_dim])]
        if self.embedding is not None:
            parts.append(self.embedding(embedding))
        hidden = self.fusion(torch.cat(parts, dim=1))
        return self.classifier(hidden), torch.sigmoid(self.regressor(hidden)).squeeze(1)


@dataclass
class Metrics:
    macro_f1: float
    accuracy: float
    r2: float
    mae: float
    ece: float | None = None  # expected calibration error of the level probabilities

    @classmethod
    def of(cls, levels_true, levels_pred, scores_true, scores_pred, ece=None) -> Metrics:
        return cls(
            macro_f1=round(float(f1_score(levels_true, levels_pred, average="macro")), 4),
            accuracy=round(float(accuracy_score(levels_true, levels_pred)), 4),
            r2=round(float(r2_score(scores_true, scores_pred)), 4),
            mae=round(float(mean_absolute_error(scores_true, scores_pred)), 4),
            ece=ece,
        )


@dataclass
class TrainingResult:
    model: DualStreamMLP
    best_epoch: int
    curve: list[dict] = field(default_factory=list)  # per epoch: train loss, validation score
    seconds: float = 0.0


@dataclass(frozen=True)
class Dataset:
    tabular: np.ndarray
    embedding: np.ndarray
    level: np.ndarray
    priority: np.ndarray

    def tensors(self):
        return (
            torch.tensor(self.tabular),
            torch.tensor(self.embedding),
            torch.tensor(self.level).long(),
            torch.tensor(self.priority).float(),
        )


def seed_everything(seed: int = SEED) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


@contextmanager
def fast_cpu_training():
    """One thread, subnormals flushed to zero, for the length of a training; restored after.

    Weights decayed towards zero turn subnormal, and CPU arithmetic on subnormals is ~10x
    slower. Flushing is per thread, and torch's worker threads started earlier (the embedding
    model's, in the same run) keep the slow mode; so the small MLP trains on the calling thread
    alone: 14 s for 60 epochs instead of 40-80 s, same metrics to 1e-3."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
        torch.set_num_threads(threads)


def train(
    training: Dataset,
    validation: Dataset,
    use_embedding: bool = True,
    epochs: int = 60,
    batch_size: int = 256,
    seed: int = SEED,
    tabular_dim: int = TABULAR_DIM,
) -> TrainingResult:
    with fast_cpu_training():
        return _train(training, validation, use_embedding, epochs, batch_size, seed, tabular_dim)


def _train(
    training: Dataset,
    validation: Dataset,
    use_embedding: bool,
    epochs: int,
    batch_size: int,
    seed: int,
    tabular_dim: int,
) -> TrainingResult:
    seed_everything(seed)
    model = DualStreamMLP(tabular_dim=tabular_dim, use_embedding=use_embedding)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=30)
    focal, mse = FocalLoss(gamma=2.0), nn.MSELoss()
    x_tab, x_emb, y_level, y_score = training.tensors()
    generator = torch.Generator().manual_seed(seed)
    best_score, best_state, best_epoch, curve = -np.inf, None, 0, []
    started = time.perf_counter()
    batches = max(1, len(y_level) // batch_size)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(y_level), generator=generator)
        total = 0.0
        for b in range(batches):
            index = order[b * batch_size : (b + 1) * batch_size]
            logits, score = model(x_tab[index], x_emb[index])
            loss = focal(logits, y_level[index]) + 2.0 * mse(score, y_score[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step(epoch + b / batches)
            total += loss.item()
        metrics = evaluate(model, validation)
        # One number to pick the checkpoint: classification and regression quality together.
        selection = metrics.macro_f1 + metrics.r2
        curve.append(
            {
                "epoch": epoch + 1,
                "train_loss": round(total / batches, 5),
                "validation_f1": metrics.macro_f1,
                "validation_r2": metrics.r2,
            }
        )
        if selection > best_score:
            best_score, best_epoch = selection, epoch + 1
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model.eval()
    return TrainingResult(model, best_epoch, curve, time.perf_counter() - started)


@torch.no_grad()
def predict(model: DualStreamMLP, tabular: np.ndarray, embedding: np.ndarray):
    """(level index, level probabilities, priority score) per row."""
    model.eval()
    logits, score = model(torch.tensor(tabular), torch.tensor(embedding))
    probabilities = torch.softmax(logits, dim=1).numpy()
    return probabilities.argmax(axis=1), probabilities, score.numpy()


def evaluate(model: DualStreamMLP, data: Dataset) -> Metrics:
    levels, probabilities, scores = predict(model, data.tabular, data.embedding)
    ece, _ = calibration(probabilities, data.level)
    return Metrics.of(data.level, levels, data.priority, scores, ece)


def calibration(
    probabilities: np.ndarray, levels: np.ndarray, bins: int = 10
) -> tuple[float, list[dict]]:
    """Expected calibration error of the predicted level's probability, and the reliability
    bins it is computed from (mean confidence, accuracy and count per confidence bin)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == levels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    table, error = [], 0.0
    for b in range(bins):
        inside = which == b
        if not inside.any():
            continue
        mean_confidence, accuracy = float(confidence[inside].mean()), float(correct[inside].mean())
        error += inside.mean() * abs(mean_confidence - accuracy)
        table.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "confidence": round(mean_confidence, 4),
                "accuracy": round(accuracy, 4),
                "count": int(inside.sum()),
            }
        )
    return round(float(error), 4), table


def rule_baseline(data: Dataset) -> Metrics:
    """The plain rule: the farther the candidate, the more urgent (priority = need(gap))."""
    scores = np.array([need_of(float(g)) for g in data.tabular[:, GAP_SCORE]])
    levels = np.array([max(i for i, f in enumerate(LEVEL_FLOORS) if s >= f) for s in scores])
    return Metrics.of(data.level, levels, data.priority, scores)


def save_checkpoint(model: DualStreamMLP, path: Path, extra: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(
        {
            "state_dict": model.state_dict(),
            "use_embedding": model.use_embedding,
            "tabular_dim": model.tabular_dim,
            "levels": LEVELS,
            **extra,
        },
        buffer,
    )
    path.write_bytes(buffer.getvalue())


def load_checkpoint(path: Path) -> DualStreamMLP:
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    model = DualStreamMLP(
        tabular_dim=checkpoint.get("tabular_dim", BASELINE_DIM),  # release 1 models: 18
        use_embedding=checkpoint["use_embedding"],
    )
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    return model
