"""The skill data and models: `skillbridge build-taxonomy`, `build-linker`, `train` (the
gap-priority model) and `extract-skills` (the extractor on JSON lines)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from skillbridge_pipeline.settings import skillbridge_home


def cmd_extract_skills(args: argparse.Namespace) -> int:
    """JSON lines {"id", "text", "kind"} in; {"id", "skills": [...]} out, one per input."""
    from skillbridge_pipeline.core.skills.extraction import build_extractor

    extractor = build_extractor(min_confidence=args.min_confidence, link_by_meaning=args.by_meaning)
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, kind = item["text"], item.get("kind", "jd")
            if not isinstance(text, str):
                raise TypeError(f'"text" must be a string, not {type(text).__name__}')
        except (json.JSONDecodeError, RecursionError, KeyError, TypeError) as error:
            detail = f"no {error}" if isinstance(error, KeyError) else str(error)
            print(
                f"line {number}: expected a JSON object with id and text ({detail})",
                file=sys.stderr,
            )
            return 2
        # One row per distinct way each skill is written ("amazon-web-services", then "AWS"):
        # every surface is evidence, with the offsets of its first mention. A skill found by
        # meaning is written as its name: its evidence is a whole sentence, no span.
        skills = [
            {
                "id": s.skill_id,
                "name": s.name,
                "category": s.category,
                "surface": surface if s.method == "name" else s.name,
                "start": start,
                "end": end,
                "confidence": s.confidence,
                "method": s.method,
                **({"requirement": s.requirement} if s.requirement else {}),
            }
            for s in extractor.extract(text, kind="jd" if kind == "jd" else "resume")
            for surface, start, end in s.evidence
        ]
        out.write(json.dumps({"id": item.get("id"), "skills": skills}) + "\n")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from skillbridge_pipeline.local import LocalPipeline

    summary = LocalPipeline(skillbridge_home()).train()
    print(
        json.dumps(
            {
                "version": summary.version,
                "metrics": summary.metrics,
                "seconds": round(summary.seconds, 1),
            },
            indent=2,
        )
    )
    return 0


def cmd_build_taxonomy(args: argparse.Namespace) -> int:
    from skillbridge_pipeline.core.skills.taxonomy import DEFAULT_TAXONOMY_DIR
    from skillbridge_pipeline.core.skills.taxonomy_build import build_taxonomy

    shared = Path(args.shared)
    if not (shared / "onet").is_dir() or not (shared / "esco-full").is_dir():
        print(
            f"{shared} does not hold the shared datasets (onet/, esco-full/, ...)", file=sys.stderr
        )
        return 2
    skills = build_taxonomy(shared, Path(args.out or DEFAULT_TAXONOMY_DIR), progress=True)
    print(f"wrote {len(skills)} skills to {args.out or DEFAULT_TAXONOMY_DIR}")
    return 0


def cmd_build_linker(args: argparse.Namespace) -> int:
    from skillbridge_pipeline.core.skills.linker import MODEL_DIR
    from skillbridge_pipeline.core.skills.linker_build import (
        build_model,
        fit_calibration,
        train_adapter,
    )
    from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    if args.force or not (MODEL_DIR / "model.safetensors").exists():
        print("distilling the linker's static model from all-MiniLM-L6-v2 (about a minute)")
        build_model(taxonomy)
    if args.train:
        print(f"adapter: {train_adapter(taxonomy, Path(args.train))}")
    if args.calibrate:
        print(f"calibration: {fit_calibration(taxonomy)}")
    print(f"linker model at {MODEL_DIR}")
    return 0
