"""One crawl of one job page, run as `python -m skillbridge_pipeline.scraping.crawl`.

A fresh process per crawl: Twisted's reactor cannot be restarted within a process, and a crawl
that hangs or leaks can be killed without touching the caller. Prints one JSON object:
{"ok": true, "url", "final_url", "title", "text", "source": "json-ld"|"html"} or
{"ok": false, "reason", "transient"} (transient: the same request may succeed later).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import HostResolution
from twisted.internet import defer, threads
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver
from zope.interface import implementer

from skillbridge_pipeline.core.documents.parsing import html_posting, normalise_whitespace
from skillbridge_pipeline.scraping.guard import UrlRefused, check_url, checked_addresses

HTML_TYPES = ("text/html", "application/xhtml+xml")


class GuardMiddleware:
    """Checks every request, redirects included, before it leaves: scheme, host and port here;
    its addresses where the connection resolves them (`PinnedResolver`)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.allow_hosts = frozenset(crawler.settings.getlist("SKILLBRIDGE_ALLOW_HOSTS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        try:
            host, port = check_url(request.url, self.allow_hosts, resolve=False)
            if _is_address(host):  # a literal address is connected to without any lookup
                checked_addresses(host, port, self.allow_hosts)
        except UrlRefused as error:
            self.crawler.spider.failure = str(error)
            raise IgnoreRequest(str(error)) from None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@implementer(IHostnameResolver)
class PinnedResolver:
    """The reactor's name resolver for the crawl: each host is resolved once, its addresses
    (IPv4 and IPv6) are checked by the guard, and every connection to the host (redirects back
    to it included) is offered exactly the addresses that passed. No second lookup, so no DNS
    rebinding between check and connect."""

    def __init__(self, reactor, crawler):
        self.reactor = reactor
        self.crawler = crawler
        self.allow_hosts = frozenset(crawler.settings.getlist("SKILLBRIDGE_ALLOW_HOSTS"))
        self.pinned: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler, reactor):
        return cls(reactor, crawler)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes=None,
        transportSemantics: str = "TCP",
    ):
        resolution = HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        if hostName in self.pinned:
            found = defer.succeed(self.pinned[hostName])
        else:
            found = threads.deferToThreadPool(
                self.reactor, self.reactor.getThreadPool(), self._resolve, hostName
            )

        def deliver(addresses: list[str]) -> None:
            for text in addresses:
                kind = IPv6Address if ":" in text else IPv4Address
                if addressTypes is None or kind in addressTypes:
                    resolutionReceiver.addressResolved(kind("TCP", text, portNumber))
            resolutionReceiver.resolutionComplete()

        # A refused or unknown host delivers no address: the connection fails to resolve.
        found.addCallbacks(deliver, lambda _: resolutionReceiver.resolutionComplete())
        return resolution

    def _resolve(self, name: str) -> list[str]:
        try:
            addresses = checked_addresses(name, 0, self.allow_hosts)
        except UrlRefused as error:
            if self.crawler.spider is not None:
                self.crawler.spider.failure = str(error)
            raise
        self.pinned[name] = list(dict.fromkeys(addresses))
        return self.pinned[name]


class JobPageSpider(scrapy.Spider):
    name = "job_page"

    def __init__(self, url: str, **kwargs):
        super().__init__(**kwargs)
        self.url = url
        self.result: dict | None = None
        self.failure: str | None = None
        self.transient = False  # a timeout, a refused connection, HTTP 429 or 5xx

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
            status = error.response.status
            self.failure = f"HTTP {status} from {error.response.url}"
            self.transient = status == 429 or status >= 500
        else:
            message = str(error) or type(error).__name__
            self.failure = f"{type(error).__name__}: {message}"[:300]
            self.transient = not isinstance(error, IgnoreRequest)  # refused by the guard


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
            "DNS_RESOLVER": "skillbridge_pipeline.scraping.crawl.PinnedResolver",
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
    transient = bool(spider and spider.transient)
    if "max size" in reason.lower() or "maxsize" in reason.lower():
        reason, transient = f"the page is larger than {max_bytes} bytes", False
    return {"ok": False, "reason": reason, "transient": transient}


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
