"""Skill extraction throughput: SkillSpan dev postings, repeated to at least 1,000, one process.

Target: >= 200 postings/s on the 2-core reference machine. Prints the figure and its ratio
to the target. Run: .venv/bin/python bench/extraction_throughput.py
"""

import json
import sys
import time
from pathlib import Path

from skillbridge_pipeline.core.extraction import SkillExtractor
from skillbridge_pipeline.core.taxonomy import load_taxonomy

TARGET_PER_SECOND = 200
POSTINGS = Path(__file__).parents[2] / "shared" / "data" / "skillspan" / "postings-train-dev.jsonl"


def main(path: Path = POSTINGS, minimum: int = 1000) -> None:
    dev = [json.loads(line) for line in path.open() if '"dev"' in line]
    dev = [p["text"] for p in dev]
    texts = (dev * (minimum // len(dev) + 1))[: max(minimum, len(dev))]
    started = time.perf_counter()
    extractor = SkillExtractor(load_taxonomy())
    load_seconds = time.perf_counter() - started
    extractor.extract(texts[0], kind="jd")  # warm
    started = time.perf_counter()
    skills = sum(len(extractor.extract(text, kind="jd")) for text in texts)
    seconds = time.perf_counter() - started
    rate = len(texts) / seconds
    chars = sum(map(len, texts)) / len(texts)
    print(
        f"extraction: {len(texts)} postings (mean {chars:.0f} chars) in {seconds:.2f} s "
        f"= {rate:.0f} postings/s, {skills} skills; taxonomy load {load_seconds:.2f} s"
    )
    print(f"ratio to target ({TARGET_PER_SECOND}/s): {rate / TARGET_PER_SECOND:.2f}x")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else POSTINGS)
