"""JD from URL: the Scrapy spider (a subprocess per crawl) against local job pages."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from skillbridge_pipeline.scraping.fetch import ScrapeFailed, ScrapeSettings, fetch_job
from skillbridge_pipeline.scraping.guard import UrlRefused, check_url

pytestmark = pytest.mark.slow
JOB = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Data Engineer",
    "description": "<p>We need <b>Python</b>, Apache Spark and Kafka.</p><ul><li>SQL</li></ul>",
}
PAGES = {
    "/jsonld": (
        "text/html; charset=utf-8",
        f"<html><head><script type='application/ld+json'>"
        f"{json.dumps({'@graph': [{'@type': 'Organization'}, JOB]})}</script></head>"
        "<body><nav>Menu</nav><p>Cookie banner</p></body></html>",
    ),
    "/plain": (
        "text/html",
        "<html><body><nav>Jobs | About</nav><main><h1>SRE</h1>"
        "<p>Run Kubernetes and Terraform.</p></main></body></html>",
    ),
    "/pdf": ("application/pdf", "%PDF-1.4 not a page"),
}


class Pages(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/404":
            self.send_error(404)
        elif self.path == "/redirect-private":
            self.send_response(302)
            self.send_header("Location", "http://10.255.255.1/job")
            self.end_headers()
        elif self.path == "/redirect-local":
            self.send_response(302)
            self.send_header("Location", "/plain")
            self.end_headers()
        elif self.path == "/big":
            body = b"<html><body>" + b"x" * 3_000_000 + b"</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/slow":
            time.sleep(3)
            self.send_error(500)
        elif self.path in PAGES:
            content_type, body = PAGES[self.path]
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def settings(**kw):
    return ScrapeSettings(
        timeout_seconds=kw.pop("timeout", 2),
        max_bytes=kw.pop("max_bytes", 100_000),
        allow_hosts=("127.0.0.1",),
    )


def test_json_ld_job_posting(site):
    job = fetch_job(f"{site}/jsonld", settings())
    assert job["source"] == "json-ld" and job["title"] == "Data Engineer"
    assert "Apache Spark" in job["text"] and "Cookie banner" not in job["text"]


def test_plain_html_main_text_after_a_local_redirect(site):
    job = fetch_job(f"{site}/redirect-local", settings())
    assert job["source"] == "html" and job["title"] == "SRE"
    assert "Kubernetes" in job["text"] and "About" not in job["text"]
    assert job["final_url"].endswith("/plain")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/404", "HTTP 404"),
        ("/redirect-private", "refusing to fetch 10.255.255.1"),
        ("/big", "larger than 100000 bytes"),
        ("/slow", "TimeoutError"),
        ("/pdf", "not an HTML page"),
    ],
)
def test_failures_say_why_and_to_paste_the_text(site, path, reason):
    with pytest.raises(ScrapeFailed) as caught:
        fetch_job(f"{site}{path}", settings(timeout=1))
    assert reason in caught.value.reason and "paste" in caught.value.reason


def test_connection_refused_and_malformed_urls():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ScrapeFailed, match="ConnectionRefused"):
        fetch_job(f"http://127.0.0.1:{port}/job", settings())
    with pytest.raises(ScrapeFailed, match="not an http"):
        fetch_job("not a url", settings())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
        "file:///etc/passwd",
        "http://user@/x",
    ],
)
def test_guard_refuses_private_and_metadata_addresses(url):
    with pytest.raises(UrlRefused):
        check_url(url)


def test_many_crawls_in_one_process_tree(site):
    for _ in range(3):  # a reactor per subprocess: no ReactorNotRestartable
        assert fetch_job(f"{site}/plain", settings())["title"] == "SRE"


def test_a_request_with_a_jd_url_fetches_the_page_or_fails_with_the_reason(site, tmp_path):
    from skillbridge_pipeline.core.intake import land_requests
    from skillbridge_pipeline.core.store import ResultsStore
    from skillbridge_pipeline.resources import InboxResource

    store = ResultsStore(f"sqlite:///{tmp_path / 'r.db'}")
    store.create_schema()
    inbox = InboxResource(
        path=str(tmp_path / "inbox"), fetch_allow_hosts=["127.0.0.1"], fetch_timeout_seconds=2
    )
    requests = tmp_path / "inbox" / "requests"
    requests.mkdir(parents=True)
    (requests / "good.json").write_text(
        json.dumps({"resume_id": "a" * 16, "jd_url": f"{site}/jsonld", "session_id": "s"})
    )
    (requests / "gone.json").write_text(
        json.dumps({"resume_id": "a" * 16, "jd_url": f"{site}/404"})
    )
    added, rejected = land_requests(inbox.root, store, 10, fetch_job=inbox.fetch_job)
    assert (added, rejected) == (1, [])
    [pending] = store.requests_with_status("pending", 10)
    [jd_file] = (tmp_path / "inbox" / "jds").iterdir()
    from skillbridge_pipeline.core.documents import document_id

    assert pending.jd_id == document_id(jd_file.read_bytes())
    assert json.loads(jd_file.read_text())["title"] == "Data Engineer"
    [failed] = store.requests_with_status("failed", 10)
    assert "HTTP 404" in failed.error and "paste" in failed.error


REBINDING = """
import json, socket, sys
from skillbridge_pipeline.scraping import crawl

real, port, answers = socket.getaddrinfo, int(sys.argv[1]), []

def rebinding(host, *args, **kwargs):
    if host != "jobs.rebind.test":
        return real(host, *args, **kwargs)
    answers.append(host)  # public for the first two lookups, then this machine
    address = "93.184.216.34" if len(answers) <= 2 else "127.0.0.1"
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

socket.getaddrinfo = rebinding
socket.gethostbyname = lambda host: rebinding(host, 0)[0][4][0]  # every kind of lookup
result = crawl.crawl(f"http://jobs.rebind.test:{port}/plain", 1.0, 100_000, [])
print(json.dumps({"result": result, "lookups": len(answers)}))
"""


def test_a_dns_answer_that_changes_after_the_check_never_reaches_a_refused_address():
    """Release 1 checked the host, then Scrapy looked it up again: a resolver that answers a
    public address twice and then 127.0.0.1 got the crawl onto this machine."""
    import subprocess
    import sys

    hits = []

    class Counting(Pages):
        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = subprocess.run(
            [sys.executable, "-c", REBINDING, str(server.server_address[1])],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["result"]["ok"] is False
    assert hits == []  # the connection went to the address that was checked, not here
    assert outcome["lookups"] == 2  # the guard's check, then the one pinned for the crawl
