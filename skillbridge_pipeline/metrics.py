"""Prometheus metrics with the original system's names."""

from prometheus_client import Counter

LLM_FALLBACK_TOTAL = Counter(
    "llm_fallback_total",
    "LLM answers replaced by the template fallback (timeout, API error, invalid output).",
    ["purpose"],  # roadmap | chat | enhancer
)
