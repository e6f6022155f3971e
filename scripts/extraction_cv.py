"""Cross-validated extraction quality on SkillSpan *train*: tune here, measure on dev once.

Each fold's alias reliability is counted on the other folds, so a figure here is what the
shipped calibration would score on postings it never saw. Usage:
    python scripts/extraction_cv.py [--folds 5] [--min-confidence 0.6] [--prior ORIGIN=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from skillbridge_pipeline.core.skills import extraction
from skillbridge_pipeline.core.skills.extraction import SkillExtractor
from skillbridge_pipeline.core.skills.skillspan import score_predictions, span_keys
from skillbridge_pipeline.core.skills.taxonomy import Taxonomy, load_taxonomy
from skillbridge_pipeline.core.skills.taxonomy_build import alias_reliability

POSTINGS = Path(__file__).resolve().parents[2] / "shared/data/skillspan/postings-train-dev.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", default=str(POSTINGS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--min-confidence", type=float, default=extraction.DEFAULT_MIN_CONFIDENCE)
    parser.add_argument("--prior", action="append", default=[], help="origin=value")
    parser.add_argument("--prior-weight", type=float, default=extraction.PRIOR_WEIGHT)
    parser.add_argument("--unasked", type=float, default=extraction.UNASKED_PRIOR_FACTOR)
    parser.add_argument("--neutral", type=float, default=extraction.NEUTRAL_SENTENCE_FACTOR)
    args = parser.parse_args()
    extraction.PRIOR_WEIGHT = args.prior_weight
    extraction.UNASKED_PRIOR_FACTOR = args.unasked
    extraction.NEUTRAL_SENTENCE_FACTOR = args.neutral
    for item in args.prior:
        origin, value = item.split("=")
        extraction.ORIGIN_PRIORS[origin] = float(value)
    with open(args.postings, encoding="utf-8") as lines:
        train = [p for p in map(json.loads, lines) if p["split"] == "train"]
    skills = list(load_taxonomy())
    totals = {}
    for fold in tqdm(range(args.folds), desc="folds", file=sys.stderr):
        held = [p for i, p in enumerate(train) if i % args.folds == fold]
        rest = [p for i, p in enumerate(train) if i % args.folds != fold]
        taxonomy = Taxonomy({s.id: s for s in skills}, alias_reliability(skills, rest))
        extractor = SkillExtractor(taxonomy, min_confidence=args.min_confidence)
        for posting in held:
            gold_k = span_keys(posting["knowledge"])
            gold_all = gold_k | span_keys(posting["skills"])
            found = extractor.extract(posting["text"], kind="jd")
            pairs = [(surface, f.name) for f in found for surface in f.surfaces]
            counts = score_predictions(gold_k, gold_all, pairs)
            row = totals.setdefault(posting["source"], [0, 0, 0, 0])
            for k, v in enumerate(counts):
                row[k] += v
    totals["total"] = [sum(r[k] for r in totals.values()) for k in range(4)]
    for source, (predicted, correct, gold, found) in totals.items():
        p, r = correct / max(predicted, 1), found / max(gold, 1)
        f1 = 2 * p * r / max(p + r, 1e-9)
        print(f"{source}: predicted={predicted} P={p:.3f} R={r:.3f} F1={f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
