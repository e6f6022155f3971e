"""Every job of the code location: what one run materialises, retried and dead-lettered alike.

Selections name asset keys as written, so each job's slice of the lineage reads here. A document
job runs one batch of its kind; the sensors choose the job (`sensors/dispatch.py`).
"""

from dagster import define_asset_job

from skillbridge_pipeline.hooks import PAGE_RETRIES, TRANSIENT_RETRIES, record_dead_letter

_RETRIED = {"hooks": {record_dead_letter}, "op_retry_policy": TRANSIENT_RETRIES}

RESUMES_JOB = define_asset_job(
    "resumes_job",
    selection=["raw_resumes", "resume_texts", "resume_skills", "skill_embeddings"],
    description="Land, parse, extract and embed skills of a batch of resumes.",
    **_RETRIED,
)
JDS_JOB = define_asset_job(
    "jds_job",
    selection=["raw_jds", "jd_texts", "jd_skills", "skill_embeddings"],
    description="Land, parse, extract and embed skills of a batch of jds.",
    **_RETRIED,
)
DOCUMENT_JOBS = {"resume": RESUMES_JOB, "jd": JDS_JOB}

GAPS_JOB = define_asset_job(
    "gaps_job",
    selection=["gap_features", "skill_gaps", "roadmaps"],
    description="Features, scores and roadmaps for a batch of analysis requests.",
    **_RETRIED,
)
# New resumes that arrive with their requests (the JD already extracted) are extracted and
# scored in one run: same partition, one launch, no wait for the analysis sensor.
RESUMES_AND_GAPS_JOB = define_asset_job(
    "resumes_and_gaps_job",
    selection=[
        "raw_resumes",
        "resume_texts",
        "resume_skills",
        "skill_embeddings",
        "gap_features",
        "skill_gaps",
        "roadmaps",
    ],
    description="Extract a batch of new resumes and score the requests that wait on them.",
    **_RETRIED,
)
JD_PAGES_JOB = define_asset_job(
    "jd_pages_job",
    selection=["jd_pages"],
    hooks={record_dead_letter},
    op_retry_policy=PAGE_RETRIES,
    description="Fetch the JD pages a batch of analysis requests names by URL.",
)
TRAIN_GAP_MODEL_JOB = define_asset_job(
    "train_gap_model_job",
    selection=["skill_vectors", "gap_training_examples", "gap_model", "learning_resources"],
    description="Embed the taxonomy, build training examples and train the gap model; embed "
    "the learning-resource catalog.",
    **_RETRIED,
)

ALL_JOBS = [
    *DOCUMENT_JOBS.values(),
    RESUMES_AND_GAPS_JOB,
    GAPS_JOB,
    JD_PAGES_JOB,
    TRAIN_GAP_MODEL_JOB,
]
