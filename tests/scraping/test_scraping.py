"""JD from URL: the Scrapy spider (a subprocess per crawl) against local job pages."""

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


HITS: Counter = Counter()  # requests the site has answered, by path
LATER = {"/gone": False}  # a page that is missing until a test puts it up


class Pages(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        HITS[self.path] += 1
        if self.path == "/404" or (self.path == "/gone" and not LATER["/gone"]):
            self.send_error(404)
        elif self.path == "/flaky" and HITS[self.path] == 1:
            self.send_error(503)  # overloaded once, then fine
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
        elif self.path in PAGES or self.path in ("/flaky", "/gone"):
            content_type, body = PAGES.get(self.path, PAGES["/jsonld"])
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


def test_a_jd_url_is_fetched_in_a_run_with_retries_and_dead_letters(site, tmp_path):
    """The sensor's tick only records a URL request; a jd_pages_job run fetches the page, retries
    a page that is overloaded, and fails a missing one alone with its reason and dead letter,
    which a replay fetches again once the page is up."""
    from dagster import DagsterEventType, build_sensor_context, instance_for_test

    from skillbridge_pipeline.core.documents.identity import document_id
    from skillbridge_pipeline.core.store import ResultsStore, dead_letters
    from skillbridge_pipeline.definitions import build_definitions
    from skillbridge_pipeline.demo import execute
    from skillbridge_pipeline.replay import replay
    from skillbridge_pipeline.resources import InboxResource, embedded_resources
    from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor

    chosen = embedded_resources(tmp_path)
    chosen["inbox"] = InboxResource(
        path=str(tmp_path / "inbox"), fetch_allow_hosts=["127.0.0.1"], fetch_timeout_seconds=2
    )
    store = ResultsStore(chosen["results_store"].url)
    store.create_schema()
    requests = tmp_path / "inbox" / "requests"
    requests.mkdir(parents=True)
    for name in ("jsonld", "flaky", "gone"):
        body = {"resume_id": "a" * 16, "jd_url": f"{site}/{name}", "session_id": name}
        (requests / f"{name}.json").write_text(json.dumps(body))
    HITS.clear()
    with instance_for_test() as instance:
        with build_sensor_context(instance=instance, resources=chosen) as context:
            result = document_inbox_sensor(context)
        assert not HITS, "the sensor's tick fetched a page"
        [run] = result.run_requests
        assert run.job_name == "jd_pages_job" and run.tags["skillbridge/pages"] == "3"
        assert {r.status for r in store.requests_in_batch(run.partition_key)} == {"fetching"}
        with build_sensor_context(instance=instance, resources=chosen) as context:
            assert not document_inbox_sensor(context).run_requests  # claimed once

        defs = build_definitions(chosen)
        instance.add_dynamic_partitions("batches", [run.partition_key])
        run_id, success = execute(instance, defs, "jd_pages_job", run.partition_key)
        assert success
        restarts = instance.all_logs(run_id, of_type=DagsterEventType.STEP_RESTARTED)
        assert len(restarts) == 1 and HITS["/flaky"] == 2
        by_session = {r.session_id: r for r in store.requests_in_batch(run.partition_key)}
        for name in ("jsonld", "flaky"):
            fetched = by_session[name]
            assert fetched.status == "pending", fetched
            jd = store.get_document("jd", fetched.jd_id)
            assert jd["source"] == "url" and jd["status"] == "landed"
            body = Path(jd["landing_path"]).read_bytes()
            assert document_id(body) == fetched.jd_id
            assert json.loads(body)["title"] == "Data Engineer"
        gone = by_session["gone"]
        assert gone.status == "failed" and "HTTP 404" in gone.error and "paste" in gone.error
        [letter] = dead_letters.listing(store, "open", 10)
        assert letter.event_key == f"page:{gone.request_id}"
        assert json.loads(letter.payload)["jd_url"] == f"{site}/gone"

        [(_, replayed, _)] = replay(instance, defs, store, [letter.id])
        assert not replayed  # still missing: the strict replay fails visibly
        LATER["/gone"] = True
        letter = dead_letters.get(store, letter.id)
        [(_, replayed, _)] = replay(instance, defs, store, [letter.id])
        assert replayed and dead_letters.get(store, letter.id).status == "resolved"
        assert store.get_request(gone.request_id).status == "pending"


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


def crawl_with_resolver(script: str, server: ThreadingHTTPServer) -> dict:
    """Run a crawl script (its own resolver patched in) in a fresh process against the server;
    the script's last line of output, as JSON."""
    import subprocess
    import sys

    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(server.server_address[1])],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_dns_answer_that_changes_after_the_check_never_reaches_a_refused_address():
    """Release 1 checked the host, then Scrapy looked it up again: a resolver that answers a
    public address twice and then 127.0.0.1 got the crawl onto this machine."""

    hits = []

    class Counting(Pages):
        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

    outcome = crawl_with_resolver(REBINDING, ThreadingHTTPServer(("127.0.0.1", 0), Counting))
    assert outcome["result"]["ok"] is False
    assert hits == []  # the connection went to the address that was checked, not here
    assert outcome["lookups"] == 2  # the guard's check, then the one pinned for the crawl


IPV6_ONLY = """
import json, socket, sys
from skillbridge_pipeline.scraping import crawl

real, port = socket.getaddrinfo, int(sys.argv[1])

def ipv6_only(host, *args, **kwargs):
    if host != "jobs.v6.test":
        return real(host, *args, **kwargs)
    return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0))]

socket.getaddrinfo = ipv6_only
print(json.dumps(crawl.crawl(f"http://jobs.v6.test:{port}/plain", 2.0, 100_000, ["jobs.v6.test"])))
"""


def test_a_host_with_only_an_ipv6_address_is_fetched_through_the_pinned_address():
    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    result = crawl_with_resolver(IPV6_ONLY, Server(("::1", 0), Pages))
    assert result["ok"] and result["title"] == "SRE", result
