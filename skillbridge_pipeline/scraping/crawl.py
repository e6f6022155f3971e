"""One crawl of one job page, run as `python -m skillbridge_pipeline.scraping.crawl`.

A fresh process per crawl: Twisted's reactor cannot be restarted within a process, and a crawl
that hangs or leaks can be killed without touching the caller. Prints one JSON object:
{"ok": true, "url", "final_url", "title", "text", "source": "json-ld"|"html"} or
{"ok": false, "reason"}.
"""

from __future__ import annotations

import argparse
import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import IgnoreRequest

from skillbridge_pipeline.core.parsing import html_posting, normalise_whitespace
from skillbridge_pipeline.scraping.guard import UrlRefused, check_url

HTML_TYPES = ("text/html", "application/xhtml+xml")


class GuardMiddleware:
    """Checks every request, redirects included, before it leaves."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.allow_hosts = frozenset(crawler.settings.getlist("SKILLBRIDGE_ALLOW_HOSTS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        try:
            check_url(request.url, self.allow_hosts)
        except UrlRefused as error:
            self.crawler.spider.failure = str(error)
            raise IgnoreRequest(str(error)) from None


class JobPageSpider(scrapy.Spider):
    name = "job_page"

    def __init__(self, url: str, **kwargs):
        super().__init__(**kwargs)
        self.url = url
        self.result: dict | None = None
        self.failure: str | None = None

    async def start(self):
        yield scrapy.Request(self.url, callback=self.parse, errback=self.failed)

    def parse(self, response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if not content_type.startswith(HTML_TYPES):
            self.failure = f"not an HTML page (content type {content_type or 'missing'!r})"
            return
        title, text, source = html_posting(response.text)
        job = {"title": title, "text": normalise_whitespace(text), "source": source}
        if not job["text"].strip():
            self.failure = "the page has no readable text"
            return
        self.result = {"ok": True, "url": self.url, "final_url": response.url, **job}

    def failed(self, failure):
        if self.failure:
            return
        from scrapy.spidermiddlewares.httperror import HttpError

        error = failure.value
        if isinstance(error, HttpError):
            self.failure = f"HTTP {error.response.status} from {error.response.url}"
        else:
            message = str(error) or type(error).__name__
            self.failure = f"{type(error).__name__}: {message}"[:300]


def crawl(url: str, timeout: float, max_bytes: int, allow_hosts: list[str]) -> dict:
    try:
        check_url(url, frozenset(allow_hosts))
    except UrlRefused as error:
        return {"ok": False, "reason": str(error)}
    process = CrawlerProcess(
        settings={
            "LOG_ENABLED": False,
            "ROBOTSTXT_OBEY": False,  # one page a person asked for, not a crawl
            "RETRY_ENABLED": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "DOWNLOAD_TIMEOUT": timeout,
            "DOWNLOAD_MAXSIZE": max_bytes,
            "DOWNLOAD_WARNSIZE": 0,
            "REDIRECT_MAX_TIMES": 3,
            "USER_AGENT": "SkillBridge/0.1 (job description import)",
            "SKILLBRIDGE_ALLOW_HOSTS": allow_hosts,
            "DOWNLOADER_MIDDLEWARES": {"skillbridge_pipeline.scraping.crawl.GuardMiddleware": 50},
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    crawler = process.create_crawler(JobPageSpider)
    process.crawl(crawler, url=url)
    process.start()
    spider = crawler.spider
    if spider is not None and spider.result:
        return spider.result
    reason = (spider.failure if spider else None) or "the page could not be fetched"
    if "max size" in reason.lower() or "maxsize" in reason.lower():
        reason = f"the page is larger than {max_bytes} bytes"
    return {"ok": False, "reason": reason}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--max-bytes", type=int, default=2_000_000)
    parser.add_argument("--allow-host", action="append", default=[])
    args = parser.parse_args()
    print(json.dumps(crawl(args.url, args.timeout, args.max_bytes, args.allow_host)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
