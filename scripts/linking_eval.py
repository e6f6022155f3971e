"""Linking ordinary sentences to ESCO: the extractor (names, and names + linker) against the
zero-shot MiniLM baseline (the nearest 3 ESCO preferred labels per sentence), on the labelled
sentences of `data/linking/ordinary_sentences.jsonl`.

recall: labelled skills for which some accepted ESCO concept is among what the method returns
for that sentence; skills/sentence: what it returns per sentence (the baseline always 3);
precision: returned skills with an ESCO concept that the annotator accepted, of those returned
that have an ESCO concept. By half (calibration / test: the linker's calibration saw only the
first) and by occupation.

Run: .venv/bin/python scripts/linking_eval.py [--baseline] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict

import numpy as np
from tqdm import tqdm

from skillbridge_pipeline.core.skills.extraction import SkillExtractor
from skillbridge_pipeline.core.skills.linker import SemanticLinker
from skillbridge_pipeline.core.skills.linker_build import load_labelled, split_of
from skillbridge_pipeline.core.skills.taxonomy import Taxonomy, load_taxonomy


def score(rows: list[tuple[dict, set[str], int]]) -> dict:
    """rows: (labelled sentence, returned ESCO URIs, returned skills)."""
    gold = hit = returned = with_uri = correct = 0
    for sentence, uris, count in rows:
        accepted = {u for s in sentence["skills"] for u in s["accept"]}
        gold += len(sentence["skills"])
        hit += sum(bool(set(s["accept"]) & uris) for s in sentence["skills"])
        returned += count
        with_uri += len(uris)
        correct += len(uris & accepted)
    return {
        "sentences": len(rows),
        "recall": round(hit / max(gold, 1), 3),
        "skills_per_sentence": round(returned / max(len(rows), 1), 2),
        "precision": round(correct / max(with_uri, 1), 3),
    }


def report(name: str, rows: list[tuple[dict, set[str], int]]) -> dict:
    halves = {h: [r for r in rows if split_of(r[0]["id"]) == h] for h in ("calibration", "test")}
    out = {"all": score(rows)} | {h: score(r) for h, r in halves.items()}
    occupations = defaultdict(list)
    for row in rows:
        occupations[row[0]["occupation"]].append(row)
    out["by_occupation"] = {o: score(r)["recall"] for o, r in sorted(occupations.items())}
    print(f"{name:<24} " + "  ".join(f"{h}: {out[h]}" for h in ("all", "test")))
    return out


def extractor_rows(extractor: SkillExtractor, sentences: list[dict]) -> list:
    taxonomy, rows = extractor.taxonomy, []
    for sentence in tqdm(sentences, desc="extract", file=sys.stderr):
        found = extractor.extract(sentence["text"], kind=sentence["side"])
        uris = {u for s in found if (u := taxonomy.skills[s.skill_id].esco_uri)}
        rows.append((sentence, uris, len(found)))
    return rows


def baseline_rows(sentences: list[dict]) -> list:
    """Nearest 3 ESCO preferred labels by all-MiniLM-L6-v2 (the issue's zero-shot baseline)."""
    import csv
    import gzip
    from pathlib import Path

    import numpy as np

    from skillbridge_pipeline.core.gaps.embeddings import Embedder

    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    path = shared / "esco-relations-v1.1.1" / "skills_en.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        concepts = [(r["conceptUri"], r["preferredLabel"].strip()) for r in csv.DictReader(f)]
    embedder = Embedder()
    labels = embedder.encode([label for _, label in concepts])
    texts = embedder.encode([s["text"] for s in sentences])
    top = np.argsort(-(texts @ labels.T), axis=1)[:, :3]
    return [(s, {concepts[i][0] for i in row}, 3) for s, row in zip(sentences, top, strict=True)]


def static_rows(
    taxonomy: Taxonomy, linker: SemanticLinker, sentences: list[dict], k: int = 3
) -> list:
    """The linker's own model the baseline's way: each whole sentence, its k nearest concepts
    (no threshold, no names): how far the static model is behind MiniLM at the same k."""
    vectors = linker._encode([s["text"] for s in sentences])
    top = np.argsort(-(vectors @ linker.concepts.T), axis=1)[:, :k]
    uris = [taxonomy.skills[i].esco_uri for i in linker.skill_ids]
    return [
        (s, {u for i in row if (u := uris[i])}, k) for s, row in zip(sentences, top, strict=True)
    ]


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", action="store_true", help="also the MiniLM baseline")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    sentences = load_labelled()
    taxonomy = load_taxonomy()
    linker = SemanticLinker(taxonomy)  # built once (seconds), read by both rows below
    results = {
        "names": report("names only", extractor_rows(SkillExtractor(taxonomy), sentences)),
        "names+linker": report(
            "names + linker",
            extractor_rows(SkillExtractor(taxonomy, linker=linker), sentences),
        ),
        "static_top3": report("static model, top 3", static_rows(taxonomy, linker, sentences)),
    }
    if args.baseline:
        results["minilm_top3"] = report("MiniLM zero-shot top 3", baseline_rows(sentences))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
