"""Build the semantic linker's model and fit its calibration.

`skillbridge build-linker` distils a static embedding model (model2vec) from the shipped
all-MiniLM-L6-v2: every token of MiniLM's vocabulary, plus the words of the taxonomy's concept
labels that MiniLM splits into pieces ("venepuncture", "phlebotomy"), each run once through
MiniLM, then PCA to 256 dimensions. ~60 MB of vectors, so it is built at set-up (about a
minute, the same bytes from the same inputs) rather than committed.

`skillbridge build-linker --calibrate` also fits the calibration (`data/linker/calibration.json`,
committed) on the calibration half of the labelled sentences in `data/linking/`: the other half
is for measuring only (`scripts/linking_eval.py`).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections import Counter
from pathlib import Path
from unittest.mock import patch

from skillbridge_pipeline.core.skills.linker import (
    ADAPTER_FILE,
    CALIBRATION_FILE,
    MODEL_DIR,
    Calibration,
    concept_labels,
)
from skillbridge_pipeline.core.skills.taxonomy import DATA_DIR, Taxonomy

LABELLED_FILE = DATA_DIR / "linking" / "ordinary_sentences.jsonl"
EXTRA_WORDS = 20_000  # label words MiniLM splits into pieces, most frequent first
PCA_DIMS = 256
MIN_PRECISION = 0.6  # of links on the calibration half, at the chosen threshold
_NEUTRAL = Calibration(0.0, 1.0, 0.0, 0.0, 0.0)  # probability grows with similarity; no threshold
_LABEL_WORD = re.compile(r"[^\W\d_]{3,20}")  # a word MiniLM may cut into many pieces


def label_vocabulary(taxonomy: Taxonomy, known: set[str]) -> list[str]:
    """Words of the linkable concepts' labels that are not one MiniLM token, by frequency."""
    from skillbridge_pipeline.core.skills.linker import linkable

    counts: Counter[str] = Counter()
    for skill in taxonomy:
        if linkable(skill):
            for label in concept_labels(skill):
                counts.update(_LABEL_WORD.findall(label.casefold()))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    words = [w for w, c in ranked if c >= 2 and w not in known]
    return words[:EXTRA_WORDS]


