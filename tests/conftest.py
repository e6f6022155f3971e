"""Shared fixtures: the real taxonomy, real PostgreSQL, real PDFs, a temporary Dagster home."""

from __future__ import annotations

import io
import os
import shutil
import uuid
from pathlib import Path

import pytest
from dagster import AssetKey, instance_for_test
from sqlalchemy import create_engine, text

from skillbridge_pipeline.core.gaps.embeddings import Embedder
from skillbridge_pipeline.core.skills.extraction import SkillExtractor
from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import execute
from skillbridge_pipeline.resources import embedded_resources
from skillbridge_pipeline.settings import PROJECT_ROOT

# One extracted skill as the extractor's `FoundSkill.record()` gives it (store and checks tests).
PYTHON_SKILL = {
    "skill_id": "python",
    "name": "Python",
    "category": "programming_languages",
    "skill_kind": "technology",
    "surface": "Python",
    "start": 0,
    "end": 6,
    "confidence": 0.9,
    "requirement": "required",
    "mentions": [[0, 6]],
}
# Where tests find the project's sample documents and the shared datasets beside the checkout.
SAMPLES = PROJECT_ROOT / "data" / "samples"
SHARED = PROJECT_ROOT.parent / "shared"
POSTGRES_ADMIN_URL = os.environ.get(
    "SKILLBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="session")
def extractor(taxonomy):
    return SkillExtractor(taxonomy)


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway database on the PostgreSQL server; no server is a failure, not a skip."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"skillbridge_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.fail(
            f"PostgreSQL is required at {POSTGRES_ADMIN_URL} ({error}); start it with "
            "`pg_ctlcluster --skip-systemctl-redirect 15 main start` (as .ci/run does)"
        )
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """The results store on both backends, with an empty schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'results.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    from skillbridge_pipeline.core.store.db import metadata

    results = ResultsStore(url)
    results.create_schema()
    metadata.drop_all(results.engine)  # the server's database is shared by the session's tests
    results.create_schema()
    yield results
    if request.param == "postgresql":
        metadata.drop_all(results.engine)
    results.dispose()


@pytest.fixture(scope="session")
def embedder():
    return Embedder()


@pytest.fixture(scope="session")
def resource_index(tmp_path_factory, embedder):
    """The shipped learning-resource catalog embedded into a fresh Chroma (about 20 s)."""
    from skillbridge_pipeline.core.gaps.vector_store import chroma_client
    from skillbridge_pipeline.core.roadmaps.catalog import ResourceIndex, load_catalog

    client = chroma_client(path=str(tmp_path_factory.mktemp("resources") / "chroma"))
    index = ResourceIndex(client, load_catalog())
    index.fill(embedder.encode)
    return index


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """The ML job materialised once through Dagster, as the demo does (about 40 s)."""
    home = tmp_path_factory.mktemp("trained")
    resources = embedded_resources(home)
    defs = build_definitions(resources)
    with instance_for_test() as instance:
        _, success = execute(instance, defs, "train_gap_model_job")
        event = instance.get_latest_materialization_event(AssetKey("gap_model"))
        metadata = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    assert success
    store = ResultsStore(resources["results_store"].url)
    return home, resources, store, metadata


def with_trained_model(trained, home: Path) -> Path:
    """`home` given the session's trained model and its filled Chroma collections (skills and
    the learning-resource catalog), so a test on a new home pays for neither embedding."""
    for folder in ("models", "chroma"):
        shutil.copytree(trained[0] / folder, home / folder)
    return home


def make_pdf(text_body: str) -> bytes:
    """A real PDF with a text layer, made with fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in text_body.splitlines():
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_encrypted_pdf(text_body: str, password: str = "s3cret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(text_body))))
    writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_image_only_pdf() -> bytes:
    """A 'scanned' page: a drawing and no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for i in range(20):
        pdf.rect(10 + i * 5, 10 + i * 5, 50, 20)
    return bytes(pdf.output())


@pytest.fixture
def sample_resume_text() -> str:
    return (SAMPLES / "resumes" / "ana_silva_backend.txt").read_text()


@pytest.fixture
def s3_bucket():
    """A new bucket on a local S3 server (moto): (s3:// URL, AWS_* variables for tansu)."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    from skillbridge_pipeline.broker import free_port

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    credentials = {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT": f"http://127.0.0.1:{port}",
        "AWS_ALLOW_HTTP": "true",
    }
    boto3.client(
        "s3",
        endpoint_url=credentials["AWS_ENDPOINT"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket=(bucket := f"tansu-{uuid.uuid4().hex[:12]}"))  # moto state is global
    yield f"s3://{bucket}/", credentials
    server.stop()
