"""The command line as an unlucky operator meets it (issue 31): long and hostile file names,
two `process` at once, `process` in production, a `process` killed mid-batch. Real
subprocesses on the installed entry point, real SQLite and PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLES

from skillbridge_pipeline.core.store import ResultsStore

SKILLBRIDGE = str(Path(sys.executable).with_name("skillbridge"))


def cli(home: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SKILLBRIDGE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SKILLBRIDGE_HOME": str(home), **(env or {})},
        timeout=600,
    )


def test_submit_takes_a_name_of_255_characters_and_leaves_no_part_file(tmp_path):
    source = tmp_path / ("a" * 251 + ".txt")
    source.write_text("Ana\nPython developer.\n")
    done = cli(tmp_path / "home", "submit", str(source), "--kind", "resume")
    assert done.returncode == 0, done.stderr
    [inbox_file] = os.listdir(tmp_path / "home" / "inbox" / "resumes")  # no hidden .part
    assert len(inbox_file.encode()) <= 255 and inbox_file.endswith("aaa.txt")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(11 * 1024 * 1024)  # sparse: refused by its size, never read
    refused = cli(tmp_path / "home", "submit", str(huge), "--kind", "resume")
    assert refused.returncode == 2 and "over the 10 MB limit" in refused.stderr
    assert os.listdir(tmp_path / "home" / "inbox" / "resumes") == [inbox_file]


def test_submit_shows_control_characters_in_a_name_safely(tmp_path):
    source = tmp_path / "cv\n\x1b[2Jx.txt"
    source.write_text("Ana\nPython developer.\n")
    done = cli(tmp_path / "home", "submit", str(source), "--kind", "resume")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    # the name's newline does not break the line that reports it (what to run next follows)
    first = done.stdout.splitlines()[0]
    assert first.startswith("submitted resume cv") and "[2Jx.txt" in first
    [inbox_file] = os.listdir(tmp_path / "home" / "inbox" / "resumes")
    assert inbox_file.endswith("--cv\ufffd\ufffd[2Jx.txt")


def test_a_second_process_on_one_inbox_says_so_and_leaves_it_alone(tmp_path):
    from skillbridge_pipeline.core.documents.intake import draining

    home = tmp_path / "home"
    (home / "inbox" / "resumes").mkdir(parents=True)
    (home / "inbox" / "resumes" / "cv.txt").write_text("Ana\nPython developer.\n")
    with draining(home / "inbox") as alone:  # a `process` already draining it
        assert alone
        second = cli(home, "process", "--quiet")
    assert second.returncode == 1
    assert "another process is draining this inbox" in second.stderr
    assert "Traceback" not in second.stderr
    assert (home / "inbox" / "resumes" / "cv.txt").exists()


MIGRATE = """
import sys, time
from pathlib import Path
from skillbridge_pipeline.core.store import ResultsStore
start = Path(sys.argv[2])
while not start.exists():
    time.sleep(0.001)
