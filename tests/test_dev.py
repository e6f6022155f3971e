"""`skillbridge dev` as a script or a service manager starts it: no terminal, SIGINT ignored (a
shell without job control does that to background commands), stopped with SIGTERM."""

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from test_cli import SKILLBRIDGE

from skillbridge_pipeline.broker import free_port


def skipped_ticks(dagster_home: Path) -> int:
    """Sensor ticks the daemon recorded as skipped (nothing to do): proof that it is ticking."""
    database = dagster_home / "schedules" / "schedules.db"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as conn:
        try:
            return conn.execute(
                "select count(*) from job_ticks where status = 'SKIPPED'"
            ).fetchone()[0]
        except sqlite3.OperationalError:  # the daemon has not created the table yet
            return 0


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition, what: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(1)


@pytest.mark.slow
def test_dev_is_quiet_and_stops_cleanly_on_sigterm_without_a_terminal(tmp_path):
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        "SKILLBRIDGE_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(dagster_home),
    }
    port = free_port()
    log = tmp_path / "dev.log"
    with log.open("w") as out:
        dev = subprocess.Popen(
            [SKILLBRIDGE, "dev", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
    try:

        def answers() -> bool:
            assert dev.poll() is None, log.read_text()[-3000:]
            try:
                return httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=5).is_success
            except httpx.HTTPError:
                return False

        wait_for(answers, "the Dagster UI answers")
        wait_for(lambda: skipped_ticks(dagster_home) >= 3, "three skipped sensor ticks")
        assert os.getpgid(dev.pid) == dev.pid  # its own process group
        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=120) == 0
    finally:
        if dev.poll() is None:
            os.killpg(dev.pid, signal.SIGKILL)
    wait_for(lambda: not group_alive(dev.pid), "the UI, the daemon and the code server stop", 60)
    output = log.read_text()
    assert f"Dagster UI: http://127.0.0.1:{port}" in output
    assert "SupersessionWarning" not in output and "superseded" not in output, output
    assert "skipped" not in output.lower() and "WARNING" not in output, output
