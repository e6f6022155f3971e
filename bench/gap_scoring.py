"""Scoring 1,000 requested (resume, JD) pairs in one run of the `skill_gaps` asset.

250 resumes (real O*NET occupation profiles written out as resumes) x 4 JDs (SkillSpan dev
postings), documents parsed and extracted by the real code, one `gaps_job` run over the range
of the 250 resume partitions. Run 1 embeds the skills it has not seen; run 2 re-scores the same
pairs warm and must embed nothing. Target: >= 500 pairs/s warm on the 2-core machine.
Prints pairs/s for the whole run and for the scoring loop alone, phrases embedded, peak memory.
Run: .venv/bin/python bench/gap_scoring.py
"""

import json
import random
import resource
import tempfile
import time
from pathlib import Path

from dagster import AssetKey, instance_for_test

from skillbridge_pipeline.core.documents.batches import new_batch_key
from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.documents.processing import TextOutcome, extract_one
from skillbridge_pipeline.core.skills.market import occupation_profiles
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import execute
from skillbridge_pipeline.resources import embedded_resources

TARGET = 500
POSTINGS = Path(__file__).parents[2] / "shared" / "data" / "skillspan" / "postings-train-dev.jsonl"


def add_documents(store, extractor, kind, texts):
    ids = []
    for text in texts:
        doc_id = document_id(text.encode())
        store.land(
            kind,
            doc_id,
            filename=f"{doc_id}.txt",
            size_bytes=len(text),
            source="bench",
            landing_path="-",
        )
        outcome = extract_one(
            TextOutcome(doc_id, kind, "parsed", "text", 1, text, len(text)), extractor
        )
        store.replace_skills(
            kind,
            [
                {
                    "doc_id": doc_id,
                    "skills": outcome.skills,
                    "title": outcome.title,
                    "role_family": outcome.role_family,
                    "seniority": outcome.seniority,
                }
            ],
        )
        ids.append(doc_id)
    return ids


def main(resumes: int = 250, jds_per_resume: int = 4, dagster_postgres: str | None = None) -> None:
    """`dagster_postgres`: a PostgreSQL URL for Dagster's own storage (default: SQLite)."""
    storage = "PostgreSQL" if dagster_postgres else "SQLite"
    print(f"== {resumes} resumes x {jds_per_resume} JDs each; Dagster storage: {storage}")
    overrides = (
        {"storage": {"postgres": {"postgres_url": dagster_postgres}}} if dagster_postgres else None
    )
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, instance_for_test(overrides=overrides) as instance:
        resources = embedded_resources(Path(tmp))
        defs = build_definitions(resources)
        started = time.perf_counter()
        assert execute(instance, defs, "train_gap_model_job")[1]
        print(f"(setup: gap model trained in {time.perf_counter() - started:.0f} s)")
        store = resources["results_store"]
        from skillbridge_pipeline.core.skills.extraction import SkillExtractor
        from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy
        from skillbridge_pipeline.core.store import ResultsStore

        taxonomy = load_taxonomy()
        extractor = SkillExtractor(taxonomy)
        results = ResultsStore(store.url)
        profiles = [p for p in occupation_profiles(taxonomy).values() if len(p) >= 10]
        resume_texts = []
        for i in range(resumes):
            chosen = rng.sample(rng.choice(profiles), 10)
            names = ", ".join(taxonomy.skills[s].name for s in chosen)
            resume_texts.append(f"Candidate {i}\nExperience with {names}.\nFluent English.\n")
        dev = [json.loads(line)["text"] for line in POSTINGS.open() if '"dev"' in line]
        resume_ids = add_documents(results, extractor, "resume", resume_texts)
        jd_ids = add_documents(results, extractor, "jd", dev[: max(jds_per_resume, 8)])
        batch = new_batch_key("analysis")
        instance.add_dynamic_partitions("batches", [batch])
        request_ids = []
        for r in resume_ids:
            for j in rng.sample(jd_ids, jds_per_resume):
                request_ids.append(f"{r}{j}"[:32])
                results.add_request(request_ids[-1], r, j, None, source="bench")
        pairs = results.claim_requests(request_ids, batch, new_batch_job="gaps_job")
        for label in ("run 1 (cold: embeds new skills)", "run 2 (warm: same documents)"):
            before = _embedded(results)
            started = time.perf_counter()
            run_id, ok = execute(instance, defs, "gaps_job", batch)
            seconds = time.perf_counter() - started
            assert ok, run_id
            step = _step_seconds(instance, run_id)
            embedded = _embedded(results) - before
            event = instance.get_latest_materialization_event(AssetKey("skill_gaps"))
            model_seconds = event.asset_materialization.metadata["scoring_seconds"].value
            event = instance.get_latest_materialization_event(AssetKey("gap_features"))
            feature_seconds = event.asset_materialization.metadata["seconds"].value
            # What "scoring" measured before features became their own asset: both parts.
            scoring = feature_seconds + model_seconds
            print(
                f"{label}: {pairs} pairs; scoring {scoring:.2f} s = {pairs / scoring:.0f} "
                f"pairs/s (features {feature_seconds:.2f} s in gap_features, model and "
                f"results {model_seconds:.2f} s in skill_gaps); all steps {step:.2f} s = "
                f"{pairs / step:.0f} pairs/s; run wall {seconds:.2f} s = "
                f"{pairs / seconds:.0f} pairs/s; phrases embedded {embedded}"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"ratio to target ({TARGET}/s), warm: scoring {pairs / scoring / TARGET:.2f}x, "
            f"whole step {pairs / step / TARGET:.2f}x; peak memory {peak:.0f} MiB "
            f"(this process, model training included)"
        )


def _embedded(store) -> int:
    from sqlalchemy import func, select

    from skillbridge_pipeline.core.store.embeddings import skill_embeddings

    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(skill_embeddings)).scalar()


def _step_seconds(instance, run_id) -> float:
    stats = instance.get_run_step_stats(run_id)
    return sum((s.end_time or 0) - (s.start_time or 0) for s in stats)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--resumes", type=int, default=250)
    parser.add_argument("--jds-per-resume", type=int, default=4)
    parser.add_argument("--dagster-postgres", help="PostgreSQL URL for Dagster's storage")
    args = parser.parse_args()
    main(args.resumes, args.jds_per_resume, args.dagster_postgres)
