"""A batch is extracted at once; a document that makes extraction raise fails alone, with a
reason, and the rest of its batch is extracted as if it were not there."""

from skillbridge_pipeline.core.documents.processing import TextOutcome, extract_batch
from skillbridge_pipeline.core.skills.extraction import SkillExtractor


class Faulty(SkillExtractor):
    """The real extractor, with a fault in reading one document's names."""

    def find_mentions(self, text, *args, **kwargs):
        if "UNREADABLE" in text:
            raise ValueError("a pattern went wrong on this text")
        return super().find_mentions(text, *args, **kwargs)


def parsed(doc_id: str, text: str, kind: str = "resume") -> TextOutcome:
    return TextOutcome(doc_id, kind, "parsed", text=text, text_chars=len(text))


def test_a_document_that_breaks_extraction_fails_alone(taxonomy):
    extractor = Faulty(taxonomy)
    batch = [
        parsed("a" * 16, "Python, SQL and Docker for five years."),
        parsed("b" * 16, "UNREADABLE Python and Kubernetes"),
        parsed("c" * 16, "Requirements: Java and Spring Boot", "jd"),
        TextOutcome("d" * 16, "resume", "failed", error="the file is empty"),
    ]
    outcomes, failed = extract_batch(batch, extractor)
    assert [o.doc_id for o in outcomes] == ["a" * 16, "c" * 16]
    assert failed == {
        "b" * 16: "skill extraction failed (ValueError: a pattern went wrong on this text)"
    }
    names = {o.doc_id: {s["name"] for s in o.skills} for o in outcomes}
    assert {"Python", "SQL", "Docker"} <= names["a" * 16]
    assert "Java" in names["c" * 16]


def test_a_sound_batch_is_what_each_document_gives_alone(extractor):
    batch = [parsed("a" * 16, "Python and SQL."), parsed("c" * 16, "Must know Java.", "jd")]
    outcomes, failed = extract_batch(batch, extractor)
    assert not failed
    assert [o.skills for o in outcomes] == [
        [s.record() for s in extractor.extract(d.text, kind=d.kind)] for d in batch
    ]