ResultsStore(sys.argv[1]).create_schema()
"""


def test_first_starts_at_once_on_a_new_sqlite_store_all_succeed(tmp_path):
    """Four processes creating one new store together (two `process` at once on a new home
    died with `UNIQUE constraint failed: skillbridge_schema_version`)."""
    for round_ in range(3):
        url = f"sqlite:///{tmp_path / f'results{round_}.db'}"
        start = tmp_path / f"start{round_}"
        children = [
            subprocess.Popen(
                [sys.executable, "-c", MIGRATE, url, str(start)],
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        time.sleep(3)  # all of them imported and waiting
        start.touch()
        errors = [child.communicate(timeout=120)[1] for child in children]
        assert [child.returncode for child in children] == [0, 0, 0, 0], errors
        ResultsStore(url).status_counts()


def test_process_works_in_production(tmp_path, postgres_url):
    """Every setting from the environment (SKILLBRIDGE_ENV=production) on PostgreSQL:
    `process` died at start with "Attempted to directly retrieve environment variable"."""
    env = {
        "SKILLBRIDGE_ENV": "production",
        "SKILLBRIDGE_RESULTS_URL": postgres_url,
        "SKILLBRIDGE_DEAD_LETTER_SPOOL": str(tmp_path / "spool"),
        "SKILLBRIDGE_LANDING_PATH": str(tmp_path / "landing"),
        "SKILLBRIDGE_INBOX_PATH": str(tmp_path / "inbox"),
        "SKILLBRIDGE_STORAGE_URL": str(tmp_path / "storage"),
        "SKILLBRIDGE_CHROMA_HOST": "127.0.0.1",
        "SKILLBRIDGE_CHROMA_PORT": "8000",
        "SKILLBRIDGE_MODELS_PATH": str(tmp_path / "models"),
        "GROQ_API_KEY": "",
        "SKILLBRIDGE_KAFKA_BOOTSTRAP": "",
    }
    (tmp_path / "inbox" / "resumes").mkdir(parents=True)
    (tmp_path / "inbox" / "resumes" / "cv.txt").write_text("Ana\nPython and Docker.\n")
    done = cli(tmp_path / "home", "process", "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert "resume 1 extracted" in done.stdout
    from skillbridge_pipeline.core.store.db import metadata

    metadata.drop_all(ResultsStore(postgres_url).engine)  # leave the shared database empty


def test_a_process_killed_mid_batch_leaves_nothing_queued_for_good(tmp_path):
    """SIGKILL a real `process` mid-run: the next `process` fails the run it left behind and
    dead-letters its batch, every document `failed` with the reason; `dlq replay --all` then
    extracts them all. The same bytes submitted again after a failure are processed too."""
    home = tmp_path / "home"
    jds = home / "inbox" / "jds"
    jds.mkdir(parents=True)
    postings = [
        json.loads(line)["text"]
        for line in (SAMPLES.parent / "skillspan" / "postings-train.jsonl").open()
    ]
    for number, text in enumerate(postings):
        (jds / f"posting-{number}.txt").write_text(text)
    store = ResultsStore(f"sqlite:///{home / 'results.db'}")
    child = subprocess.Popen(
        [SKILLBRIDGE, "process", "--quiet"],
        env={**os.environ, "SKILLBRIDGE_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    counts: dict = {}
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            if (home / "results.db").exists():
                try:
                    counts = store.status_counts()
                except Exception:
                    counts = {}  # the schema is not there yet
            if ("jd", "parsed") in counts:  # its run is half-way
                break
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert ("jd", "parsed") in counts, f"never caught the run mid-way: {counts}"

    recovered = cli(home, "process", "--quiet")
    assert recovered.returncode == 0, recovered.stderr
    assert "ended with their process (killed?)" in recovered.stderr
    documents = json.loads(cli(home, "status", "--json").stdout)["documents"]
    assert len(documents) == len(postings)
    assert {d["status"] for d in documents} == {"failed"}  # none left queued
    assert all("pid" in d["error"] and "killed" in d["error"] for d in documents)

    (home / "again").mkdir()
    (home / "again" / "posting-0.txt").write_text(postings[0])  # the same bytes, submitted again
    assert (
        cli(home, "submit", str(home / "again" / "posting-0.txt"), "--kind", "jd").returncode == 0
    )
    assert cli(home, "process", "--quiet").returncode == 0
    counts = ResultsStore(f"sqlite:///{home / 'results.db'}").status_counts()
    assert counts == {("jd", "extracted"): 1, ("jd", "failed"): len(postings) - 1}

    replayed = cli(home, "dlq", "replay", "--all")
    assert replayed.returncode == 0, replayed.stderr
    documents = json.loads(cli(home, "status", "--json").stdout)["documents"]
    assert {d["status"] for d in documents} == {"extracted"}


def store_with_documents(home: Path) -> ResultsStore:
    """A home whose results store and landing store hold 100 documents."""
    from sqlalchemy import text

    (home / "landing" / "resumes").mkdir(parents=True)
    store = ResultsStore(f"sqlite:///{home / 'results.db'}")
    store.create_schema()
    for number in range(100):
        doc_id = f"{number:016x}"
        (home / "landing" / "resumes" / doc_id).write_text("Python")
        store.land(
            "resume",
            doc_id,
            filename="cv.txt",
            size_bytes=6,
            source="inbox",
            landing_path=str(home / "landing" / "resumes" / doc_id),
        )
    with store.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    store.dispose()
    return store


def overwrite_page(database: Path, table: str) -> None:
    """Garbage over the root page of one table: the file still opens."""
    import sqlite3

    with sqlite3.connect(database) as conn:
        [(root,)] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
    with database.open("r+b") as file:
        file.seek((root - 1) * 4096)
        file.write(b"\xa5" * 4096)


COMMANDS = [
    ("status",),
    ("status", "--json"),
    ("process", "--quiet"),
    ("dlq", "list"),
    ("tokens", "list"),
    ("chat", "a:b", "why?"),
]


def test_a_truncated_store_is_one_clear_message_from_every_command(tmp_path):
    home = tmp_path / "home"
    store_with_documents(home)
    with (home / "results.db").open("r+b") as file:
        file.truncate(8192)
    for command in COMMANDS:
        done = cli(home, *command)
        assert done.returncode == 1, (command, done.stderr)
        assert "Traceback" not in done.stderr, command
        [line] = done.stderr.strip().splitlines()[-1:]
        assert "results store" in line and "is damaged" in line, (command, done.stderr)


def test_an_emptied_store_beside_documents_is_never_replaced_silently(tmp_path):
    home = tmp_path / "home"
    store_with_documents(home)
    (home / "results.db").write_bytes(b"")
    for command in COMMANDS[:4]:
        done = cli(home, *command)
        assert done.returncode == 1 and "the file is empty, but" in done.stderr, command
        assert (home / "results.db").stat().st_size == 0  # not a new empty store over it


def test_health_reads_the_store_as_the_routes_do(tmp_path):
    from fastapi.testclient import TestClient

    from skillbridge_pipeline.api.app import create_app
    from skillbridge_pipeline.api.settings import ApiSettings

    home = tmp_path / "home"
    store = store_with_documents(home)
    settings = ApiSettings(results_url=store.url, models_path=tmp_path)
    assert "results store damaged" not in str(
        TestClient(create_app(settings)).get("/health").json()
    )
    overwrite_page(home / "results.db", "api_tokens")
    health = TestClient(create_app(settings)).get("/health")
    assert health.status_code == 503 and health.json()["store"] is False
    assert any("damaged" in p for p in health.json()["problems"]), health.json()


def test_analyze_parses_in_the_pipelines_worker_with_its_limits(tmp_path):
    """`analyze` ran a PDF the pipeline stops at its time limit for 480 s and more, and read
    any file whole before the size limit refused it."""
    from hostile_pdfs import shared_huge_stream

    hostile = tmp_path / "shared_stream.pdf"
    hostile.write_bytes(shared_huge_stream())
    jd = SAMPLES / "jds" / "junior_frontend_developer.json"
    limited = {"SKILLBRIDGE_PARSE_TIME_LIMIT": "1.5"}
    done = cli(tmp_path / "home", "analyze", "--resume", str(hostile), "--jd", str(jd), env=limited)
    assert done.returncode == 2 and "parsing took longer than 2 s" in done.stderr, done.stderr
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(11 * 1024 * 1024)  # sparse: 11 MB that cost nothing to write
    done = cli(tmp_path / "home", "analyze", "--resume", str(huge), "--jd", str(jd))
    assert done.returncode == 2 and "over the 10 MB limit" in done.stderr, done.stderr


def test_another_programs_sqlite_file_is_not_made_a_store(tmp_path):
    import sqlite3

    home = tmp_path / "home"
    home.mkdir()
    with sqlite3.connect(home / "results.db") as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    done = cli(home, "status")
    assert done.returncode == 1 and "not a SkillBridge store: it holds notes" in done.stderr
    with sqlite3.connect(home / "results.db") as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["notes"]  # no store's tables added beside it
