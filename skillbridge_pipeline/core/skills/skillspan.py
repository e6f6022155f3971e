"""SkillSpan postings and the matching rule of the shared extraction scorer.

A predicted skill counts when its tokens occur inside a gold span's tokens or the gold span's
inside it (case-insensitive; "c++", "node.js" and "c#" stay one token). The taxonomy build
uses the same rule on the train split to measure how reliable each alias is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SCORER_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9+#]+)*")


def scorer_tokens(text: str) -> tuple[str, ...]:
    return tuple(_SCORER_TOKEN.findall(text.casefold()))


def span_keys(spans: Iterable[str]) -> set[tuple[str, ...]]:
    return {scorer_tokens(s) for s in spans} - {()}


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    n = len(inner)
    return n > 0 and any(outer[i : i + n] == inner for i in range(len(outer) - n + 1))


def gold_contains(gold: set[tuple[str, ...]], surface: str) -> bool:
    predicted = scorer_tokens(surface)
    return any(_contains(g, predicted) or _contains(predicted, g) for g in gold)


def score_predictions(
    gold_knowledge: set[tuple[str, ...]],
    gold_all: set[tuple[str, ...]],
    predictions: Iterable[tuple[str, str]],
) -> tuple[int, int, int, int]:
    """(predicted, correct, gold knowledge spans, those found) for one posting, as the shared
    scorer counts them; `predictions` are (surface, canonical name) pairs."""
    preds = {frozenset({scorer_tokens(s), scorer_tokens(n)} - {()}) for s, n in predictions} - {
        frozenset()
    }

    def hits(forms: frozenset, golds: set[tuple[str, ...]]) -> bool:
        return any(_contains(g, f) or _contains(f, g) for f in forms for g in golds)

    correct = sum(hits(forms, gold_all) for forms in preds)
    found = sum(any(hits(forms, {g}) for forms in preds) for g in gold_knowledge)
    return len(preds), correct, len(gold_knowledge), found
