"""The API's response and request bodies: what the OpenAPI schema promises."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from skillbridge_pipeline.core.store.dead_letters import DeadLetter


class Problem(BaseModel):
    detail: str


class Skill(BaseModel):
    skill_id: str
    name: str
    category: str
    skill_kind: str
    surface: str = Field(description="the words in the document")
    start_offset: int
    end_offset: int
    confidence: float
    requirement: str | None = None
    mentions: list[list[int]] = Field(description="[start, end] of every mention")
    method: Literal["name", "meaning"] = Field(
        "name", description="found by its name, or by the meaning of a sentence (the surface)"
    )


class Document(BaseModel):
    doc_id: str
    kind: Literal["resume", "jd"]
    filename: str | None
    source: str
    status: Literal["landed", "queued", "parsed", "extracted", "failed"]
    format: str | None
    title: str | None
    role_family: str | None
    seniority: str | None
    skill_count: int | None
    error: str | None
    error_stage: str | None = Field(None, description="landing | parse | extraction | batch")
    batch_key: str | None = Field(None, description="the batch (Dagster partition) it ran in")
    received_at: datetime


class Batch(BaseModel):
    """A document's batch: which run took it and how that run ended."""

    batch_key: str
    status: Literal["dispatched", "running", "done", "failed", "dead"]
    job_name: str | None
    run_id: str | None
    size: int
    error: str | None
    created_at: datetime


class DocumentWithSkills(Document):
    skills: list[Skill]
    batch: Batch | None = None


class DocumentPage(BaseModel):
    items: list[Document]
    total: int
    offset: int
    limit: int


class Evidence(BaseModel):
    model_config = ConfigDict(extra="allow")
    surface: str | None = None
    start: int | None = None
    end: int | None = None


class Gap(BaseModel):
    model_config = ConfigDict(extra="allow")
    skill_id: str
    name: str
    category: str
    priority_score: float
    priority_level: Literal["Critical", "High", "Medium", "Low"]
    coverage: Literal["Missing", "Partial", "Strong"]
    covered_by: Literal["same", "narrower", "meaning", "broader", "similar"] | None = Field(
        None,
        description="how the resume covers it: the same skill, a narrower one, a sentence"
        " that means it, only the broader one, or a similar skill",
    )
    also: list[str] = Field(default_factory=list, description="broader JD skills merged in")
    closest_resume_skill: dict[str, Any] | None = None
    jd_evidence: Evidence | None = None
    importance: float | None = None


class Analysis(BaseModel):
    model_config = ConfigDict(extra="allow")
    resume_id: str
    jd_id: str
    overall_match: float = Field(ge=0, le=1)
    model_version: str
    role_family: str | None = None
    seniority: str | None = None
    skill_gaps: list[Gap]
    matched_skills: list[Any]
    missing_skills: list[Any]
    partial_skills: list[Any]


class Roadmap(BaseModel):
    model_config = ConfigDict(extra="allow")
    resume_id: str
    jd_id: str
    mode: Literal["template", "llm", "fallback", "generic"]
    reason: str | None = None
    hours_per_week: int | None = None
    weeks: dict[str, dict[str, Any]] = Field(description="week1..week4")
    not_yet: list[str] = []


class ReportLink(BaseModel):
    url: str = Field(description="the report page's path with its signature; no token in it")
    expires_at: datetime


class Suggestion(BaseModel):
    original: str
    suggested: str
    reason: str
    skills: list[str]
    mode: str


class Suggestions(BaseModel):
    resume_id: str
    jd_id: str
    suggestions: list[Suggestion]


class RequestStatus(BaseModel):
    request_id: str
    resume_id: str
    jd_id: str
    session_id: str | None
    status: Literal["queued", "running", "done", "failed"]
    error: str | None
    requested_at: datetime


class DeadLetterPage(BaseModel):
    items: list[DeadLetter]  # the store's own record
    offset: int
    limit: int


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    store: bool
    model_version: str | None
    problems: list[str]


class ChatQuestion(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    resume_id: str | None = Field(None, max_length=64)
    jd_id: str | None = Field(None, max_length=64)


class ChatAnswer(BaseModel):
    resume_id: str
    jd_id: str
    answer: str


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=128, description="who or what it is for")
    session_id: str | None = Field(
        default=None, min_length=1, max_length=128, description="omit: a new, unguessable one"
    )


class TokenCreated(BaseModel):
    id: int
    name: str
    scope: str
    session_id: str
    secret: str = Field(description="shown once; only its hash is kept")
