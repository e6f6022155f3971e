"""Gap analysis on real parts: the packaged embedding model, a trained gap model, the store.

Pins what the original's tests pinned: all fields; gaps sorted by priority, the first the
most critical; overall_match in [0, 1]; unknown ids -> a clear not-found error; a JD with no
skills -> 0.0 and no gaps; a resume with no skills -> every JD skill missing.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import SAMPLES, SHARED

from skillbridge_pipeline.core.gaps.advice import advice_order
from skillbridge_pipeline.core.gaps.embeddings import EmbeddingCache
from skillbridge_pipeline.core.gaps.features import (
    BASELINE_DIM,
    SIGNAL_NAMES,
    TABULAR_DIM,
    gap_features,
    jd_signals,
)
from skillbridge_pipeline.core.gaps.scoring import LEVELS, NotFound
from skillbridge_pipeline.core.gaps.vector_store import SkillVectorStore, chroma_client
from skillbridge_pipeline.core.skills.market import SkillMarket
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.ml_training.scoring import GapScorer

FIELDS = {"resume_id", "jd_id", "overall_match", "skill_gaps", "missing_skills", "matched_skills"}
GAP_FIELDS = {
    "skill_id",
    "name",
    "category",
    "priority_score",
    "priority_level",
    "coverage",
    "closest_resume_skill",
    "jd_evidence",
}


@pytest.fixture(scope="session")
def scorer(trained, taxonomy, embedder):
    _, resources, store, _ = trained
    cache = EmbeddingCache(store, embedder)
    return GapScorer(resources["models"].registry.load(), cache, taxonomy)


def skills(extractor, text, kind):
    return [s.record() for s in extractor.extract(text, kind=kind)]


JD = (
    "Senior Data Engineer\n\nRequirements:\n- 5+ years of Python and SQL\n"
    "- Apache Kafka and Apache Spark in production\n- Docker and Kubernetes\n"
    "Nice to have:\n- Scala\n"
)


def test_fields_order_and_range(scorer, extractor):
    resume = skills(extractor, "Data analyst: Python, pandas, SQL, Tableau.", "resume")
    result = scorer.score("r1", "j1", resume, skills(extractor, JD, "jd"), "data_ml", "senior")
    assert set(result) >= FIELDS
    assert 0.0 <= result["overall_match"] <= 1.0
    gaps = result["skill_gaps"]
    assert gaps and all(set(g) >= GAP_FIELDS for g in gaps)
    # Open gaps first, to learn before long paths before what to show, required before
    # preferred, then by level and score: skill_gaps[0] is the most critical required one.
    order = [advice_order(g) for g in gaps]
    assert order == sorted(order)
    required = [
        LEVELS.index(g["priority_level"])
        for g in gaps
        if g["coverage"] != "Strong"
        and g["action"] == "learn"
        and g["jd_evidence"]["requirement"] == "required"
    ]
    assert LEVELS.index(gaps[0]["priority_level"]) == max(required)
    assert {"Python", "SQL"} <= set(result["matched_skills"])
    assert "Apache Kafka" in result["missing_skills"]
    kafka = next(g for g in gaps if g["name"] == "Apache Kafka")
    assert kafka["jd_evidence"]["requirement"] == "required"
    assert JD[kafka["jd_evidence"]["start"] : kafka["jd_evidence"]["end"]] == "Apache Kafka"


def test_an_evidenced_skill_is_never_missing(scorer, extractor):
    resume = skills(
        extractor, "Built Kafka streams and Spark jobs in Scala; Docker, k8s.", "resume"
    )
    result = scorer.score("r", "j", resume, skills(extractor, JD, "jd"), "data_ml", "senior")
    for name in ["Apache Kafka", "Apache Spark", "Scala", "Docker", "Kubernetes"]:
        gap = next(g for g in result["skill_gaps"] if g["name"] == name)
        assert gap["coverage"] == "Strong" and gap["priority_score"] == 0.0, gap
        assert name not in result["missing_skills"]


def test_jd_without_skills(scorer, extractor):
    resume = skills(extractor, "Python, SQL", "resume")
    result = scorer.score("r", "j", resume, [], "software_engineering", "mid")
    assert result["overall_match"] == 0.0 and result["skill_gaps"] == []
    assert result["missing_skills"] == [] and result["matched_skills"] == []


def test_resume_without_skills(scorer, extractor):
    jd = skills(extractor, JD, "jd")
    result = scorer.score("r", "j", [], jd, "data_ml", "senior")
    assert result["overall_match"] == 0.0
    assert sorted(result["missing_skills"]) == sorted(s["name"] for s in jd)
    assert all(g["closest_resume_skill"] is None for g in result["skill_gaps"])


def test_unknown_ids_are_a_clear_not_found(scorer, trained):
    store = trained[2]
    with pytest.raises(NotFound, match="unknown resume id 'ffffffffffffffff'"):
        scorer.score_stored(store, "ffffffffffffffff", "eeeeeeeeeeeeeeee")
    store.land(
        "resume",
        "aaaaaaaaaaaaaaaa",
        filename="cv.txt",
        size_bytes=1,
        source="cli",
        landing_path="/dev/null",
    )
    with pytest.raises(NotFound, match="resume aaaaaaaaaaaaaaaa is landed, not extracted"):
        scorer.score_stored(store, "aaaaaaaaaaaaaaaa", "eeeeeeeeeeeeeeee")
    store.replace_skills("resume", [{"doc_id": "aaaaaaaaaaaaaaaa", "skills": []}])
    with pytest.raises(NotFound, match="unknown JD id"):
        scorer.score_stored(store, "aaaaaaaaaaaaaaaa", "eeeeeeeeeeeeeeee")
    store.land(
        "jd",
        "bbbbbbbbbbbbbbbb",
        filename="jd.txt",
        size_bytes=1,
        source="cli",
        landing_path="/dev/null",
    )
    store.record_failed("jd", {"bbbbbbbbbbbbbbbb": "file is empty"}, "parse")
    with pytest.raises(NotFound, match="the JD failed: file is empty"):
        scorer.score_stored(store, "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb")


def test_features_are_the_18_of_the_brief_then_the_jd_signals(embedder):
    jd = embedder.encode(["PostgreSQL", "Kubernetes", "Public speaking"])
    resume = embedder.encode(["PostgreSQL", "MySQL"])
    features = gap_features(
        jd, ["databases", "cloud_devops", "soft_skills"], resume, "data_ml", "senior"
    )
    assert BASELINE_DIM == 18 and features.tabular.shape == (3, TABULAR_DIM) == (3, 28)
    assert features.embeddings.shape == (3, 384)
    assert features.tabular[0, 15] == pytest.approx(0.0, abs=1e-5)  # has it: gap 0
    assert features.tabular[1, 15] > 0.4  # Kubernetes is far from databases
    assert features.tabular[0, :8].tolist() == [0, 0, 0, 0, 0, 1, 0, 0]
    assert features.tabular[0, 8:15].tolist() == [0, 1, 0, 0, 0, 0, 1]
    assert np.all(features.tabular[:, 17] <= features.tabular[:, 16] + 1e-6)  # min <= mean
    assert np.all(features.tabular[:, 18:] == 0.0)  # no signals given
    empty = gap_features(jd, ["databases"] * 3, np.zeros((0, 384), np.float32), "data_ml", "mid")
    assert np.all(empty.tabular[:, 15:18] == 1.0)


def test_jd_signals_read_wording_emphasis_and_the_market(extractor, taxonomy):
    text = (
        "Senior Kubernetes Engineer\n\nRequirements:\n- Kubernetes and Terraform in production\n"
        "- Kubernetes operators\nNice to have: Scala.\n"
    )
    found = [s.record() for s in extractor.extract(text, kind="jd")]
    signals = jd_signals(found, text, "devops_cloud", SkillMarket.of(taxonomy))
    row = {
        s["skill_id"]: dict(zip(SIGNAL_NAMES, signals[i], strict=True)) for i, s in enumerate(found)
    }
    kubernetes, terraform, scala = row["kubernetes"], row["terraform"], row["scala"]
    assert kubernetes["asked_required"] == 1 and scala["asked_preferred"] == 1
    assert kubernetes["in_title"] == 1 and terraform["in_title"] == 0
    assert kubernetes["in_list"] == 1 and terraform["in_list"] == 1 and scala["in_list"] == 0
    assert kubernetes["mentions"] > terraform["mentions"] > 0  # named three times, once
    assert kubernetes["hot_technology"] == 1 and 0 < kubernetes["role_share"] <= 1
    assert len({r["jd_skill_count"] for r in row.values()}) == 1
    assert np.all((signals >= 0) & (signals <= 1))


def test_embedding_cache_embeds_each_phrase_once_ever(tmp_path, embedder):
    store = ResultsStore(f"sqlite:///{tmp_path / 'r.db'}")
    store.create_schema()
    first = EmbeddingCache(store, embedder)
    vectors = first.matrix(["Kubernetes", "kubernetes ", "Docker"])
    assert first.embedded == 2 and vectors.shape == (3, 384)
    assert np.allclose(vectors[0], vectors[1])
    second = EmbeddingCache(store, embedder)  # another process, same store
    again = second.matrix(["Docker", "KUBERNETES"])
    assert second.embedded == 0
    assert np.allclose(again[0], vectors[2])


def test_chroma_collection_takes_embeddings_we_pass(tmp_path, embedder):
    vectors = embedder.encode(["PostgreSQL", "MySQL", "Figma"])
    store = SkillVectorStore(chroma_client(path=str(tmp_path / "chroma")))
    store.upsert(
        ["postgresql", "mysql", "figma"], vectors, [{"c": "db"}, {"c": "db"}, {"c": "web"}]
    )
    nearest = store.nearest(embedder.encode(["Postgres database"])[0], k=2)
    assert nearest[0][0] == "postgresql" and nearest[1][0] == "mysql"
    reopened = SkillVectorStore(chroma_client(path=str(tmp_path / "chroma")))
    assert reopened.count() == 3


@pytest.mark.slow
def test_training_asset_metadata_and_comparison(trained):
    metadata = trained[3]
    for key in [
        "macro_f1",
        "accuracy",
        "r2",
        "mae",
        "comparison",
        "training_curve",
        "training_curve_plot",
        "version",
        "training_seconds",
        "ece",
        "reliability",
        "reliability_plot",
    ]:
        assert key in metadata
    assert "data:image/svg+xml;base64," in metadata["reliability"]  # the plot, in the UI
    folder = Path(metadata["artifacts"])
    assert {p.name for p in folder.iterdir()} >= {
        "gap_model.pt",
        "knn_model.pkl",
        "metrics.json",
        "training_curve.svg",
        "reliability.svg",
    }
    metrics = json.loads((folder / "metrics.json").read_text())["metrics"]
    dual, tabular, rule = (
        metrics[m]["test"] for m in ("dual_stream", "tabular_only", "rule_baseline")
    )
    # Over all held-out examples the two MLPs are level (0.931 and 0.931 in this build; two
    # trainings of the same examples differ by up to 0.005), both far above the rule. What the
    # embedding stream adds shows on postings never seen (0.974 against 0.950).
    assert min(dual["macro_f1"], tabular["macro_f1"]) > rule["macro_f1"] + 0.3
    assert dual["macro_f1"] > tabular["macro_f1"] - 0.005
    # ... and the priority score the two read alike (R² 0.99)
    assert abs(dual["r2"] - tabular["r2"]) < 0.005 and abs(dual["mae"] - tabular["mae"]) < 0.005
    unseen_tabular = metrics["tabular_only"]["test_unseen_postings"]
    assert metrics["dual_stream"]["test_unseen_postings"]["macro_f1"] > unseen_tabular["macro_f1"]
    assert dual["r2"] >= 0.72 and dual["mae"] <= 0.09  # the original's regression figures
    # On postings never seen in training (their skills seen elsewhere): past the original's
    # figures (F1 0.85, accuracy 0.91); measured F1 0.974, accuracy 0.977 (see docs/quality.md).
    unseen_postings = metrics["dual_stream"]["test_unseen_postings"]
    assert unseen_postings["macro_f1"] >= 0.90 and unseen_postings["accuracy"] >= 0.91
    # On skills never seen: the JD's signals and the skill's market carry over (0.893; the
    # 18-feature baseline, which sees neither, 0.673).
    unseen_skills = metrics["dual_stream"]["test_unseen_skills"]
    baseline = metrics["baseline_18"]["test_unseen_skills"]
    assert unseen_skills["macro_f1"] >= 0.75 and unseen_skills["macro_f1"] > baseline["macro_f1"]
    assert 0 <= dual["ece"] <= 0.10
    # Training time is measured by bench/training_time.py, not asserted here.


def test_training_is_deterministic():
    from skillbridge_pipeline.ml_training import model as gap

    rng = np.random.default_rng(0)

    def data(n):
        return gap.Dataset(
            rng.random((n, TABULAR_DIM), dtype=np.float32),
            rng.random((n, 384), dtype=np.float32),
            rng.integers(0, 4, n),
            rng.random(n, dtype=np.float32),
        )

    training, validation = data(600), data(100)
    first = gap.train(training, validation, epochs=3)
    second = gap.train(training, validation, epochs=3)
    for key, tensor in first.model.state_dict().items():
        assert torch.equal(tensor, second.model.state_dict()[key]), key
    assert first.curve == second.curve


def test_features_round_trip_through_their_table_and_stale_ones_are_refused():
    import numpy as np

    from skillbridge_pipeline.core.gaps.scoring import (
        PairInput,
        StaleFeatures,
        features_frame,
        features_from_frame,
        pair_features,
    )

    def skill(skill_id, name, category="programming_languages"):
        return {"skill_id": skill_id, "name": name, "category": category}

    rng = np.random.default_rng(3)
    table = {n: v / np.linalg.norm(v) for n, v in ((n, rng.normal(size=384)) for n in "ABCDE")}

    def vectors(names):  # as the cache's matrix: one unit vector per name
        return np.stack([table[n] for n in names] or [np.zeros(384)]).astype(np.float32)[
            : len(names)
        ]

    resume = [skill("a", "A"), skill("b", "B")]
    pairs = [
        PairInput("r1", "j1", resume, [skill("c", "C"), skill("d", "D")], "data_ml", "senior"),
        PairInput("r1", "j2", resume, [], "data_ml", "mid"),  # a JD without skills
        PairInput("r2", "j1", [], [skill("e", "E")], "data_ml", "junior"),  # no resume skills
    ]
    computed = pair_features(pairs, vectors, SkillMarket())
    frame = features_frame(pairs, computed)
    assert len(frame) == 3 and frame["closest_skill"].isna().tolist() == [False, False, True]
    loaded = features_from_frame(frame, pairs, vectors)
    assert loaded[1] is None
    for fresh, back in ((computed[0], loaded[0]), (computed[2], loaded[2])):
        assert np.array_equal(fresh.tabular, back.tabular)  # exactly: the scores are the same
        assert np.array_equal(fresh.similarity, back.similarity)
        assert fresh.closest == back.closest
    changed = PairInput("r1", "j1", resume, [skill("c", "C")], "data_ml", "senior")
    [stale] = features_from_frame(frame, [changed], vectors)
    assert isinstance(stale, StaleFeatures)


DEV_POSTINGS = SHARED / "data" / "skillspan" / "postings-train-dev.jsonl"


def sample_skills(extractor, name: str, kind: str) -> tuple[list[dict], str]:
    from skillbridge_pipeline.core.documents.parsing import parse_document
    from skillbridge_pipeline.core.documents.processing import TextOutcome, extract_one

    path = SAMPLES / ("resumes" if kind == "resume" else "jds") / name
    parsed = parse_document(path.read_bytes(), path.name, kind)
    doc = TextOutcome(name, kind, "parsed", parsed.format, 1, parsed.text, len(parsed.text))
    return extract_one(doc, extractor).skills, parsed.text


@pytest.mark.slow
def test_missing_required_skills_rank_above_missing_preferred_ones(scorer, extractor):
    """Release 1's model never saw the JD's wording: over SkillSpan dev x two sample resumes
    the required one of a (required, preferred) pair of missing skills ranked first 52.8% of
    the time. Measured now: 0.890 (docs/quality.md)."""
    from skillbridge_pipeline.core.gaps.scoring import required_first
    from skillbridge_pipeline.core.skills.jd_profile import profile_job

    resumes = [
        sample_skills(extractor, n, "resume")[0]
        for n in ("ben_okafor_data.pdf", "ana_silva_backend.txt")
    ]
    wins = pairs = 0
    for line in DEV_POSTINGS.open(encoding="utf-8"):
        raw = json.loads(line)
        if raw["split"] != "dev":
            continue
        jd = skills(extractor, raw["text"], "jd")
        profile = profile_job(raw["text"], (s["category"] for s in jd))
        for number, resume in enumerate(resumes):
            analysis = scorer.score(
                f"r{number}",
                raw["idx"],
                resume,
                jd,
                profile.role_family,
                profile.seniority,
                raw["text"],
            )
            won, compared = required_first(analysis)
            wins, pairs = wins + won, pairs + compared
    assert pairs > 500  # named skills to learn, one per requirement
    assert wins / pairs >= 0.85, (wins, pairs)


def test_the_report_pair_ranks_required_kubernetes_and_docker_above_preferred_java(
    scorer, extractor
):
    """Release 1: Java (preferred) Critical 0.61 above Kubernetes and Docker (required) at
    Medium 0.33, for ben_okafor_data.pdf x senior_data_platform_engineer.html."""
    resume, _ = sample_skills(extractor, "ben_okafor_data.pdf", "resume")
    jd, text = sample_skills(extractor, "senior_data_platform_engineer.html", "jd")
    analysis = scorer.score("ben", "platform", resume, jd, "data_ml", "senior", text)
    # "Scala or Java" is one requirement now: the gap that holds Java.
    names = [[g["name"], *(g["group"] or {}).get("members", [])] for g in analysis["skill_gaps"]]
    rank = {n: i for i, group in enumerate(names) for n in group}
    level = {
        n: g["priority_level"]
        for g, group in zip(analysis["skill_gaps"], names, strict=True)
        for n in group
    }
    assert rank["Kubernetes"] < rank["Java"] and rank["Docker"] < rank["Java"]
    assert level["Kubernetes"] == level["Docker"] == "Critical" != level["Java"]


def test_a_resume_written_in_english_evidences_english(scorer, extractor):
    """Release 1 told an English-language resume to "learn the fundamentals of English"."""
    from skillbridge_pipeline.core.documents.processing import TextOutcome, extract_one

    text = (
        "Backend engineer with eight years of Python and PostgreSQL. I built payment services "
        "for a bank, ran them on Kubernetes, and mentored two junior engineers along the way."
    )
    assert "english" not in {s["skill_id"] for s in skills(extractor, text, "resume")}
    doc = TextOutcome("ana", "resume", "parsed", "text", 1, text, len(text))
    resume = extract_one(doc, extractor).skills
    [english] = [s for s in resume if s["skill_id"] == "english"]
    assert english["surface"] == "(written in English)" and english["confidence"] >= 0.5
    jd = skills(extractor, "Requirements:\n- Fluent English\n- Python\n", "jd")
    analysis = scorer.score("ana", "j", resume, jd, "software_engineering", "mid")
    assert "English" in analysis["matched_skills"]
    german = (
        "Ich bin Backend-Entwicklerin mit acht Jahren Erfahrung in Python und Java. Ich habe "
        "Zahlungsdienste für eine Bank gebaut und betreut und arbeite gern im Team mit anderen."
    )
    written = extractor.written_in(german)
    assert written is not None and written.skill_id == "german"
    assert extractor.written_in("Python, SQL, Docker") is None  # too short to tell
