"""Skill extraction throughput: SkillSpan dev postings, repeated to at least 1,000, one process.

Target: >= 347 postings/s on the 2-core reference machine (the figure of the 9,730-skill
taxonomy before the full ESCO knowledge pillar and posting names joined it). Prints the figure,
its ratio to the target, and the taxonomy's load time and memory.
Run: .venv/bin/python bench/extraction_throughput.py
"""

import json
import resource
import sys
import time
from pathlib import Path

from skillbridge_pipeline.core.skills.extraction import SkillExtractor
from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy

TARGET_PER_SECOND = 347
POSTINGS = Path(__file__).parents[2] / "shared" / "data" / "skillspan" / "postings-train-dev.jsonl"


def main(path: Path = POSTINGS, minimum: int = 1000) -> None:
    dev = [json.loads(line) for line in path.open() if '"dev"' in line]
    dev = [p["text"] for p in dev]
    texts = (dev * (minimum // len(dev) + 1))[: max(minimum, len(dev))]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    taxonomy = load_taxonomy()
    extractor = SkillExtractor(taxonomy)
    load_seconds = time.perf_counter() - started
    load_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    extractor.extract(texts[0], kind="jd")  # warm
    started = time.perf_counter()
    skills = sum(len(extractor.extract(text, kind="jd")) for text in texts)
    seconds = time.perf_counter() - started
    rate = len(texts) / seconds
    chars = sum(map(len, texts)) / len(texts)
    print(
        f"extraction: {len(texts)} postings (mean {chars:.0f} chars) in {seconds:.2f} s "
        f"= {rate:.0f} postings/s, {skills} skills"
    )
    print(
        f"taxonomy: {len(taxonomy)} skills, loaded and indexed in {load_seconds:.2f} s, "
        f"{load_mib:.0f} MiB"
    )
    print(f"ratio to target ({TARGET_PER_SECOND}/s): {rate / TARGET_PER_SECOND:.2f}x")
    # Linear in text size: 1 MB of a skill list, and 5 MB of a posting, in one document each.
    for label, text in [
        ("1 MB list", "Python, Go, " * (1_000_000 // 12)),
        ("5 MB posting", (texts[0] + "\n") * (5_000_000 // (len(texts[0]) + 1))),
    ]:
        started = time.perf_counter()
        found = extractor.find_mentions(text, kind="jd")
        print(f"{label}: {len(found)} mentions in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else POSTINGS)
