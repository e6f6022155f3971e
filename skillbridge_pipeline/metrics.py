"""Prometheus metrics with the original system's names, and how they reach /metrics.

Counters and the latency histogram are counted where the work happens: in sensor ticks and in
short-lived run processes. With PROMETHEUS_MULTIPROC_DIR set (the CLI sets it to
$SKILLBRIDGE_HOME/metrics; production mounts one volume there for the daemon, the runs and the
API) every process writes its samples to that folder and the API's /metrics adds them up.
What describes the store — DLQ depth, documents and requests by status, the model in use — is
read from the store at scrape time, so it is right whichever process changed it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

LLM_FALLBACK_TOTAL = Counter(
    "llm_fallback_total",
    "LLM answers replaced by the template fallback (timeout, API error, invalid output).",
    ["purpose"],  # roadmap | chat | enhancer
)

EVENTS_PROCESSED_TOTAL = Counter(
    "events_processed_total",
    "Events taken in, by source (inbox, kafka), topic and outcome.",
    ["source", "topic", "outcome"],  # outcome: landed | duplicate | request | rejected
)

ANALYSIS_COMPLETED_TOTAL = Counter(
    "analysis_completed_total",
    "Analysis requests finished, by outcome (done, failed).",
    ["outcome"],
)

GAP_ANALYSIS_LATENCY_SECONDS = Histogram(
    "gap_analysis_latency_seconds",
    "From an analysis request taken in to its gaps stored.",
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600),
)


class StoreCollector(Collector):
    """Gauges read from the results store (and the model registry) at each scrape."""

    def __init__(self, store, model_registry=None):
        self.store = store
        self.model_registry = model_registry

    def collect(self) -> Iterator[Metric]:
        from skillbridge_pipeline.core.store import dead_letters

        depth = GaugeMetricFamily("dlq_depth", "Open rows in the dead-letter queue.")
        depth.add_metric([], dead_letters.depth(self.store))
        yield depth
        documents = GaugeMetricFamily(
            "skillbridge_documents", "Documents by kind and status.", labels=["kind", "status"]
        )
        for (kind, status), count in sorted(self.store.status_counts().items()):
            documents.add_metric([kind, status], count)
        yield documents
        requests = GaugeMetricFamily(
            "skillbridge_analysis_requests", "Analysis requests by status.", labels=["status"]
        )
        for status, count in sorted(self.store.request_status_counts().items()):
            requests.add_metric([status], count)
        yield requests
        if self.model_registry is not None:
            model = GaugeMetricFamily(
                "skillbridge_model_info", "The gap model version in use.", labels=["version"]
            )
            version = self.model_registry.latest_version()
            if version:
                model.add_metric([version], 1)
            yield model


class _ThisProcess(Collector):
    """This process's own counters, when there is no multiprocess folder to read."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def metrics_registry(store, model_registry=None, multiprocess_dir: Path | None = None):
    registry = CollectorRegistry()
    if multiprocess_dir is not None:
        multiprocess_dir.mkdir(parents=True, exist_ok=True)
        MultiProcessCollector(registry, path=str(multiprocess_dir))
    else:
        registry.register(_ThisProcess())
    registry.register(StoreCollector(store, model_registry))
    return registry
