"""The advice evaluation set (data/advice_eval/) is well formed: every pair's files exist and
read as a resume and a job posting, the coach's gold has the fields bench/advice_quality.py
reads, and the set is broad (>= 30 pairs, >= 10 occupations, at least half outside software).
No model is needed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EVAL_DIR = ROOT / "data" / "advice_eval"
GOLD = [json.loads(line) for line in (EVAL_DIR / "gold.jsonl").read_text().splitlines() if line]
FIELDS = {
    "id",
    "occupation",
    "sector",
    "resume",
    "jd",
    "real_gaps",
    "top1",
    "not_gaps",
    "long_paths",
}


def _bench():
    spec = importlib.util.spec_from_file_location(
        "advice_quality", ROOT / "bench" / "advice_quality.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_set_is_broad():
    assert len(GOLD) >= 30
    assert len({g["id"] for g in GOLD}) == len(GOLD), "ids are unique"
    assert len({g["occupation"] for g in GOLD}) >= 10
    outside = [g for g in GOLD if g["sector"] == "other"]
    assert len(outside) * 2 >= len(GOLD), "at least half of the pairs are outside software"
    assert {g["sector"] for g in GOLD} == {"software", "other"}


@pytest.mark.parametrize("gold", GOLD, ids=[g["id"] for g in GOLD])
def test_each_pair_is_well_formed(gold):
    assert set(gold) == FIELDS
    for kind in ("resume", "jd"):
        path = EVAL_DIR / gold[kind]
        assert path.is_file(), path
        assert len(path.read_text(encoding="utf-8").split()) >= 80, f"{path} is a real document"
    assert gold["resume"] != gold["jd"]
    assert gold["real_gaps"], "every pair has something to learn"
    assert 0 <= gold["top1"] < len(gold["real_gaps"])
    for gap in gold["real_gaps"] + gold["long_paths"]:
        assert gap and all(isinstance(n, str) and n == n.lower() and n.strip() for n in gap)
    assert all(isinstance(n, str) and n == n.lower() and n.strip() for n in gold["not_gaps"])
    # a name is never both a gap and a not-gap
    gap_names = {n for gap in gold["real_gaps"] + gold["long_paths"] for n in gap}
    assert not gap_names & set(gold["not_gaps"])


def test_the_set_has_the_patterns_a_coach_catches():
    """Traits, alternatives, spoken languages and degrees are all in the gold somewhere."""
    not_gaps = {n for g in GOLD for n in g["not_gaps"]}
    long_paths = {n for g in GOLD for gap in g["long_paths"] for n in gap}
    assert {"proactive", "self-motivated", "team player"} <= not_gaps
    assert {"version control", "git", "infrastructure"} <= not_gaps
    assert {"german", "spanish"} <= long_paths
    assert any("degree" in n for n in long_paths)


def test_the_bench_matches_names_as_a_coach_reads_them():
    bench = _bench()
    norm = bench.normalise
    assert bench.name_matches(norm("Amazon Web Services (AWS)"), "aws")
    assert bench.name_matches(norm("REST APIs"), "rest api")
    assert bench.name_matches(norm("Self-motivation"), "self-motivated")
    assert not bench.name_matches(norm("React"), "r")
    assert not bench.name_matches(norm("Internal audit"), "international")
    gold = {"real_gaps": [["kafka"]], "long_paths": [["german"]], "not_gaps": ["networking"]}
    assert bench.judge([norm("Apache Kafka")], gold) == ("real", 0)
    assert bench.judge([norm("German")], gold) == ("long", None)
    assert bench.judge([norm("Networking")], gold) == ("NOT-GAP", None)
    assert bench.judge([norm("Chef")], gold) == ("wrong", None)
