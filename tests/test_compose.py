"""The deployment files: docker-compose.yml, .env.example, Prometheus, Grafana, dagster.yaml."""

from __future__ import annotations

import json
import re

import yaml
from conftest import PROJECT_ROOT

from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.metrics import metrics_registry

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
PROMQL_WORDS = {"histogram_quantile", "sum", "rate", "increase", "by", "le"}


def env_example() -> set[str]:
    lines = (PROJECT_ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}


def test_every_service_has_an_image_or_build_and_a_healthcheck():
    services = COMPOSE["services"]
    expected = {"postgres", "kafka", "chroma", "code-server", "dagster-webserver"}
    expected |= {"dagster-daemon", "redis", "run-worker", "api", "prometheus", "grafana"}
    assert expected <= set(services)
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        assert "healthcheck" in service, f"{name} serves and has no healthcheck"
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft
    assert not any("zookeeper" in name for name in services)
    for built in ("code-server", "dagster-daemon", "run-worker", "api"):
        env = services[built]["environment"]
        assert env["SKILLBRIDGE_ENV"] == "production"
        assert env["PROMETHEUS_MULTIPROC_DIR"] == "/data/metrics"


def test_no_variable_is_missing_from_env_example():
    used = set(re.findall(r"\$\{(\w+)", (PROJECT_ROOT / "docker-compose.yml").read_text()))
    assert used and used <= env_example(), used - env_example()
    for secret in ("POSTGRES_PASSWORD", "GROQ_API_KEY", "GRAFANA_ADMIN_PASSWORD"):
        assert secret in used  # secrets come from the environment, not the file


def test_the_dashboard_uses_only_metrics_the_code_exports(tmp_path):
    store = ResultsStore(f"sqlite:///{tmp_path / 'r.db'}")
    store.create_schema()
    registry = metrics_registry(store, None, tmp_path / "metrics")
    from skillbridge_pipeline import metrics

    families = list(registry.collect())
    exported = {f.name for f in families} | {s.name for f in families for s in f.samples}
    for collector in (
        metrics.LLM_FALLBACK_TOTAL,
        metrics.EVENTS_PROCESSED_TOTAL,
        metrics.ANALYSIS_COMPLETED_TOTAL,
        metrics.GAP_ANALYSIS_LATENCY_SECONDS,
    ):
        name = collector._name
        exported |= {name, f"{name}_total", f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    exported.add("skillbridge_model_info")  # only present once a model exists
    dashboard = json.loads(
        (PROJECT_ROOT / "deploy/grafana/dashboards/skillbridge.json").read_text()
    )
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", target["expr"]))
            used |= {w for w in words if "_" in w and w not in PROMQL_WORDS}
    assert used and used <= exported, used - exported
    titles = " ".join(p["title"] for p in dashboard["panels"]).lower()
    for topic in ("events", "analyses", "latency p95", "llm fallbacks", "dead-letter", "status"):
        assert topic in titles
    provisioned = yaml.safe_load(
        (PROJECT_ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    assert provisioned["datasources"][0]["uid"] == "prometheus"


def test_the_production_dagster_yaml_variants_are_valid(monkeypatch):
    from dagster._config import process_config
    from dagster._core.instance.config import dagster_instance_config_schema

    for variable in (
        "DAGSTER_PG_URL",
        "SKILLBRIDGE_DAGSTER_ARTIFACTS",
        "SKILLBRIDGE_IMAGE",
        "SKILLBRIDGE_CELERY_BROKER",
        "SKILLBRIDGE_CELERY_BACKEND",
        "SKILLBRIDGE_CELERY_QUEUE",
    ):
        monkeypatch.setenv(variable, "set-by-the-deployment")
    for variant in ("production", "docker"):
        config = yaml.safe_load((PROJECT_ROOT / "deploy" / variant / "dagster.yaml").read_text())
        assert config["storage"]["postgres"]["postgres_url"] == {"env": "DAGSTER_PG_URL"}
        assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
        assert config["run_retries"]["enabled"] is True
        checked = process_config(dagster_instance_config_schema(), config)
        assert checked.success, checked.errors
    docker = yaml.safe_load((PROJECT_ROOT / "deploy/docker/dagster.yaml").read_text())
    assert docker["run_launcher"]["class"] == "DockerRunLauncher"
    production = yaml.safe_load((PROJECT_ROOT / "deploy/production/dagster.yaml").read_text())
    assert production["run_launcher"]["class"] == "CeleryRunLauncher"
    # the compose stack: the image's instance hands runs to the run workers, on their queue
    assert "deploy/production/dagster.yaml" in (PROJECT_ROOT / "Dockerfile").read_text()
    env = COMPOSE["x-skillbridge-env"]
    worker = COMPOSE["services"]["run-worker"]["command"]
    assert worker[worker.index("--queues") + 1] == env["SKILLBRIDGE_CELERY_QUEUE"]
    assert env["SKILLBRIDGE_CELERY_BROKER"].startswith("redis://redis:")
