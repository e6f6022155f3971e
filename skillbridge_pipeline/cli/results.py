"""`skillbridge results` and `skillbridge chat`: the stored analyses, found by the names a
person gives them (file names, ids, an id's start), and their report pages."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from skillbridge_pipeline.cli.common import _llm_settings
from skillbridge_pipeline.settings import skillbridge_home


def cmd_chat(args: argparse.Namespace) -> int:
    """Answer a question about one stored analysis (RESUME_ID:JD_ID)."""
    from skillbridge_pipeline.core.roadmaps import llm
    from skillbridge_pipeline.resources import resources_for
    from skillbridge_pipeline.settings import selected_environment

    store = resources_for(selected_environment())["results_store"].open()
    try:
        row = _one_analysis(store, args.analysis_id)
    except Unresolved as error:
        print(f"skillbridge chat: {error}", file=sys.stderr)
        return 2
    analysis = store.get_analysis(row["resume_id"], row["jd_id"])
    print(llm.chat(args.question, analysis, _llm_settings()))
    return 0


class Unresolved(Exception):
    """A document or analysis named by nothing stored, or by several: the message says which."""


def _documents_named(store, name: str, kind: str | None = None) -> list[dict]:
    """What a person may mean by `name`: a file here (by its content's id), an id, an id's first
    characters or a stored file name."""
    from skillbridge_pipeline.core.documents.identity import document_id

    path = Path(name)
    if path.is_file():
        found = store.documents_named(document_id(path.read_bytes()), kind)
        if found:
            return found
    return store.documents_named(path.name or name, kind)


def _one_analysis(store, name: str) -> dict:
    """The stored analysis `name` means: RESUME:JD (each a file name, an id or an id's start),
    or one document that has a single analysis."""
    resume, colon, jd = name.partition(":")
    if not name:
        rows = store.analysis_listing()
    elif colon and not Path(name).is_file():
        resume_ids = [d["doc_id"] for d in _documents_named(store, resume, "resume")]
        jd_ids = [d["doc_id"] for d in _documents_named(store, jd, "jd")]
        rows = store.analysis_listing(resume_ids, jd_ids)
    else:
        found = _documents_named(store, name)
        resume_ids = [d["doc_id"] for d in found if d["kind"] == "resume"]
        jd_ids = [d["doc_id"] for d in found if d["kind"] == "jd"]
        rows = store.analysis_listing(resume_ids) + store.analysis_listing(None, jd_ids)
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise Unresolved(
            f"no stored analysis matches {name!r}; give RESUME:JD as file names or ids "
            "(`skillbridge results` lists them)"
        )
    raise Unresolved(
        f"{name!r} matches {len(rows)} analyses; name one as RESUME:JD:\n"
        + "\n".join(f"  {r['resume_id']}:{r['jd_id']}  {_pair_label(r)}" for r in rows)
    )


def _pair_label(row: dict) -> str:
    from skillbridge_pipeline.core.skills.jd_profile import clean_title

    job = clean_title(row["jd_title"]) or row["jd_file"] or row["jd_id"]
    return f"{row['resume_file'] or row['resume_id']} against {job}"


def _pair_summary(row: dict) -> str:
    """The match and the two documents by name, on one line."""
    jd_file = f" ({row['jd_file']})" if row["jd_title"] and row["jd_file"] else ""
    return f"{row['overall_match']:>4.0%}  {_pair_label(row)}{jd_file}"


def _analysis_lines(row: dict, report: str) -> list[str]:
    """One analysis as a person reads it: match, the two documents, top gaps, its report."""
    return [
        f"  {_pair_summary(row)}",
        f"        top gaps: {', '.join(row['top_gaps']) or 'none, every skill is evidenced'}",
        f"        report: {report}",
    ]


def _report_file(row: dict) -> Path:
    """Where a stored analysis' report is written: under the home, named after its files."""

    def stem(name: str | None, doc_id: str) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", Path(name or doc_id).stem).strip("-")[:40]

    name = (
        f"{stem(row['resume_file'], row['resume_id'])}--{stem(row['jd_file'], row['jd_id'])}"
        f"--{row['resume_id'][:6]}{row['jd_id'][:6]}.html"
    )
    return skillbridge_home() / "reports" / name


def _write_stored_report(store, row: dict, target: Path | None = None) -> Path:
    from skillbridge_pipeline.api.report import stored_report

    target = target or _report_file(row)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(stored_report(store, row["resume_id"], row["jd_id"]), encoding="utf-8")
    return target


def cmd_results(args: argparse.Namespace) -> int:
    """Stored analyses, newest first; or the report page of one of them."""
    from skillbridge_pipeline.resources import resources_for
    from skillbridge_pipeline.settings import selected_environment

    store = resources_for(selected_environment())["results_store"].open()
    try:
        if args.report or args.html or args.link:
            row = _one_analysis(store, args.report or args.document or "")
            if args.link:
                from skillbridge_pipeline.api.links import LINK_SECONDS, link_key, report_path

                path, _ = report_path(link_key(skillbridge_home()), row["resume_id"], row["jd_id"])
                where = f"{args.api.rstrip('/')}{path}  (opens for {LINK_SECONDS // 60} minutes)"
            else:
                target = Path(args.html) if args.html else None
                where = str(_write_stored_report(store, row, target))
            print("\n".join(_analysis_lines(row, where)))
            return 0
        rows = store.analysis_listing()
        if args.document:
            found = _documents_named(store, args.document)
            if not found:
                raise Unresolved(f"no document matches {args.document!r}")
            ids = {d["doc_id"] for d in found}
            rows = [r for r in rows if ids & {r["resume_id"], r["jd_id"]}]
    except Unresolved as error:
        print(f"skillbridge results: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return 0
    if not rows:
        print("no stored analyses yet: `skillbridge submit --resume FILE --jd FILE`, then process")
        return 0
    print(f"stored analyses ({len(rows)}), newest first:")
    for row in rows[: args.limit]:
        command = f"skillbridge results --report {row['resume_id']}:{row['jd_id']}"
        print("\n".join(_analysis_lines(row, command)))
    if len(rows) > args.limit:
        print(f"  ... and {len(rows) - args.limit} more (--limit, or --json for all)")
    return 0
