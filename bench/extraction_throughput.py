"""Skill extraction throughput: SkillSpan dev postings, repeated to at least 1,000, one process.

Target: >= 347 postings/s on the 2-core reference machine, the figure of the 9,730-skill
extractor before the full ESCO knowledge pillar and posting names joined the taxonomy. These
machines differ and are noisy, so that extractor (commit 88a82f7^, checked out with `git
archive`) is also measured in the same run, in rounds alternating with the current code, each in
a fresh process, timed in CPU seconds: the ratio to it is the figure that carries from one
machine to another. Prints both rates and ratios, the taxonomy's load time and memory, and the
time of two large texts; then the same postings with the semantic linker on (names + meaning,
as every door of the product extracts), one at a time and as one batch, its build time, and its
cost as a ratio to names only.
Run: .venv/bin/python bench/extraction_throughput.py [--baseline-rev REV | --baseline-path DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from skillbridge_pipeline.core.skills.extraction import SkillExtractor
from skillbridge_pipeline.core.skills.linker import SemanticLinker
from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy

TARGET_PER_SECOND = 347
BASELINE_REV = "88a82f7^"
ROOT = Path(__file__).resolve().parents[1]
POSTINGS = ROOT.parent / "shared" / "data" / "skillspan" / "postings-train-dev.jsonl"
# Run in a fresh process with the checkout to measure as its working directory (and nothing
# else on the path), so each side imports its own package and taxonomy.
MEASURE = """
import json, sys, time
try:
    from skillbridge_pipeline.core.skills.extraction import SkillExtractor
    from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy
except ImportError:  # the layout before the skills modules moved into core/skills
    from skillbridge_pipeline.core.extraction import SkillExtractor
    from skillbridge_pipeline.core.taxonomy import load_taxonomy
texts = json.load(sys.stdin)
extractor = SkillExtractor(load_taxonomy())
extractor.extract(texts[0], kind="jd")
started = time.process_time()  # CPU time: less of the noise of a shared machine
for text in texts:
    extractor.extract(text, kind="jd")
print(len(texts) / (time.process_time() - started))
"""


def postings(path: Path, minimum: int) -> list[str]:
    dev = [json.loads(line)["text"] for line in path.open() if '"dev"' in line]
    return (dev * (minimum // len(dev) + 1))[: max(minimum, len(dev))]


def rate_of(checkout: Path, texts: list[str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=checkout,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout)},
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def archived(rev: str, into: Path) -> Path:
    """`rev`'s package and taxonomy, as `git archive` gives them."""
    tar = subprocess.run(
        ["git", "archive", rev, "skillbridge_pipeline", "data/taxonomy"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(into, filter="data")
    return into


def in_process(texts: list[str]) -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    taxonomy = load_taxonomy()
    extractor = SkillExtractor(taxonomy)
    load_seconds = time.perf_counter() - started
    load_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    extractor.extract(texts[0], kind="jd")  # warm
    started = time.process_time()
    skills = sum(len(extractor.extract(text, kind="jd")) for text in texts)
    seconds = time.process_time() - started
    rate = len(texts) / seconds
    chars = sum(map(len, texts)) / len(texts)
    print(
        f"extraction: {len(texts)} postings (mean {chars:.0f} chars) in {seconds:.2f} s of CPU "
        f"= {rate:.0f} postings/s, {skills} skills; "
        f"ratio to target ({TARGET_PER_SECOND}/s): {rate / TARGET_PER_SECOND:.2f}x"
    )
    print(
        f"taxonomy: {len(taxonomy)} skills, loaded and indexed in {load_seconds:.2f} s, "
        f"{load_mib:.0f} MiB"
    )
    # Linear in text size: 1 MB of a skill list, and 5 MB of a posting, in one document each.
    for label, text in [
        ("1 MB list", "Python, Go, " * (1_000_000 // 12)),
        ("5 MB posting", (texts[0] + "\n") * (5_000_000 // (len(texts[0]) + 1))),
    ]:
        started = time.perf_counter()
        found = extractor.find_mentions(text, kind="jd")
        print(f"{label}: {len(found)} mentions in {time.perf_counter() - started:.2f} s")
    linked_rate(taxonomy, texts, rate)


def linked_rate(taxonomy, texts: list[str], names_rate: float) -> None:
    """Names + meaning on the same postings, in the same process and run."""
    started = time.perf_counter()
    extractor = SkillExtractor(taxonomy, linker=SemanticLinker(taxonomy))
    build_seconds = time.perf_counter() - started
    extractor.extract(texts[0], kind="jd")
    started = time.process_time()
    found = [extractor.extract(text, kind="jd") for text in texts]
    seconds = time.process_time() - started
    rate = len(texts) / seconds
    linked = sum(s.method == "meaning" for skills in found for s in skills)
    print(
        f"with the linker, one posting at a time (as `analyze`): {rate:.0f} postings/s "
        f"({linked} skills by meaning), {rate / names_rate:.2f}x names only in the same run; "
        f"ratio to target ({TARGET_PER_SECOND}/s): {rate / TARGET_PER_SECOND:.2f}x; linker "
        f"built in {build_seconds:.1f} s"
    )
    started = time.process_time()
    batched = extractor.extract_many([(text, "jd") for text in texts])
    rate = len(texts) / (time.process_time() - started)
    same = [[(s.skill_id, s.start, s.end, s.method) for s in f] for f in found] == [
        [(s.skill_id, s.start, s.end, s.method) for s in f] for f in batched
    ]
    pairs = [
        (a, b)
        for f, g in zip(found, batched, strict=True)
        for a, b in zip(f, g, strict=False)  # unequal lists are reported by `same`
    ]
    drift = max((abs(a.confidence - b.confidence) for a, b in pairs), default=0.0)
    print(
        f"with the linker, the {len(texts)} postings as one batch (as the pipeline): "
        f"{rate:.0f} postings/s, {rate / names_rate:.2f}x names only in the same run; ratio to "
        f"target: {rate / TARGET_PER_SECOND:.2f}x; same skills and evidence as one at a time: "
        f"{same} (confidences within {drift:.4f}: float sums in another order)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=Path, default=POSTINGS)
    parser.add_argument("--minimum", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--baseline-path", type=Path, help="a checkout to compare instead")
    args = parser.parse_args()
    texts = postings(args.postings, args.minimum)
    in_process(texts)
    with tempfile.TemporaryDirectory() as scratch:
        baseline = args.baseline_path or archived(args.baseline_rev, Path(scratch))
        current, before = [], []
        for _ in range(args.rounds):
            current.append(rate_of(ROOT, texts))
            before.append(rate_of(baseline, texts))
    now, then = statistics.median(current), statistics.median(before)
    print(
        f"same run, {args.rounds} alternating rounds (median postings/s): current {now:.0f}, "
        f"the 9,730-skill extractor {then:.0f}; ratio to it {now / then:.2f}x "
        f"(rounds: {', '.join(f'{c:.0f}/{b:.0f}' for c, b in zip(current, before, strict=True))})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
