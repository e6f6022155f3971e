"""What the inbox takes and what it leaves alone (issue 31): regular files only, never a
link's target; any file name (bytes that are not UTF-8, controls, any length) is stored and
shown safely and never stops the sensor. On SQLite and PostgreSQL."""

import os
from pathlib import Path

import pytest
from dagster import build_sensor_context, instance_for_test

from skillbridge_pipeline.core.documents.identity import document_id
from skillbridge_pipeline.core.documents.intake import (
    InboxFile,
    land_inbox,
    scan_inbox,
    submitted_name,
)
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.resources import (
    EmbeddingResource,
    ResultsStoreResource,
    embedded_resources,
)
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor

RESUME = b"Ana Silva\nBackend engineer: Python, PostgreSQL and Docker.\n"


def resources_on(home: Path, store: ResultsStore) -> dict:
    """The embedded resources with the results store of the test (SQLite or PostgreSQL)."""
    results_store = ResultsStoreResource(url=store.url)
    return {
        **embedded_resources(home),
        "results_store": results_store,
        "embeddings": EmbeddingResource(results_store=results_store),
    }


def tick(resources: dict):
    with (
        instance_for_test() as instance,
        build_sensor_context(instance=instance, resources=resources) as context,
    ):
        return document_inbox_sensor(context)


def test_links_and_special_files_are_refused_with_a_reason_and_left_alone(tmp_path, store):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("DATABASE_URL=postgresql://admin:hunter2@db/prod\n")
    resumes = tmp_path / "home" / "inbox" / "resumes"
    resumes.mkdir(parents=True)
    (resumes / "cv.txt").symlink_to(secret)
    (resumes / "environ.txt").symlink_to("/proc/self/environ")
    (resumes / "dangling.txt").symlink_to(tmp_path / "nowhere")
    os.mkfifo(resumes / "pipe.txt")
    (resumes / "good.txt").write_bytes(RESUME)
    outside_jds = tmp_path / "outside" / "jds"
    outside_jds.mkdir()
    (outside_jds / "jd.txt").write_text("Python developer wanted.\n")
    (tmp_path / "home" / "inbox" / "jds").symlink_to(outside_jds)

    tick(resources_on(tmp_path / "home", store))

    counts = store.status_counts()
    assert counts == {("resume", "queued"): 1}  # good.txt only
    assert store.get_document("resume", document_id(RESUME))["filename"] == "good.txt"
    for name in ("cv.txt", "environ.txt", "dangling.txt", "pipe.txt"):
        assert os.path.lexists(resumes / name), name  # left where it was
    assert (outside_jds / "jd.txt").exists()
    refused = scan_inbox(tmp_path / "home" / "inbox", 10).refused
    assert refused == [
        "jds: a symbolic link (the inbox's folders must be its own)",
        "resumes/cv.txt: a symbolic link (the inbox takes regular files only, never a link's "
        "target)",
        "resumes/dangling.txt: a symbolic link (the inbox takes regular files only, never a "
        "link's target)",
        "resumes/environ.txt: a symbolic link (the inbox takes regular files only, never a "
        "link's target)",
        "resumes/pipe.txt: not a regular file (a device, pipe or socket)",
    ]
    landed = list((tmp_path / "home" / "landing").rglob("*.*"))
    assert [p.read_bytes() for p in landed] == [RESUME]  # nothing from outside was kept


def test_a_link_swapped_in_after_the_scan_is_not_followed(tmp_path, store):
    """The scan saw a regular file; by the time it is opened it is a link (O_NOFOLLOW)."""
    inbox = tmp_path / "inbox"
    (inbox / "resumes").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (inbox / "resumes" / "cv.txt").symlink_to(tmp_path / "secret.txt")
    landing = embedded_resources(tmp_path)["landing"].landing
    files = [InboxFile("resume", inbox / "resumes" / "cv.txt")]
    report = land_inbox(inbox, files, landing, store)
    assert report.landed == 0 and report.unreadable == [
        "cv.txt: a symbolic link (the inbox takes regular files only)"
    ]
    assert store.status_counts() == {}
    assert (inbox / "resumes" / "cv.txt").is_symlink()


