"""Are the resources roadmaps cite about the skill? Two figures, measured in one run:

1. On the labelled sample (`data/roadmaps/relevance_labels.csv`: 76 skills, each skill's six
   nearest catalog resources judged by hand), the precision of what a roadmap cites (at most 3
   a skill, relevance >= the threshold; target >= 0.90) and the recall of the threshold over
   the relevant ones, with a sweep of thresholds.
2. Over SkillSpan dev postings x two sample resumes, the share of roadmap focus skills with at
   least one on-topic resource: now, and by release 1's rule (a skill had its own resource
   only where a free-programming-books section named it; otherwise its category's first).

Run: .venv/bin/python bench/resource_relevance.py [--home DIR] (a home with a trained model
is reused; a fresh one trains it first, about a minute)
"""

import argparse
import csv
import json
import tempfile
from pathlib import Path

from tqdm import tqdm

from skillbridge_pipeline.core.roadmaps.catalog import LABELS_FILE, RELEVANCE_THRESHOLD
from skillbridge_pipeline.core.roadmaps.engine import learning_gaps
from skillbridge_pipeline.local import LocalDocument, LocalPipeline

TARGET_PRECISION = 0.90
DEV = Path(__file__).parents[2] / "shared" / "data" / "skillspan" / "postings-train-dev.jsonl"
RESUMES = Path(__file__).parents[1] / "data" / "samples" / "resumes"
SWEEP = (0.45, 0.50, 0.55, 0.60, 0.65)


def labelled_sample(pipeline: LocalPipeline) -> None:
    with LABELS_FILE.open(encoding="utf-8") as f:
        labels = list(csv.DictReader(f))
    relevant = {(r["skill_id"], r["url"]) for r in labels if r["relevant"] == "1"}
    skills = sorted({(r["skill_id"], r["skill"]) for r in labels})
    index = pipeline.resource_index()
    vectors = pipeline.cache.matrix
    print(f"labelled sample: {len(labels)} pairs, {len(skills)} skills, {len(relevant)} relevant")
    print("threshold  cited  precision  recall")
    for threshold in sorted({*SWEEP, RELEVANCE_THRESHOLD}):
        index.threshold = threshold
        cited = {
            (s, f.resource.url)
            for s, hits in index.for_skills(skills, vectors).items()
            for f in hits
        }
        above = {
            (s, f.resource.url)
            for s, hits in index.for_skills(skills, vectors, limit=10).items()
            for f in hits
        }
        precision = len(cited & relevant) / max(1, len(cited))
        recall = len(above & relevant) / len(relevant)
        mark = " <- shipped" if threshold == RELEVANCE_THRESHOLD else ""
        print(f"  {threshold:.2f}     {len(cited):>4}   {precision:.3f}      {recall:.3f}{mark}")
        if threshold == RELEVANCE_THRESHOLD:
            shipped = precision
    index.threshold = RELEVANCE_THRESHOLD
    print(
        f"precision of cited resources {shipped:.3f}: {shipped / TARGET_PRECISION:.2f}x the "
        f"target {TARGET_PRECISION}"
    )


def focus_coverage(pipeline: LocalPipeline) -> None:
    resumes = [
        pipeline.document(RESUMES / n, "resume")
        for n in ("ben_okafor_data.pdf", "ana_silva_backend.txt")
    ]
    postings = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    jds = []
    for raw in postings:
        if raw["split"] != "dev":
            continue
        found = [s.record() for s in pipeline.extractor.extract(raw["text"], kind="jd")]
        jds.append(LocalDocument(f"dev-{raw['idx']}", "dev", "jd", raw["text"], found))
    pairs = [(r, j) for j in jds for r in resumes]
    filed_fpb = {
        s
        for r in pipeline.resource_index().catalog.values()
        if r.source.startswith("free-programming-books")
        for s in r.filed_under
    }
    now = before = now_total = before_total = 0
    for start in tqdm(range(0, len(pairs), 64), desc="roadmaps", unit="chunk"):
        for answer in pipeline.answers(pairs[start : start + 64]):
            for week in answer["roadmap"]["weeks"].values():
                unvetted = {u["skill"] for u in week.get("unvetted", [])}
                learnt = [s for s in week["focus_skills"] if s in _names(answer)]
                now_total += len(learnt)
                now += sum(s not in unvetted for s in learnt)
            release_1 = learning_gaps(answer["analysis"])[:8]  # its 4 weeks x 2 skills
            before_total += len(release_1)
            before += sum(g["skill_id"] in filed_fpb for g in release_1)
    print(
        f"focus skills with an on-topic resource over {len(pairs)} analyses: "
        f"now {now}/{now_total} = {now / max(1, now_total):.3f}, release 1 "
        f"{before}/{before_total} = {before / max(1, before_total):.3f}"
    )


def _names(answer: dict) -> set[str]:
    return {g["name"] for g in answer["analysis"]["skill_gaps"]}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--home", help="a SkillBridge home with a trained model")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = LocalPipeline(Path(args.home or tmp))
        labelled_sample(pipeline)
        focus_coverage(pipeline)


if __name__ == "__main__":
    main()
