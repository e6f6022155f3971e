"""The API's pages a person opens in a browser: the front page, the offline docs with the bearer
scheme, the report page and its signed, expiring links (TestClient over a real SQLite store)."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from report_fixture import ANALYSIS, EXTRA, JD_ID, RESUME_ID, fill

from skillbridge_pipeline.api import links
from skillbridge_pipeline.api.app import create_app
from skillbridge_pipeline.api.settings import ApiSettings
from skillbridge_pipeline.core.store import tokens


@pytest.fixture
def api(tmp_path):
    settings = ApiSettings(
        results_url=f"sqlite:///{tmp_path / 'results.db'}", models_path=tmp_path / "models"
    )
    app = create_app(settings)
    fill(app.state.store)
    with TestClient(app) as client:
        client.settings = settings
        client.read = tokens.create(app.state.store, "reader", "read")[1]
        yield client
    app.state.store.dispose()


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_the_front_page_links_docs_health_and_metrics(api):
    page = api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for target in ("/docs", "/redoc", "/health", "/metrics", "/openapi.json"):
        assert f'href="{target}"' in page.text


def test_docs_load_their_assets_from_the_package_not_a_cdn(api):
    for page in ("/docs", "/redoc"):
        html = api.get(page).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(s.startswith("/") for s in sources), sources
        for source in sources:
            assert api.get(source).status_code == 200, source
    assert "cdn.jsdelivr" not in api.get("/docs").text


def test_the_bearer_scheme_is_declared_so_swagger_can_authorise(api):
    schema = api.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["token"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "skillbridge tokens create" in scheme["description"]
    operation = schema["paths"]["/api/analyses/{resume_id}/{jd_id}"]["get"]
    assert {"token": []} in operation["security"]
    assert "security" not in schema["paths"]["/health"]["get"]


def test_a_signed_link_opens_one_report_for_a_while(api):
    made = api.get(f"/api/report-links/{RESUME_ID}/{JD_ID}", headers=bearer(api.read))
    assert made.status_code == 200, made.text
    url = made.json()["url"]
    assert "token" not in url and api.read not in url
    page = api.get(url)
    assert page.status_code == 200 and "Skill-gap report" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"

    assert api.get(url.split("&sig=")[0] + "&sig=%C3%A9t%C3%A9").status_code == 403  # not hex
    forged = api.get(url.replace(f"/{JD_ID}?", f"/{'f' * 16}?"))  # another analysis' path
    assert forged.status_code == 403 and "text/html" in forged.headers["content-type"]
    expired, _ = links.report_path(
        api.settings.link_key, RESUME_ID, JD_ID, seconds=60, now=time.time() - 120
    )
    refused = api.get(expired)
    assert refused.status_code == 403 and "expired" in refused.text


def test_a_report_without_a_token_says_what_to_do_in_a_page(api):
    page = api.get(f"/report/{RESUME_ID}/{JD_ID}")
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert "skillbridge results --report" in page.text and '{"detail"' not in page.text


def test_an_unknown_report_is_a_404_page(api):
    page = api.get("/report/0000/1111", headers=bearer(api.read))
    assert page.status_code == 404 and "no such analysis" in page.text


def test_a_token_in_the_address_is_swapped_for_a_signed_link(api):
    opened = api.get(f"/report/{RESUME_ID}/{JD_ID}?token={api.read}", follow_redirects=False)
    assert opened.status_code == 303
    target = opened.headers["location"]
    assert "sig=" in target and api.read not in target
    assert api.get(target).status_code == 200
    assert api.get(f"/report/{RESUME_ID}/{JD_ID}", headers=bearer(api.read)).status_code == 200


def test_the_report_reads_as_an_answer_not_a_dump(api):
    html = api.get(f"/report/{RESUME_ID}/{JD_ID}", headers=bearer(api.read)).text
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert "#" not in title and "Clinical Data Analyst" in title
    assert "What to do first" in html and "<strong>Learn SQL</strong>" in html
    assert "1 of 22 requirements met" in html  # what the match counts
    # Evidence as the sentence it came from, the skill's words marked.
    assert "3+ years of <mark>SQL</mark> and Python for data analysis are required." in html
    assert "Built a weekly <mark>Excel</mark> report of patient falls" in html
    assert "Closest:" not in html and "0.71" not in html.split('class="technical"')[0]
    # Internals only in the technical fold.
    before, fold = html.split('<details class="technical">')
    assert ANALYSIS["model_version"] not in before and ANALYSIS["model_version"] in fold
    assert "data_analytics" not in before and "data_analytics" in fold
    # Every gap reachable: 15 bars, then the rest one tap away.
    bars = re.findall(r'<span class="bar-name">([^<]*)<', html)
    assert len(bars) == 21 and set(EXTRA) <= set(bars)
    assert "6 more gaps</summary>" in html