def build_model(taxonomy: Taxonomy, out_dir: Path = MODEL_DIR) -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    import torch
    from model2vec.distill import distillation
    from transformers import AutoModel, AutoTokenizer

    from skillbridge_pipeline.core.gaps.embeddings import packaged_model_path

    torch.manual_seed(42)
    np.random.seed(42)
    path = str(packaged_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True)
    known = tokenizer.get_vocab()
    vocabulary = label_vocabulary(taxonomy, set(known))

    def token_ids(tokens: list[str], original) -> list[list[int]]:
        """Each token as MiniLM reads it, [CLS] token [SEP], a new word by its word pieces, in
        the id space of the (pruned) original vocabulary. (model2vec 0.10 with skeletoken 0.6
        finds new words in that vocabulary already and runs them through untrained rows.)"""
        ids = original.vocabulary
        cls, sep = ids[tokenizer.cls_token], ids[tokenizer.sep_token]
        return [
            [cls, ids[token], sep]
            if token in known
            else [ids[p] for p in tokenizer.convert_ids_to_tokens(tokenizer.encode(token))]
            for token in tokens
        ]

    with patch.object(distillation, "turn_tokens_into_ids", token_ids):
        static = distillation.distill_from_model(
            model, tokenizer, vocabulary=vocabulary, pca_dims=PCA_DIMS
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    static.save_pretrained(str(out_dir))
    return out_dir


def train_adapter(
    taxonomy: Taxonomy, shared_data: Path, out: Path = ADAPTER_FILE, epochs: int = 5
) -> Path:
    """A linear map on the static vectors, trained contrastively (in-batch negatives) so that
    two ways of writing one concept land together: two of its labels, or its ESCO description's
    first sentence (written as postings are) and a label. Decorte et al. trained a whole
    MiniLM this way; a 256 x 256 matrix is what a CPU-only set-up can afford, and it lifts
    precision and recall on the labelled sentences (docs/quality.md)."""
    import numpy as np
    import torch

    from skillbridge_pipeline.core.skills.linker import _normalised, linkable
    from skillbridge_pipeline.core.skills.taxonomy_build import esco_skill_rows

    torch.manual_seed(42)
    rng = np.random.default_rng(42)
    from model2vec import StaticModel

    model = StaticModel.from_pretrained(str(MODEL_DIR))  # the vectors only: no concept index
    skills = [s for s in taxonomy if linkable(s)]
    descriptions = {
        row["conceptUri"]: row["description"].split(". ")[0]
        for row in esco_skill_rows(shared_data)
        if row["description"].strip()
    }
    texts, groups = [], []
    for skill in skills:
        group = []
        for text in [*concept_labels(skill), descriptions.get(skill.esco_uri or "", "")]:
            if text:
                group.append(len(texts))
                texts.append(text)
        if len(group) >= 2:
            groups.append(group)
    vectors = torch.tensor(_normalised(np.asarray(model.encode(texts), np.float32)))
    weight = torch.nn.Parameter(torch.eye(vectors.shape[1]))
    optimizer = torch.optim.Adam([weight], lr=1e-3)
    for _ in range(epochs):
        for start in range(0, len(groups), 512):
            batch = [groups[i] for i in rng.permutation(len(groups))[start : start + 512]]
            pairs = [rng.choice(g, size=2, replace=False) for g in batch]
            left = torch.nn.functional.normalize(vectors[[a for a, _ in pairs]] @ weight, dim=1)
            right = torch.nn.functional.normalize(vectors[[b for _, b in pairs]] @ weight, dim=1)
            loss = torch.nn.functional.cross_entropy(
                left @ right.T / 0.05, torch.arange(len(pairs))
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, weight.detach().numpy().astype(np.float32))
    return out


def split_of(sentence_id: str) -> str:
    """A stable half of the labelled sentences for calibration, the other for measuring."""
    return "calibration" if zlib.crc32(sentence_id.encode()) % 2 == 0 else "test"


def load_labelled(path: Path = LABELLED_FILE) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def fit_calibration(taxonomy: Taxonomy, out: Path = CALIBRATION_FILE) -> dict:
    """Logistic regression of "the unit's best concept is one the annotator accepted" on its
    similarity and margin, over the units of the calibration half; the threshold is the lowest
    at which they are right MIN_PRECISION of the time there."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from skillbridge_pipeline.core.skills.linker import SemanticLinker, text_units

    linker = SemanticLinker(taxonomy, calibration=_NEUTRAL)
    rows, labels = [], []
    sentences = [s for s in load_labelled() if split_of(s["id"]) == "calibration"]
    for sentence in sentences:
        accepted = {uri for skill in sentence["skills"] for uri in skill["accept"]}
        text = sentence["text"]
        for link in linker.link(text, text_units(text), threshold=-1.0):
            uri = taxonomy.skills[link.skill_id].esco_uri
            rows.append((link.similarity, link.margin))
            labels.append(int(uri in accepted))
    x, y = np.asarray(rows), np.asarray(labels)
    model = LogisticRegression(C=10.0).fit(x, y)
    probability = model.predict_proba(x)[:, 1]
    # In a resume a missed skill is a false "missing", so its threshold is the one with the best
    # F1; in a JD a wrong link is a false gap, so there it is the lowest threshold whose links
    # are right MIN_PRECISION of the time (recall takes what is left).
    thresholds = np.arange(0.2, 0.95, 0.01)
    gold = sum(len(s["skills"]) for s in sentences)
    # (from 0.3: below it, the links a person reads in their own resume are mostly noise)
    resume = max(thresholds[thresholds >= 0.3], key=lambda t: _f1(probability >= t, y, gold))
    precise = [t for t in thresholds if _precision(probability >= t, y) >= MIN_PRECISION]
    jd = min(precise) if precise else max(thresholds, key=lambda t: _precision(probability >= t, y))
    calibration = {
        "intercept": round(float(model.intercept_[0]), 4),
        "similarity": round(float(model.coef_[0][0]), 4),
        "margin": round(float(model.coef_[0][1]), 4),
        "threshold": round(float(resume), 2),
        "jd_threshold": round(float(jd), 2),
        "fitted_on": f"{len(y)} units of the calibration half of {LABELLED_FILE.name}",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    return calibration


def _f1(predicted, correct, gold: int) -> float:
    hits = int((predicted & (correct == 1)).sum())
    if not hits:
        return 0.0
    precision, recall = hits / int(predicted.sum()), hits / max(gold, 1)
    return 2 * precision * recall / (precision + recall)


def _precision(predicted, correct) -> float:
    kept = int(predicted.sum())
    return float((predicted & (correct == 1)).sum()) / kept if kept else 0.0
