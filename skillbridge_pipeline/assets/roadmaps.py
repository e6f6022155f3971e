"""The learning-resource catalog in Chroma, and the roadmaps and resume-enhancer suggestions
of each analysis a batch scored."""

import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, Output, asset

from skillbridge_pipeline.assets.gaps import analyses_table
from skillbridge_pipeline.core.roadmaps import llm
from skillbridge_pipeline.core.roadmaps.catalog import COLLECTION, load_catalog
from skillbridge_pipeline.core.roadmaps.engine import offered_resources
from skillbridge_pipeline.core.roadmaps.enhancer import enhance
from skillbridge_pipeline.partitions import BATCHES
from skillbridge_pipeline.resources import (
    EmbeddingResource,
    LlmResource,
    ResultsStoreResource,
    SkillExtractorResource,
    VectorStoreResource,
)

ROADMAP_COLUMNS = ["resume_id", "jd_id", "mode", "week", "focus_skills", "resources"]


@asset(group_name="roadmaps", kinds={"chroma"})
def learning_resources(
    results_store: ResultsStoreResource,
    embeddings: EmbeddingResource,
    vectors: VectorStoreResource,
) -> MaterializeResult:
    """Every catalog resource's title and section embedded (phrase cache) and upserted into
    the `resources` collection, where roadmaps look up the resources about each skill."""
    catalog = load_catalog() or []
    cache = embeddings.cache()
    index = vectors.resource_index(catalog)
    with results_store.store.exclusive(COLLECTION):  # not beside a first roadmap's fill
        size = index.fill(cache.matrix)
    sources: dict[str, int] = {}
    for resource in catalog:
        sources[resource.source] = sources.get(resource.source, 0) + 1
    return MaterializeResult(
        metadata={
            "resources": len(catalog),
            "collection_size": size,
            "newly_embedded": cache.embedded,
            "by_source": MetadataValue.json(sources),
        }
    )


@asset(
    partitions_def=BATCHES,
    group_name="analyses",
    kinds={"pandas"},
    deps=["skill_gaps", learning_resources],
)
def roadmaps(
    context: AssetExecutionContext,
    results_store: ResultsStoreResource,
    skill_extractor: SkillExtractorResource,
    embeddings: EmbeddingResource,
    vectors: VectorStoreResource,
    llm_client: LlmResource,
) -> Output[pd.DataFrame]:
    """A 4-week roadmap per analysis scored in this batch (LLM when configured, templates
    otherwise), citing catalog resources found on-topic for each gap, and the enhancer's
    checked rewrites of the resume toward the JD's terms.
    Partitions: every batch (shared with the document batches): only analysis batches and
    new-resume batches with waiting requests fill here, so "% filled" counts the others."""
    store = results_store.store
    batch = context.partition_key
    catalog = load_catalog()
    cache = embeddings.cache()
    index = vectors.resource_index(catalog or [])
    if catalog:
        # a fresh Chroma is filled once, here, by the first of the runs that find it empty
        index.ensure_filled(cache.matrix, store.exclusive)
    pairs = {(r.resume_id, r.jd_id) for r in store.requests_in_batch(batch) if r.status == "done"}
    analyses = store.analyses_for_pairs(pairs)
    offered = offered_resources(analyses, index, cache.matrix) if catalog else None
    resume_text = store.texts("resume", (resume_id for resume_id, _ in pairs))
    resume_skills = store.skills_many("resume", (a["resume_id"] for a in analyses))
    jd_skills = store.skills_many("jd", (a["jd_id"] for a in analyses))
    saved, table, modes = [], [], {}
    for analysis in analyses:
        resume_id, jd_id = analysis["resume_id"], analysis["jd_id"]
        plan = llm.roadmap(analysis, offered, llm_client.settings, llm_client.hours_per_week)
        suggestions = enhance(
            resume_text.get(resume_id, ""),
            resume_skills[resume_id],
            jd_skills[jd_id],
            skill_extractor.extractor,
            llm_client.settings,
        )
        saved.append(
            {"resume_id": resume_id, "jd_id": jd_id, "roadmap": plan, "suggestions": suggestions}
        )
        modes[plan["mode"]] = modes.get(plan["mode"], 0) + 1
        for week, content in plan["weeks"].items():
            table.append(
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
    store.update_batch(batch, status="done")
    return Output(
        pd.DataFrame(table, columns=ROADMAP_COLUMNS),
        metadata={
            "roadmaps": len(saved),
            **{f"mode_{m}": n for m, n in modes.items()},
            "analyses_table": analyses_table(store, pairs),
        },
    )