@pytest.mark.parametrize(
    "raw_name, stored",
    [
        (b"cv_\xff.txt", "cv_\ufffd.txt"),  # not UTF-8
        (b"cv\n\x1b[31mred.txt", "cv\ufffd\ufffd[31mred.txt"),  # a newline, an ANSI escape
        (b"cv\xe2\x80\xaetxt.exe.txt", "cv\ufffdtxt.exe.txt"),  # a right-to-left override
    ],
)
def test_any_file_name_lands_under_a_safe_name(tmp_path, store, raw_name, stored):
    resumes = tmp_path / "inbox" / "resumes"
    resumes.mkdir(parents=True)
    descriptor = os.open(os.fsencode(resumes) + b"/" + raw_name, os.O_WRONLY | os.O_CREAT)
    os.write(descriptor, RESUME)
    os.close(descriptor)
    result = tick(resources_on(tmp_path, store))
    assert len(result.run_requests) == 1
    assert store.get_document("resume", document_id(RESUME))["filename"] == stored
    assert os.listdir(os.fsencode(resumes)) == []  # taken, whole, once
    assert os.listdir(os.fsencode(tmp_path / "inbox" / "processed" / "resumes")) == [raw_name]


def test_a_submitted_name_fits_the_file_system_with_its_hash(tmp_path):
    for name in ("é" * 140 + ".pdf", "x" * 255, "a" * 250 + ".docx"):
        inbox_name = submitted_name("0123456789abcdef", name)
        assert len(inbox_name.encode()) <= 255
        assert inbox_name.endswith(os.path.splitext(name)[1])
        (tmp_path / inbox_name).write_bytes(b"fits")  # no OSError: File name too long


def test_a_big_file_is_streamed_into_the_landing_store_not_read_whole(tmp_path, store):
    """Landed in 1 MB chunks while hashed (the 1 GiB file of the trial took 1.3 GB of memory);
    the run's verification hashes it in chunks too."""
    from skillbridge_pipeline.core.documents.landing import LandingStore

    resumes = tmp_path / "inbox" / "resumes"
    resumes.mkdir(parents=True)
    big = os.urandom(1024) * (12 * 1024)  # 12 MB, over the document limit
    (resumes / "big.txt").write_bytes(big)
    tick(resources_on(tmp_path, store))
    record = store.get_document("resume", document_id(big))
    assert record["status"] == "queued" and Path(record["landing_path"]).read_bytes() == big
    assert LandingStore.fingerprint(record["landing_path"]) == (document_id(big), len(big))
    landing = LandingStore(tmp_path / "landing")
    again = landing.put("resume", big, "again.txt")  # the same bytes find the first copy
    assert again.path == Path(record["landing_path"]) and again.size == len(big)
    assert not list((tmp_path / "landing").rglob("*.tmp"))


def test_a_file_still_being_written_is_taken_whole_and_once(tmp_path, store):
    """Written slowly under its own name (no temporary name), as a copy over a slow share is:
    it was taken half-written. A tick while it grows leaves it; the one after takes it all."""
    import threading
    import time

    resumes = tmp_path / "inbox" / "resumes"
    resumes.mkdir(parents=True)
    path = resumes / "slow.txt"
    done = threading.Event()

    def write_slowly() -> None:
        with path.open("wb") as out:
            for number in range(100_000):  # until the tick below has looked at it
                out.write(f"line {number}: Python, SQL and Docker.\n".encode())
                out.flush()
                if done.is_set():
                    return
                time.sleep(0.05)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    while not path.exists() or not path.stat().st_size:
        time.sleep(0.01)
    resources = resources_on(tmp_path, store)
    tick(resources)  # while it grows
    done.set()
    writer.join()
    whole = next((tmp_path / "inbox").rglob("slow.txt")).read_bytes()
    tick(resources)
    assert store.status_counts() == {("resume", "queued"): 1}
    [document] = store.list_documents("resume", 0, 10)[1]
    assert document["doc_id"] == document_id(whole)  # all of it, once
