"""A job posting's title and text from its HTML: schema.org JobPosting JSON-LD when the page
has it (most applicant-tracking systems embed it), the page's main text otherwise."""

from __future__ import annotations

import json

import lxml.html

from skillbridge_pipeline.core.parsing import html_to_text, normalise_whitespace


def job_from_html(html: str) -> dict:
    root = lxml.html.document_fromstring(html)
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        posting = _find_job_posting(data)
        if posting and isinstance(posting.get("description"), str):
            title = posting.get("title") if isinstance(posting.get("title"), str) else None
            body = (
                html_to_text(posting["description"])
                if "<" in posting["description"]
                else posting["description"]
            )
            return {"title": title, "text": normalise_whitespace(body), "source": "json-ld"}
    titles = root.xpath("//h1")
    title = titles[0].text_content().strip() if titles else None
    main = root.xpath("//main|//article|//*[@role='main']")
    text = (
        html_to_text(lxml.html.tostring(main[0], encoding="unicode"))
        if main
        else html_to_text(html)
    )
    return {"title": title, "text": normalise_whitespace(text), "source": "html"}


def _find_job_posting(data) -> dict | None:
    if isinstance(data, list):
        for item in data:
            if found := _find_job_posting(item):
                return found
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("@type")
    if kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind):
        return data
    return _find_job_posting(data.get("@graph", []))
