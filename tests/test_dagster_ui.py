"""The Dagster UI in a real browser (Debian's Chromium via Playwright): the page of a batch that
held a failed document shows the file's name and its reason on the asset where it failed; the
runs the CLI executed belong to the workspace's code location, as the daemon's do."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from dagster import DagsterInstance

from skillbridge_pipeline.broker import free_port
from skillbridge_pipeline.core.store import ResultsStore
from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import copy_samples, run_pending
from skillbridge_pipeline.resources import embedded_resources
from skillbridge_pipeline.settings import PROJECT_ROOT


@pytest.mark.slow
def test_a_failed_documents_reason_is_on_the_asset_where_it_failed(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    monkeypatch.setenv("SKILLBRIDGE_HOME", str(tmp_path / "home"))
    copy_samples(tmp_path / "home" / "inbox", requests=False)
    (tmp_path / "home" / "inbox" / "resumes" / "Empty_Resume.txt").write_bytes(b"")
    resources = embedded_resources(tmp_path / "home")
    with DagsterInstance.get() as instance:
        assert run_pending(instance, build_definitions(resources))
    store = ResultsStore(resources["results_store"].url)
    [failed] = store.failed_documents()
    batch = failed["batch_key"]

    port = free_port()
    webserver = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
            "-p",
            str(port),
        ],
        cwd=dagster_home,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            assert webserver.poll() is None and time.monotonic() < deadline, "no Dagster UI"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=5).is_success:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        chromium = shutil.which("chromium")
        assert chromium, "Debian's chromium is required (scripts/services.sh installs it)"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(
                f"http://127.0.0.1:{port}/assets/resume_texts?view=partitions&partition={batch}"
            )
            page.wait_for_selector("text=failed_at_parse")
            page.wait_for_selector("td:has-text('Empty_Resume.txt')")
            assert page.is_visible("td:has-text('file is empty')")
            browser.close()
        assert_runs_belong_to_the_code_location(f"http://127.0.0.1:{port}/graphql")
    finally:
        os.killpg(webserver.pid, 15)
        webserver.wait(60)


def graphql(url: str, query: str) -> dict:
    response = httpx.post(url, json={"query": query}, timeout=120)
    response.raise_for_status()
    assert "errors" not in response.json(), response.json()
    return response.json()["data"]


def assert_runs_belong_to_the_code_location(url: str) -> None:
    """Linked (the run names its location), listed (the job's page lists it), re-executable (the
    UI launches a re-execution from the location), and said to come from their sensor."""
    runs = graphql(
        url,
        """{ runsOrError { ... on Runs { results { runId jobName
             repositoryOrigin { repositoryLocationName repositoryName }
             tags { key value } } } } }""",
    )["runsOrError"]["results"]
    assert runs
    for run in runs:
        origin = run["repositoryOrigin"]
        assert origin == {
            "repositoryLocationName": "skillbridge",
            "repositoryName": "__repository__",
        }
        tags = {t["key"]: t["value"] for t in run["tags"]}
        assert tags.get("dagster/sensor_name"), run
    job = runs[-1]["jobName"]
    listed = graphql(
        url,
        f"""{{ pipelineOrError(params: {{repositoryLocationName: "skillbridge",
             repositoryName: "__repository__", pipelineName: "{job}"}}) {{
             ... on Pipeline {{ runs {{ runId }} }} }} }}""",
    )["pipelineOrError"]["runs"]
    assert {r["runId"] for r in runs if r["jobName"] == job} == {r["runId"] for r in listed}
    launched = graphql(
        url,
        f"""mutation {{ launchPipelineReexecution(reexecutionParams:
             {{parentRunId: "{runs[-1]["runId"]}", strategy: ALL_STEPS}}) {{
             __typename ... on PythonError {{ message }} }} }}""",
    )["launchPipelineReexecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
