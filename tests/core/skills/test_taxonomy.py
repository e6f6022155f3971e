"""The shipped taxonomy: size, categories, links back to the sources, aliases."""

from collections import Counter

import pytest
from conftest import SHARED

from skillbridge_pipeline.core.skills.taxonomy import CATEGORIES, KINDS
from skillbridge_pipeline.core.skills.text import alias_key


def test_size_and_categories(taxonomy):
    assert len(taxonomy) >= 2000
    categories = Counter(s.category for s in taxonomy)
    assert set(categories) == set(CATEGORIES)
    assert all(categories[c] >= 20 for c in CATEGORIES), categories
    assert {s.kind for s in taxonomy} <= set(KINDS)


def test_ids_are_unique_slugs(taxonomy):
    ids = [s.id for s in taxonomy]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)


def test_sources_link_back_to_onet_and_esco(taxonomy):
    python = taxonomy.get("python")
    refs = {(s.source, s.ref) for s in python.sources}
    assert ("onet", "Python") in refs
    assert any(
        source == "esco" and ref.startswith("http://data.europa.eu/esco/skill/")
        for source, ref in refs
    )
    assert python.hot_technology and len(python.onet_occupations) > 50
    assert any(s.source == "isced" for skill in taxonomy for s in skill.sources)


def test_modern_tools_and_soft_skills_are_covered(taxonomy):
    names = {s.name for s in taxonomy}
    for expected in [
        "Docker",
        "Kubernetes",
        "Terraform",
        "pandas",
        "PyTorch",
        "Snowflake",
        "GitHub Actions",
        "FastAPI",
        "Communication",
        "Teamwork",
        "Leadership",
    ]:
        assert expected in names, expected
    soft = [s for s in taxonomy if s.category == "soft_skills"]
    assert len(soft) >= 50


def test_aliases_people_write(taxonomy):
    aliases = {alias_key(a.text): s.name for s in taxonomy for a in s.aliases}
    for alias, name in [
        ("js", "JavaScript"),
        ("ts", "TypeScript"),
        ("k8s", "Kubernetes"),
        ("postgres", "PostgreSQL"),
        ("gcp", "Google Cloud Platform"),
        ("scikit learn", "scikit-learn"),
        ("ci/cd", "CI/CD"),
        ("atlassian jira", "Jira"),
    ]:
        assert aliases.get(alias_key(alias)) == name, alias


def test_ordinary_words_from_automatic_sources_do_not_match(taxonomy):
    automatic_single_words = {
        a.text.lower()
        for s in taxonomy
        for a in s.aliases
        if a.origin != "curated" and " " not in a.text and not a.needs_context
    }
    for word in ["plan", "lead", "access", "email", "enterprise", "teams"]:
        assert word not in automatic_single_words


@pytest.mark.slow
def test_build_is_reproducible_and_matches_what_ships(tmp_path):
    """Two builds from ../shared/data give the same bytes, and the bytes that ship in data/."""
    from skillbridge_pipeline.core.skills.taxonomy import DEFAULT_TAXONOMY_DIR
    from skillbridge_pipeline.core.skills.taxonomy_build import build_taxonomy

    shared = SHARED / "data"
    outputs = []
    for n in (1, 2):
        data_dir = tmp_path / f"build{n}"
        build_taxonomy(shared, data_dir / "taxonomy", data_dir=data_dir)
        outputs.append(
            {
                p.relative_to(data_dir).as_posix(): p.read_bytes()
                for p in sorted(data_dir.rglob("*"))
                if p.is_file()
            }
        )
    assert outputs[0] == outputs[1]
    assert set(outputs[0]) == {
        "taxonomy/skills.jsonl",
        "taxonomy/alias_reliability.tsv",
        "skillspan/postings-train.jsonl",
        "roadmaps/catalog.json",
    }
    for name, content in outputs[0].items():
        shipped = (DEFAULT_TAXONOMY_DIR.parent / name).read_bytes()
        assert shipped == content, f"data/{name} differs from a fresh build"


def test_esco_knowledge_and_posting_names_join_the_taxonomy(taxonomy):
    by_name = {s.name: s for s in taxonomy}
    immunology = by_name["Immunology"]
    assert (immunology.kind, immunology.category) == ("domain", "tools_practices")
    assert any(
        s.source == "esco" and s.ref.startswith("http://data.europa.eu/esco/skill/")
        for s in immunology.sources
    )
    assert by_name["Financial analysis"].kind == "domain"
    eventing = by_name["Eventing"]
    assert [(s.source, s.ref) for s in eventing.sources] == [("names", "eventing")]
    aliases = {alias_key(a.text) for s in taxonomy for a in s.aliases}
    # several skills in one posting name, or a known skill inside a longer one: left out
    for compound in ["java/jee", ".net/c#", "advanced microsoft excel"]:
        assert alias_key(compound) not in aliases, compound
    # a method is its own skill, not a broader one
    assert by_name["Asynchronous programming"] is not by_name["Concurrency"]
    assert alias_key("asynchronous programming") not in {
        alias_key(a.text) for a in by_name["Concurrency"].aliases
    }
