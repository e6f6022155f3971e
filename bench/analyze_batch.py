"""`skillbridge analyze --batch` over 400 pairs, warm: the whole answer (gaps, roadmap,
suggestions) per pair, in one process, through the command's own code path.

Pairs: 5 sample resumes x 80 job descriptions (SkillSpan dev and train postings written as
files). Warm means the model, the taxonomy and the catalog's Chroma collection are loaded by a
first, untimed batch of other files; the timed batch still parses and extracts each of its 85
files once. Target: >= 20 pairs/s on the 2-core machine.
Run: .venv/bin/python bench/analyze_batch.py [--home DIR] (a home with a trained model is
reused; a fresh one trains it first, about a minute)
"""

import argparse
import contextlib
import io
import json
import tempfile
import time
from pathlib import Path

from skillbridge_pipeline.cli import _analyze_batch
from skillbridge_pipeline.local import LocalPipeline

TARGET_PER_SECOND = 20
POSTINGS = Path(__file__).parents[2] / "shared" / "data" / "skillspan" / "postings-train-dev.jsonl"
RESUMES = sorted((Path(__file__).parents[1] / "data" / "samples" / "resumes").iterdir())


def pairs_file(folder: Path, postings: list[str], prefix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, text in enumerate(postings):
        jd = folder / f"{prefix}-{n}.txt"
        jd.write_text(text, encoding="utf-8")
        lines += [
            json.dumps({"id": f"{prefix}-{n}-{r.stem}", "resume": str(r), "jd": str(jd)})
            for r in RESUMES
        ]
    path = folder / f"{prefix}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(pipeline: LocalPipeline, path: Path, out: Path) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        assert _analyze_batch(pipeline, path, str(out)) == 0
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--home", help="a SkillBridge home with a trained model")
    args = options.parse_args()
    texts = [json.loads(line)["text"] for line in POSTINGS.open(encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pipeline = LocalPipeline(Path(args.home) if args.home else root / "home")
        run(pipeline, pairs_file(root / "warm", texts[-8:], "warm"), root / "warm.jsonl")
        timed = pairs_file(root / "timed", texts[:80], "timed")
        seconds = run(pipeline, timed, root / "out.jsonl")
        results = [json.loads(line) for line in (root / "out.jsonl").open()]
        errors = [r for r in results if "error" in r]
        assert len(results) == 400 and not errors, errors[:3]
        assert all(r["roadmap"]["weeks"] and "analysis" in r for r in results)
        rate = len(results) / seconds
        print(
            f"analyze --batch: {len(results)} pairs in {seconds:.1f} s = {rate:.1f} pairs/s; "
            f"{rate / TARGET_PER_SECOND:.2f}x the target {TARGET_PER_SECOND}/s"
        )


if __name__ == "__main__":
    main()
