"""Technology names from `tech-names/` (GitHub Explore, Devicon, Linguist, Simple Icons)."""

import pytest
from conftest import SHARED

from skillbridge_pipeline.core.skills.taxonomy_build import tech_items
from skillbridge_pipeline.core.skills.text import alias_key

EXAMPLES = [
    (
        "Requirements: Swift and SwiftUI; Kotlin and Jetpack Compose; XCTest and Espresso",
        {"SwiftUI", "Jetpack Compose", "XCTest", "Espresso", "Swift", "Kotlin"},
        {"Google"},
    ),
    ("We use NestJS, Celery and Zendesk", {"NestJS", "Celery", "Zendesk"}, set()),
    (
        "Tailwind CSS, Next.js, Vitest and Playwright",
        {"Tailwind CSS", "Next.js", "Vitest", "Playwright"},
        {"Cypress"},
    ),
    ("Pulumi and Terraform", {"Pulumi", "Terraform"}, set()),
    (
        "Experience with tailwindcss, nest-js and next.js.",
        {"Tailwind CSS", "NestJS", "Next.js"},
        set(),
    ),
]


def names(extractor, text, kind):
    return {s.name for s in extractor.extract(text, kind=kind)}


@pytest.mark.parametrize(("text", "present", "absent"), EXAMPLES)
def test_developer_technologies_are_found_by_name(extractor, text, present, absent):
    found = names(extractor, text, "resume")
    assert present <= found, found
    assert not (absent & found), found


@pytest.mark.parametrize(("text", "present", "absent"), EXAMPLES[:4])
def test_asked_for_in_a_job_description(extractor, text, present, absent):
    if not text.startswith("Requirements:"):
        text = f"Requirements: {text}."
    found = names(extractor, text, "jd")
    assert present <= found, found
    assert not (absent & found), found


@pytest.mark.parametrize("kind", ["resume", "jd"])
@pytest.mark.parametrize(
    "text",
    [
        "I like Netflix",
        "Requirements: experience with Netflix, Spotify and Uber.",
        "We offer express delivery",
        "Fast, reliable express delivery to your door.",
        "Go ahead and apply today!",
    ],
)
def test_brands_and_ordinary_words_are_not_skills(extractor, text, kind):
    found = names(extractor, text, kind)
    assert not found, found


def test_spellings_join_the_existing_skill(taxonomy):
    owner = {alias_key(a.text): s.name for s in taxonomy for a in s.aliases}
    assert owner[alias_key("tailwindcss")] == "Tailwind CSS"
    assert owner[alias_key("nest-js")] == "NestJS"
    assert owner[alias_key("next.js")] == "Next.js"
    assert owner[alias_key("amazonwebservices")] == "Amazon Web Services"
    by_name = {s.name for s in taxonomy}
    assert not {"Netflix", "Spotify", "Uber", "Tailwindcss", "Express"} & by_name


def test_a_new_technology_needs_two_lists_or_a_language():
    items = {item.display: item for item in tech_items(SHARED / "data" / "tech-names")}
    from wordfreq import zipf_frequency

    nest = next(i for i in items.values() if "nestjs" in i.forms)
    assert {"Nest", "nestjs", "nest-js"} <= set(nest.forms)
    assert "Google Nest" not in nest.forms
    assert "Netflix" in items and not items["Netflix"].may_stand_alone(zipf_frequency)
    assert not any(i.lists == {"simple-icons"} for i in items.values())  # brands alone: none
    assert items["Vitess"].may_stand_alone(zipf_frequency)  # Devicon and Simple Icons
    assert not items["Rider"].may_stand_alone(zipf_frequency)  # an ordinary word
