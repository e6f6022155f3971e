"""Everyday equipment that non-software postings ask for (O*NET 29.3 Tools Used)."""

import pytest

from skillbridge_pipeline.core.skills.taxonomy_build import _singular, _tool_names

EXAMPLES = [
    (
        "Experience operating a forklift and pallet jack is essential.",
        {"Forklift", "Pallet jack"},
    ),
    (
        "You will use infusion pumps, defibrillators and ECG monitors.",
        {"Infusion pump", "Defibrillator"},
    ),
    ("Experience with a cash register and card terminals.", {"Cash register"}),
    ("Must be confident using a combi oven and a blast chiller.", {"Blast chiller"}),
    (
        "Requirements: able to use multimeters, cable pullers and conduit benders.",
        {"Multimeter", "Conduit bender"},
    ),
    ("Calibrates EKG machines and oscilloscopes.", {"Electrocardiography machine"}),
]
# Generic office kit: left out of the import (UNSPSC segment 43, or listed by too many
# occupations), so ordinary sentences name no skill.
ORDINARY = [
    "I sent the file from my desktop computer",
    "Answer the telephone politely",
    "We will give you a laptop",
]


def names(extractor, text, kind):
    return {s.name for s in extractor.extract(text, kind=kind)}


@pytest.mark.parametrize(("text", "present"), EXAMPLES)
@pytest.mark.parametrize("kind", ["jd", "resume"])
def test_equipment_is_found_by_name(extractor, text, present, kind):
    found = names(extractor, text, kind)
    assert present <= found, found


@pytest.mark.parametrize("text", ORDINARY)
@pytest.mark.parametrize("kind", ["jd", "resume"])
def test_generic_office_kit_is_no_skill(extractor, text, kind):
    assert names(extractor, text, kind) == set()


def test_catalogue_names_become_singular():
    assert _singular("Forklifts") == ["Forklift"]
    assert _singular("Cash registers") == ["Cash register"]
    assert _singular("Workbenches") == ["Workbench", "Workbenches"]
    assert _singular("Batteries") == ["Battery"]
    assert _singular("Safety glass") == ["Safety glass"]
    assert _tool_names("Electrocardiography EKG machines") == (
        "Electrocardiography machine",
        ["EKG machine"],
    )
    # A bare acronym is no alias: "AED" is also a currency.
    assert _tool_names("Automated external defibrillators AED") == (
        "Automated external defibrillator",
        [],
    )
