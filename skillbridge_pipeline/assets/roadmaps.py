"""Roadmaps and resume-enhancer suggestions, one per analysis, partitioned by resume like the
gaps they are built from."""

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, BackfillPolicy, Output, asset

from skillbridge_pipeline.assets.documents import DOCUMENT_PARTITIONS, records
from skillbridge_pipeline.core import llm
from skillbridge_pipeline.core.enhancer import enhance
from skillbridge_pipeline.core.roadmap import load_resources
from skillbridge_pipeline.resources import LlmResource, ResultsStoreResource, SkillExtractorResource

ROADMAP_COLUMNS = ["resume_id", "jd_id", "mode", "week", "focus_skills", "resources"]


@asset(
    partitions_def=DOCUMENT_PARTITIONS["resume"],
    backfill_policy=BackfillPolicy.single_run(),
    group_name="analyses",
    kinds={"pandas"},
    ins={"texts": AssetIn("resume_texts")},
    deps=["skill_gaps"],
)
def roadmaps(
    context: AssetExecutionContext,
    texts: dict[str, pd.DataFrame],
    results_store: ResultsStoreResource,
    skills: SkillExtractorResource,
    llm_client: LlmResource,
) -> Output[dict[str, pd.DataFrame]]:
    """A 4-week roadmap per scored analysis (LLM when configured, templates otherwise) and the
    enhancer's checked rewrites of the resume toward the JD's terms."""
    store = results_store.store
    library = load_resources()
    resume_text = {row["doc_id"]: row["text"] or "" for row in records(texts)}
    saved, frames, modes = [], {key: [] for key in context.partition_keys}, {}
    analyses = store.analyses_for_resumes(context.partition_keys)
    resume_skills = store.skills_many("resume", (a["resume_id"] for a in analyses))
    jd_skills = store.skills_many("jd", (a["jd_id"] for a in analyses))
    for analysis in analyses:
        resume_id, jd_id = analysis["resume_id"], analysis["jd_id"]
        plan = llm.roadmap(analysis, library, llm_client.settings, llm_client.hours_per_week)
        suggestions = enhance(
            resume_text.get(resume_id, ""),
            resume_skills[resume_id],
            jd_skills[jd_id],
            skills.extractor,
            llm_client.settings,
        )
        saved.append(
            {"resume_id": resume_id, "jd_id": jd_id, "roadmap": plan, "suggestions": suggestions}
        )
        modes[plan["mode"]] = modes.get(plan["mode"], 0) + 1
        for week, content in plan["weeks"].items():
            frames[resume_id].append(
                {
                    "resume_id": resume_id,
                    "jd_id": jd_id,
                    "mode": plan["mode"],
                    "week": week,
                    "focus_skills": ", ".join(content["focus_skills"]),
                    "resources": " ".join(r["url"] for r in content["resources"]),
                }
            )
    store.save_roadmaps(saved)
    return Output(
        {key: pd.DataFrame(rows, columns=ROADMAP_COLUMNS) for key, rows in frames.items()},
        metadata={"roadmaps": len(saved), **{f"mode_{m}": n for m, n in modes.items()}},
    )
