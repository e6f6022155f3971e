"""Template roadmaps per second (target >= 1,000/s) and one scrape of a local job page end to
end, subprocess included (target < 2 s). Run: .venv/bin/python bench/roadmaps_and_scrape.py"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from skillbridge_pipeline.core.roadmaps.catalog import load_catalog
from skillbridge_pipeline.core.roadmaps.engine import template_roadmap
from skillbridge_pipeline.scraping.fetch import ScrapeSettings, fetch_job

PAGE = (
    "<html><head><script type='application/ld+json'>"
    + json.dumps(
        {
            "@type": "JobPosting",
            "title": "Data Engineer",
            "description": "<p>Python, Apache Spark, Kafka and SQL.</p>",
        }
    )
    + "</script></head></html>"
)


class Page(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        data = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def roadmaps_per_second(count: int = 5000) -> float:
    catalog = load_catalog()
    gaps = [
        {
            "skill_id": sid,
            "name": sid.title(),
            "category": cat,
            "priority_level": lvl,
            "priority_score": 0.5,
            "coverage": "Missing",
        }
        for sid, cat, lvl in [
            ("apache-kafka", "data_analytics", "Critical"),
            ("kubernetes", "cloud_devops", "High"),
            ("scala", "programming_languages", "High"),
            ("terraform", "cloud_devops", "Medium"),
            ("react", "web_mobile", "Medium"),
            ("communication", "soft_skills", "Low"),
        ]
    ]
    analysis = {"skill_gaps": gaps}
    # What the Chroma lookup hands the template: each skill's on-topic resources (here the
    # ones its list files it under; the lookup itself is measured by analyze_batch.py).
    offered = {
        g["skill_id"]: [r.cited() for r in catalog if g["skill_id"] in r.filed_under][:3]
        for g in gaps
    }
    started = time.perf_counter()
    for _ in range(count):
        template_roadmap(analysis, offered)
    return count / (time.perf_counter() - started)


def one_scrape_seconds() -> float:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.perf_counter()
        job = fetch_job(
            f"http://127.0.0.1:{server.server_address[1]}/job",
            ScrapeSettings(allow_hosts=("127.0.0.1",)),
        )
        seconds = time.perf_counter() - started
        assert job["title"] == "Data Engineer"
        return seconds
    finally:
        server.shutdown()


if __name__ == "__main__":
    rate = roadmaps_per_second()
    print(f"template roadmaps: {rate:.0f}/s; ratio to target (1,000/s): {rate / 1000:.1f}x")
    seconds = min(one_scrape_seconds() for _ in range(3))
    print(
        f"one scrape of a local page, end to end (best of 3): {seconds:.2f} s; "
        f"ratio to target (2 s): {2 / seconds:.1f}x under"
    )
