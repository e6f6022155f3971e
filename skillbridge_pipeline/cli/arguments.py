"""The argument parser: every command with its help lines, and the function that runs it.
What a user reads first is `DESCRIPTION`."""

from __future__ import annotations

import argparse

from skillbridge_pipeline.broker import MEMORY_LOG
from skillbridge_pipeline.cli.analyze import cmd_analyze
from skillbridge_pipeline.cli.api import cmd_api, cmd_tokens
from skillbridge_pipeline.cli.build import (
    cmd_build_linker,
    cmd_build_taxonomy,
    cmd_extract_skills,
    cmd_train,
)
from skillbridge_pipeline.cli.common import _port, _positive
from skillbridge_pipeline.cli.dev import cmd_demo, cmd_dev
from skillbridge_pipeline.cli.dlq import cmd_dlq
from skillbridge_pipeline.cli.inbox import cmd_process, cmd_status, cmd_submit
from skillbridge_pipeline.cli.publish import cmd_publish
from skillbridge_pipeline.cli.results import cmd_chat, cmd_results
from skillbridge_pipeline.cli.stack import cmd_stack
from skillbridge_pipeline.core.documents.identity import KIND_FOLDERS
from skillbridge_pipeline.settings import PROJECT_ROOT, skillbridge_home

DESCRIPTION = """\
How well a resume fits a job: the skills it shows and lacks, what to learn first, and a 4-week
roadmap. Resumes: PDF, Word, text, Markdown, HTML, JSON; jobs: a file or a URL.

start here:
  skillbridge analyze --resume CV.pdf --jd JOB.txt --html report.html   one answer, right now
  skillbridge submit --resume CV.pdf --jd JOB.txt                       through the pipeline:
  skillbridge process                                                   run it, see each answer
  skillbridge results                                                   the answers stored so far
  skillbridge dev                                                       the Dagster UI
"""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="skillbridge",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    submit = sub.add_parser(
        "submit",
        help="hand a resume and a job (--resume --jd), or documents (FILE... --kind), to the "
        "pipeline's inbox",
    )
    submit.add_argument("files", nargs="*", help="documents to submit (with --kind)")
    submit.add_argument("--kind", choices=sorted(KIND_FOLDERS), help="what the FILEs are")
    submit.add_argument("--resume", help="resume file of an analysis request")
    submit.add_argument(
        "--jd", help="job description of an analysis request: a file or an http(s) URL to fetch"
    )
    submit.add_argument("--session", help="session id to notify when the analysis is ready")
    submit.add_argument("--inbox", help="inbox folder (default: $SKILLBRIDGE_HOME/inbox)")
    submit.set_defaults(run=cmd_submit)

    analyze = sub.add_parser(
        "analyze",
        help="the whole answer here and now: gaps, roadmap and suggestions of a resume "
        "against one or more JDs, or of a file of pairs",
    )
    analyze.add_argument("--resume", help="the resume file (PDF, text, Markdown, HTML, JSON)")
    analyze.add_argument(
        "--jd",
        action="append",
        default=[],
        help="a job description file; repeat it to rank several JDs by match",
    )
    analyze.add_argument(
        "--batch",
        metavar="PAIRS.jsonl",
        help='JSON lines {"id", "resume", "jd"} (file paths): one JSON line out per pair',
    )
    analyze.add_argument("--out", help="with --batch: write the JSON lines here, not stdout")
    analyze.add_argument("--json", action="store_true", help="print the answer as JSON")
    analyze.add_argument(
        "--html",
        metavar="OUT.html",
        help="write the report page of the pair; with several --jd, a page comparing the jobs",
    )
    analyze.add_argument(
        "--hours", type=_positive, default=6, help="hours a week for the roadmap (default 6)"
    )
    analyze.set_defaults(run=cmd_analyze)

    chat = sub.add_parser("chat", help="ask about a stored analysis (RESUME:JD)")
    chat.add_argument(
        "analysis_id",
        metavar="RESUME:JD",
        help="the analysis: file names or ids (one name is enough when it has one analysis)",
    )
    chat.add_argument("question", help="what to ask about it, in quotes")
    chat.set_defaults(run=cmd_chat)

    dlq = sub.add_parser("dlq", help="the dead-letter queue: list | show ID | replay ID...|--all")
    dlq.add_argument("action", choices=["list", "show", "replay"], help="what to do")
    dlq.add_argument("ids", nargs="*", type=_positive, help="dead-letter ids (show, replay)")
    dlq.add_argument("--all", action="store_true", help="replay every open row")
    dlq.add_argument(
        "--status", choices=["open", "replayed", "resolved"], help="list only rows in this status"
    )
    dlq.add_argument("--limit", type=_positive, default=100, help="rows to list (default 100)")
    dlq.set_defaults(run=cmd_dlq)

    publish = sub.add_parser("publish", help="produce a document or request event to Kafka")
    publish.add_argument("file", help="the document, or a request's JSON file")
    publish.add_argument(
        "--kind", choices=["resume", "jd", "request"], required=True, help="what FILE is"
    )
    publish.add_argument("--bootstrap", help="Kafka bootstrap servers (HOST:PORT)")
    publish.set_defaults(run=cmd_publish)

    process = sub.add_parser(
        "process",
        help="run the pipeline on what was submitted, here and now; then print each finished "
        "analysis with its report",
    )
    process.add_argument(
        "--max-ticks", type=_positive, default=10_000, help="stop after N sensor rounds"
    )
    process.add_argument("--limit", type=_positive, default=20, help="failed documents to list")
    process.add_argument("--quiet", action="store_true", help="no progress bar")
    process.set_defaults(run=cmd_process)

    status = sub.add_parser(
        "status",
        help="what the pipeline holds: documents, failures and why, requests, dead letters",
    )
    status.add_argument("--json", action="store_true", help="everything, as JSON")
    status.add_argument(
        "--document", metavar="NAME|ID", help="one document's lineage (its file name or id)"
    )
    status.add_argument("--limit", type=_positive, default=20, help="failed documents to list")
    status.set_defaults(run=cmd_status)

    results = sub.add_parser(
        "results",
        help="the analyses already done: match, top gaps and a report page for each",
    )
    results.add_argument(
        "document", nargs="?", help="only the analyses of this document (file name or id)"
    )
    results.add_argument(
        "--report",
        metavar="RESUME:JD",
        help="write the report page of one analysis (file names or ids; one name is enough "
        "when it has a single analysis)",
    )
    results.add_argument(
        "--html", metavar="OUT.html", help="where to write the report (default under the home)"
    )
    results.add_argument(
        "--link",
        action="store_true",
        help="print a link that opens the report from `skillbridge api` for 15 minutes, "
        "with no token in it",
    )
    results.add_argument(
        "--api", default="http://127.0.0.1:8000", help="the API's address, for --link"
    )
    results.add_argument("--json", action="store_true", help="the listing as JSON")
    results.add_argument("--limit", type=_positive, default=20, help="analyses to list")
    results.set_defaults(run=cmd_results)

    api = sub.add_parser("api", help="serve the results API, WebSocket and report pages")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on")
    api.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    api.set_defaults(run=cmd_api)

    token = sub.add_parser(
        "tokens", help="API tokens: create --name N --scope S | revoke ID | list"
    )
    token.add_argument("action", choices=["create", "revoke", "list"], help="what to do")
    token.add_argument("id", nargs="?", type=_positive, help="token id (revoke)")
    token.add_argument("--name", help="who or what the token is for (create)")
    token.add_argument(
        "--scope", choices=["read", "admin"], default="read", help="what it may do (create)"
    )
    token.add_argument(
        "--session",
        help="bind a read token to this session: it follows only that session (create)",
    )
    token.set_defaults(run=cmd_tokens)

    stack_parser = sub.add_parser(
        "stack", help="the production stack as local processes: up | down"
    )
    stack_parser.add_argument("action", choices=["up", "down"], help="start or stop")
    stack_parser.add_argument(
        "--root", default=str(skillbridge_home() / "stack"), help="where its state lives"
    )
    stack_parser.add_argument(
        "--webserver-port", type=_port, default=3000, help="Dagster UI port (default 3000)"
    )
    stack_parser.add_argument("--api-port", type=_port, default=8000, help="API port (8000)")
    stack_parser.add_argument(
        "--kafka-storage",
        default=MEMORY_LOG,
        help="the local broker's log: memory://tansu/ or s3://BUCKET/ (AWS_* variables)",
    )
    stack_parser.set_defaults(run=cmd_stack)

    train = sub.add_parser("train", help="train the gap-priority model (as the gap_model asset)")
    train.set_defaults(run=cmd_train)

    extract = sub.add_parser("extract-skills", help="JSON lines in, skills as JSON lines out")
    extract.add_argument(
        "--min-confidence",
        type=float,
        help="report skills at least this confident (default 0.5; in resumes the prior is a floor)",
    )
    extract.add_argument(
        "--by-meaning",
        action="store_true",
        help="also link sentences to skills by meaning, as the pipeline does (default: names)",
    )
    extract.set_defaults(run=cmd_extract_skills)

    demo = sub.add_parser("demo", help="run the pipeline on the bundled sample resumes and jobs")
    demo.set_defaults(run=cmd_demo)

    dev = sub.add_parser(
        "dev", help="open the Dagster UI (and its daemon, which runs the sensors) on this project"
    )
    dev.add_argument("--host", default="127.0.0.1", help="address of the Dagster UI")
    dev.add_argument("--port", type=_port, default=3000, help="its port (default 3000)")
    dev.add_argument(
        "--verbose", action="store_true", help="show the UI's and daemon's info log (each tick)"
    )
    dev.set_defaults(run=cmd_dev)

    build = sub.add_parser("build-taxonomy", help="rebuild data/taxonomy from shared data")
    build.add_argument(
        "--shared",
        default=str(PROJECT_ROOT.parent / "shared" / "data"),
        help="the shared datasets folder (default ../shared/data)",
    )
    build.add_argument("--out", help="taxonomy folder to write (default data/taxonomy)")
    build.set_defaults(run=cmd_build_taxonomy)

    linker = sub.add_parser(
        "build-linker",
        help="build the model that links sentences to skills by meaning (set-up runs it)",
    )
    linker.add_argument("--force", action="store_true", help="rebuild even if it exists")
    linker.add_argument(
        "--train",
        metavar="SHARED",
        help="retrain its adapter on ESCO's labels and descriptions (the shared data folder)",
    )
    linker.add_argument(
        "--calibrate", action="store_true", help="refit its calibration on data/linking/"
    )
    linker.set_defaults(run=cmd_build_linker)
    return top
