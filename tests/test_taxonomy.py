"""The shipped taxonomy: size, categories, links back to the sources, aliases."""

from collections import Counter

from skillbridge_pipeline.core.taxonomy import CATEGORIES, KINDS
from skillbridge_pipeline.core.text import alias_key


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
