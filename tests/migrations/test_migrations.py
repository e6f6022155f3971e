"""A results store made by release 1 (before migrations) upgrades in place, rows intact, on
SQLite and on the PostgreSQL server; a new store is created at the head revision."""

import uuid

import pytest
from conftest import POSTGRES_ADMIN_URL
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    inspect,
    text,
)

from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.migrations import HEAD, VERSION_TABLE

pytestmark = pytest.mark.postgres

# The two tables this upgrade changes, as release 1 (commit fd8743f) defined them.
release_1 = MetaData()
Table(
    "documents",
    release_1,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),
    Column("doc_id", String(64), nullable=False),
    Column("filename", String(512)),
    Column("size_bytes", Integer),
    Column("source", String(32), nullable=False),
    Column("landing_path", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("format", String(16)),
    Column("error_stage", String(32)),
    Column("error", Text),
    Column("batch_run_key", String(128)),
    Column("dispatched_at", DateTime(timezone=True)),
    Column("failure_run_key", String(128)),
    Column("text_chars", Integer),
    Column("skill_count", Integer),
    Column("title", String(256)),
    Column("role_family", String(32)),
    Column("seniority", String(16)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "doc_id", name="uq_documents_kind_doc"),
)
Table(
    "analysis_requests",
    release_1,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(64), nullable=False, unique=True),
    Column("resume_id", String(64), nullable=False, index=True),
    Column("jd_id", String(64), nullable=False),
    Column("session_id", String(128)),
    Column("source", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("run_key", String(128)),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

Table(
    "api_tokens",
    release_1,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'release1.db'}"
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"skillbridge_migration_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def version(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def test_a_release_1_store_upgrades_in_place(empty_database):
    old = create_engine(empty_database)
    release_1.create_all(old)
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO documents (kind, doc_id, source, landing_path, status, "
                "batch_run_key, received_at, updated_at) VALUES ('resume', 'a1', 'inbox', '/x', "
                "'extracted', 'resume-landed-1-1', :t, :t), ('resume', 'a2', 'inbox', '/y', "
                "'landed', NULL, :t, :t)"
            ),
            {"t": "2026-06-01T00:00:00+00:00"},
        )
        conn.execute(
            text(
                "INSERT INTO analysis_requests (request_id, resume_id, jd_id, source, status, "
                "run_key, requested_at, updated_at) VALUES ('r1', 'a1', 'j1', 'inbox', 'done', "
                "'gaps-1', :t, :t)"
            ),
            {"t": "2026-06-01T00:00:00+00:00"},
        )
    old.dispose()

    store = ResultsStore(empty_database)
    store.create_schema()
    assert version(store.engine) == HEAD
    columns = {c["name"] for c in inspect(store.engine).get_columns("documents")}
    assert {"batch_key", "batch_run_key"} <= columns  # added; the old one left unused
    assert inspect(store.engine).has_table("batches")
    assert store.get_document("resume", "a1")["status"] == "extracted"  # rows intact
    assert store.get_request("r1").status == "done" and store.get_request("r1").batch_key is None
    assert store.get_request("r1").jd_url is None  # added by 0004
    # The upgraded store works as a new one: the landed document is claimed into a batch.
    [claimed] = store.claim_documents("resume", "resume-after-upgrade", 10, "resumes_job")
    assert claimed.doc_id == "a2" and store.get_batch("resume-after-upgrade").size == 1
    store.create_schema()  # at head: nothing more to do
    assert version(store.engine) == HEAD
    store.dispose()


def test_release_1_tokens_keep_working_and_can_now_be_bound_to_a_session(empty_database):
    import hashlib

    from skillbridge_pipeline.core.store import tokens

    old = create_engine(empty_database)
    release_1.create_all(old)
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO api_tokens (name, token_hash, scope, created_at) "
                "VALUES ('service', :hash, 'read', :t)"
            ),
            {"hash": hashlib.sha256(b"sb_old").hexdigest(), "t": "2026-06-01T00:00:00+00:00"},
        )
    old.dispose()
    store = ResultsStore(empty_database)
    store.create_schema()
    assert "session_id" in {c["name"] for c in inspect(store.engine).get_columns("api_tokens")}
    service = tokens.verify(store, "sb_old")
    assert service.name == "service" and service.session_id is None  # the old token, intact
    bound, secret = tokens.create(store, "browser", "read", tokens.new_session_id())
    assert tokens.verify(store, secret).session_id == bound.session_id
    store.dispose()


def test_a_new_store_is_created_at_head(empty_database):
    store = ResultsStore(empty_database)
    store.create_schema()
    assert version(store.engine) == HEAD
    assert {"batches", "document_texts", "dead_letters"} <= set(
        inspect(store.engine).get_table_names()
    )
    store.dispose()
