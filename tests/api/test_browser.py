"""The API's pages in a real browser: Debian's Chromium, headless, driven by Playwright (never a
downloaded browser), against the API served by uvicorn on loopback."""

from __future__ import annotations

import shutil

import pytest
from report_fixture import EXTRA, JD_ID, RESUME_ID, fill
from test_api import serve

from skillbridge_pipeline.api import links
from skillbridge_pipeline.api.app import create_app
from skillbridge_pipeline.api.settings import ApiSettings
from skillbridge_pipeline.core.store import tokens

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's, never a download
# Every element that shows text of its own: its computed font size in CSS pixels.
FONT_SIZES = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getClientRects().length &&
               [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => [parseFloat(getComputedStyle(e).fontSize), e.textContent.trim().slice(0, 40)])"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is required (scripts/services.sh installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    settings = ApiSettings(results_url=f"sqlite:///{folder / 'r.db'}", models_path=folder)
    app = create_app(settings)
    fill(app.state.store)
    server, thread, url = serve(app)
    yield url, settings, tokens.create(app.state.store, "browser test", "read")[1]
    server.should_exit = True
    thread.join(10)


def only_this_server(page, url: str) -> list[tuple[str, str]]:
    """Refuse every request that leaves the API server (no network); return what was refused,
    as (resource type, address)."""
    refused: list[tuple[str, str]] = []

    def handle(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            refused.append((route.request.resource_type, route.request.url))
            route.abort()

    page.route("**/*", handle)
    return refused


@pytest.mark.parametrize("width", [400, 1400])
def test_the_report_fits_the_screen_with_legible_text(browser, api, width):
    url, settings, _ = api
    path, _ = links.report_path(settings.link_key, RESUME_ID, JD_ID)
    page = browser.new_page(viewport={"width": width, "height": 900})
    refused = only_this_server(page, url)
    page.goto(url + path)
    assert page.title() == "Skill-gap report — Clinical Data Analyst"
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= page.evaluate("innerWidth"), f"scrolls sideways at {width} px"
    sizes = page.evaluate(FONT_SIZES)
    assert sizes and min(sizes)[0] >= 11, min(sizes)
    weeks = page.eval_on_selector(".weeks", "e => getComputedStyle(e).gridTemplateColumns")
    assert len(weeks.split()) == (1 if width == 400 else 2), weeks
    page.click("details.more summary")  # the gaps past the chart's first 15, one tap away
    assert page.is_visible(f"text={EXTRA[-1]}")
    assert refused == []
    page.close()


def test_the_report_prints_every_gap(browser, api, tmp_path):
    from pypdf import PdfReader

    url, settings, _ = api
    path, _ = links.report_path(settings.link_key, RESUME_ID, JD_ID)
    page = browser.new_page()
    page.goto(url + path)
    page.pdf(path=str(tmp_path / "report.pdf"))
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "report.pdf").pages)
    assert "To learn" in text and "Week 4" in text
    assert EXTRA[-1] in text  # folded on screen, printed on paper
    page.close()


def test_the_docs_work_offline_and_authorise_with_a_token(browser, api):
    url, _, secret = api
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused = only_this_server(page, url)
    page.goto(url + "/docs")
    page.click("button.authorize")
    page.fill(".modal-ux input", secret)
    page.click(".modal-ux button.authorize")
    page.click(".modal-ux button.btn-done")
    page.click(".opblock-summary-path[data-path='/api/resumes']")
    # "Try it out" is on from the start (swagger_ui_parameters), so Execute is right there.
    with page.expect_response(lambda r: r.url.startswith(url + "/api/resumes")) as answer:
        page.click("button.execute")
    assert answer.value.status == 200
    assert answer.value.request.headers["authorization"] == f"Bearer {secret}"
    assert refused == [], refused  # nothing from a CDN
    page.goto(url + "/redoc")
    page.wait_for_selector("h2:has-text('Report Link')")  # the reference rendered
    # ReDoc's "powered by" badge is an image on its CDN: without it the page is whole.
    assert [kind for kind, _ in refused] in ([], ["image"]), refused
    page.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_advice_sections_fit_a_phone_offline(browser, width):
    """First actions, to learn, long paths and what to show: no sideways scroll on a 360 px
    phone, legible text, nothing fetched from outside the page."""
    from test_report_advice import ANALYSIS, DOCUMENTS, TEXTS

    from skillbridge_pipeline.api.report import render_report
    from skillbridge_pipeline.core.roadmaps.engine import template_roadmap

    html = render_report(ANALYSIS, {"roadmap": template_roadmap(ANALYSIS, {})}, DOCUMENTS, TEXTS)
    page = browser.new_page(viewport={"width": width, "height": 800})
    refused = only_this_server(page, "about:")
    page.set_content(html)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    sizes = page.evaluate(FONT_SIZES)
    assert sizes and min(sizes)[0] >= 11, min(sizes)
    for label in ("what to do first", "to learn", "long paths", "show in your resume"):
        assert page.is_visible(f"section[aria-label='{label}']"), label
    first = page.eval_on_selector("section.first", "e => e.getBoundingClientRect().top")
    learn = page.eval_on_selector("section.to-learn", "e => e.getBoundingClientRect().top")
    assert first < learn
    assert refused == []
    page.close()
