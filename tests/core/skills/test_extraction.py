"""The extractor on the cases that break naive matchers."""

import pytest

from skillbridge_pipeline.core.skills.jd_context import SentenceRoles, split_sentences
from skillbridge_pipeline.core.skills.text import tokenize


def names(extractor, text, kind="resume"):
    return {s.name for s in extractor.extract(text, kind=kind)}


def test_tokens_keep_tech_names_whole():
    assert tokenize("C++, C#, .NET, Node.js and R&D").norms == [
        "c++",
        "c#",
        ".net",
        "node.js",
        "and",
        "r&d",
    ]


def test_token_columns_index_the_text():
    text = "  Kuber\u200bnetes, the team’s Master's-level\n\nGo."
    tokens = tokenize(text)
    assert tokens.texts == ["Kubernetes", "the", "team’s", "Master's", "level", "Go"]
    assert tokens.norms == ["kubernetes", "the", "team", "master", "level", "go"]
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == [
        "Kuber\u200bnetes",
        "the",
        "team’s",
        "Master's",
        "level",
        "Go",
    ]
    assert tokens.joints == ["", ", ", " ", " ", "-", "\n\n"]
    assert len(tokenize("")) == 0 and len(tokenize(" ,.")) == 0


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Strong JavaScript skills.", {"JavaScript"}, {"Java"}),
        ("We need Java and JavaScript developers.", {"Java", "JavaScript"}, set()),
        ("Experience in R&D for medical devices.", set(), {"R"}),
        ("You will own our go-to-market plan with Python tooling.", {"Python"}, {"Go"}),
        ("Services written in Go, Python and Rust.", {"Go", "Python"}, set()),
        ("Statistics in R, Python and SQL.", {"R", "Python", "SQL"}, set()),
        ("Go ahead and apply today!", set(), {"Go"}),
        ("You excel at teamwork and communication.", set(), {"Microsoft Excel"}),
        ("Advanced Microsoft Excel and SQL reporting.", {"Microsoft Excel", "SQL"}, set()),
        ("C++ and C# on .NET, plus Node.js.", {"C++", "C#", ".NET", "Node.js"}, {"C"}),
    ],
)
def test_boundaries_and_ambiguity(extractor, text, present, absent):
    found = names(extractor, text)
    assert present <= found, found
    assert not (absent & found), found


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("JS", "JavaScript"),
        ("TS", "TypeScript"),
        ("k8s", "Kubernetes"),
        ("Postgres", "PostgreSQL"),
        ("GCP", "Google Cloud Platform"),
        ("scikit learn", "scikit-learn"),
        ("CI/CD", "CI/CD"),
        ("ReactJS", "React"),
        ("golang", "Go"),
        ("AWS", "Amazon Web Services"),
        ("NodeJS", "Node.js"),
        ("ML", "Machine learning"),
    ],
)
def test_aliases_normalise_to_canonical(extractor, alias, canonical):
    found = extractor.extract(f"Experience with {alias}, Docker and Linux is required.")
    by_name = {s.name: s for s in found}
    assert canonical in by_name, [s.name for s in found]
    assert by_name[canonical].surface == alias


def test_case_and_punctuation_variants(extractor):
    found = names(extractor, "POSTGRESQL, docker; kubernetes. Python3")
    assert {"PostgreSQL", "Docker", "Kubernetes", "Python"} <= found


def test_evidence_offsets_point_at_the_surface(extractor, sample_resume_text):
    found = extractor.extract(sample_resume_text)
    assert len(found) > 10
    for skill in found:
        assert sample_resume_text[skill.start : skill.end] == skill.surface
        assert 0 < skill.confidence <= 1
        for start, end in skill.mentions:
            assert sample_resume_text[start:end].strip()


def test_one_entry_per_canonical_skill(extractor):
    found = extractor.extract("Kubernetes (k8s) on GKE; we love K8s and kubernetes.")
    assert [s.name for s in found].count("Kubernetes") == 1
    kubernetes = next(s for s in found if s.name == "Kubernetes")
    assert len(kubernetes.mentions) == 5  # GKE is Kubernetes too


def test_spoken_language_needs_a_proficiency_cue(extractor):
    assert "English" in names(extractor, "Fluent English is required.", kind="jd")
    assert "English" not in names(extractor, "Please send your CV in English.", kind="jd")


def test_required_and_preferred_from_wording(extractor):
    jd = (
        "Backend Engineer\n\nRequirements:\n- 5 years of experience with Python and PostgreSQL\n"
        "\nNice to have:\n- Kubernetes\n- Terraform\n"
    )
    found = {s.name: s.requirement for s in extractor.extract(jd, kind="jd")}
    assert found["Python"] == "required"
    assert found["PostgreSQL"] == "required"
    assert found["Kubernetes"] == "preferred"
    assert found["Terraform"] == "preferred"


def test_company_self_description_is_less_confident(extractor):
    asked = {
        s.name: s.confidence
        for s in extractor.extract("You have experience with Kafka.", kind="jd")
    }
    described = {
        s.name: s.confidence
        for s in extractor.extract(
            "We are a company whose platform runs on Kafka.", kind="jd", min_confidence=0
        )
    }
    assert described["Apache Kafka"] < asked["Apache Kafka"]


def test_empty_and_skill_free_text(extractor):
    assert extractor.extract("") == []
    assert extractor.extract("We bake bread every morning and sell it by noon.") == []


def test_an_inline_benefits_header_starts_a_sentence_of_its_own():
    # "İ" lowercases to two characters: the cut must still land on the header
    text = "İzmir office. Fluency in English Job benefits: free parking.\nJob benefits: gym"
    sentences = [text[start:end] for start, end in split_sentences(text)]
    assert sentences == [
        "İzmir office.",
        " Fluency in English ",
        "Job benefits: free parking.",
        "Job benefits: gym",
    ]
    roles = SentenceRoles(text)
    assert roles.at(text.index("English")) != "company"
    assert roles.at(text.index("parking")) == "company"
