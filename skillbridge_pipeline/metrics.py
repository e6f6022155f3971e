"""Prometheus metrics with the original system's names."""

from prometheus_client import Counter, Gauge

LLM_FALLBACK_TOTAL = Counter(
    "llm_fallback_total",
    "LLM answers replaced by the template fallback (timeout, API error, invalid output).",
    ["purpose"],  # roadmap | chat | enhancer
)

DLQ_DEPTH = Gauge("dlq_depth", "Open rows in the dead-letter queue.")

EVENTS_PROCESSED_TOTAL = Counter(
    "events_processed_total",
    "Events taken in, by source (inbox, kafka), topic and outcome.",
    ["source", "topic", "outcome"],  # outcome: landed | duplicate | request | rejected
)
