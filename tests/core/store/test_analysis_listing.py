"""Finding stored analyses and documents the way a person names them, on both backends."""

from report_fixture import JD_ID, RESUME_ID, fill


def test_documents_are_found_by_file_name_id_or_id_prefix(store):
    fill(store)
    for name in ("Maria_Gonzalez_Resume.docx", "maria_gonzalez_resume.DOCX", RESUME_ID, "a1b2c3"):
        assert [d["doc_id"] for d in store.documents_named(name)] == [RESUME_ID], name
    assert [d["kind"] for d in store.documents_named("clinical_data_analyst.md", "jd")] == ["jd"]
    assert store.documents_named("clinical_data_analyst.md", "resume") == []
    assert store.documents_named("a1b") == []  # too short to be taken for an id's start


def test_analyses_are_listed_with_names_and_top_gaps(store):
    fill(store)
    [row] = store.analysis_listing()
    assert (row["resume_file"], row["jd_file"]) == (
        "Maria_Gonzalez_Resume.docx",
        "clinical_data_analyst.md",
    )
    assert row["jd_title"] == "# Clinical Data Analyst"  # as stored; pages clean it
    assert row["top_gaps"] == ["SQL", "Python", "Tableau"] and row["overall_match"] == 0.07
    assert store.analysis_listing_of_pairs([(RESUME_ID, JD_ID)]) == [row]
    assert store.analysis_listing_of_pairs([(JD_ID, RESUME_ID)]) == []
    assert store.analysis_listing([], None) == []
