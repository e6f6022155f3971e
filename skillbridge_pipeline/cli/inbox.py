"""The pipeline's inbox: `skillbridge submit` hands documents to it, `skillbridge process`
drains it here and now, `skillbridge status` says what the pipeline holds."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from skillbridge_pipeline.cli.common import _default_dagster_home
from skillbridge_pipeline.cli.results import (
    _analysis_lines,
    _documents_named,
    _pair_summary,
    _write_stored_report,
)
from skillbridge_pipeline.core.documents.identity import KIND_FOLDERS
from skillbridge_pipeline.settings import skillbridge_home


def _copy_into(folder: Path, data: bytes, name: str) -> Path:
    """Write under a temporary name the sensor ignores, then rename: never half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
    target = folder / name
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # no hidden .part left in the inbox for good
        raise
    return target


def cmd_submit(args: argparse.Namespace) -> int:
    """Every argument is checked before anything is copied; each file lands under its content
    hash and its own name, so two files of one name never overwrite each other."""
    from skillbridge_pipeline.core.documents.identity import document_id, safe_filename
    from skillbridge_pipeline.core.documents.intake import (
        ignored_by_the_inbox,
        submitted_name,
        write_request,
    )
    from skillbridge_pipeline.core.documents.parsing import oversized

    inbox = Path(args.inbox or skillbridge_home() / "inbox")
    pair = args.resume or args.jd
    if pair and (args.files or args.kind):
        print("use either FILE... --kind, or --resume FILE --jd FILE|URL", file=sys.stderr)
        return 2
    if pair and not (args.resume and args.jd):
        print("an analysis request needs both --resume and --jd", file=sys.stderr)
        return 2
    if not pair and (not args.files or not args.kind):
        print("give FILE... --kind resume|jd, or --resume FILE --jd FILE|URL", file=sys.stderr)
        return 2
    jd_url = args.jd if args.jd and "://" in args.jd else None
    if jd_url and not jd_url.startswith(("http://", "https://")):
        print(f"--jd takes a file or an http(s) URL, not {jd_url}", file=sys.stderr)
        return 2
    named = (
        [(args.resume, "resume")] + ([] if jd_url else [(args.jd, "jd")])
        if pair
        else [(f, args.kind) for f in args.files]
    )
    jobs = []
    for name, kind in named:
        source = Path(name)
        why = (
            "no such file"
            if not source.exists()
            else "not a file"
            if not source.is_file()
            else oversized(source.stat().st_size) or ignored_by_the_inbox(source.name)
        )
        if why:
            shown = safe_filename(str(source), 4096)
            print(f"cannot submit {shown}: {why}; nothing was submitted", file=sys.stderr)
            return 2
        jobs.append((source.name, source.read_bytes(), kind))
    if jd_url:
        from skillbridge_pipeline.core.documents.intake import jd_file_from_page
        from skillbridge_pipeline.scraping.fetch import ScrapeFailed, fetch_job

        try:
            page = fetch_job(jd_url)
        except ScrapeFailed as error:
            print(f"cannot fetch the JD: {error.reason}; nothing was submitted", file=sys.stderr)
            return 2
        name, body = jd_file_from_page(page)
        print(f"fetched {page['final_url']} ({page['source']}): {page.get('title') or 'untitled'}")
        jobs.append((name, body, "jd"))
    ids = {}
    for name, data, kind in jobs:
        ids[kind] = document_id(data)
        inbox_name = submitted_name(ids[kind], name)
        target = _copy_into(inbox / KIND_FOLDERS[kind], data, inbox_name)
        print(f"submitted {kind} {safe_filename(name)} (id {ids[kind]}) -> {target}")
    if pair:
        request = write_request(inbox, ids["resume"], ids["jd"], args.session)
        print(f"requested analysis {ids['resume']} x {ids['jd']} -> {request}")
    print(
        "next: `skillbridge process` analyses what is in the inbox and prints each result with "
        "its report (a running `skillbridge dev` picks it up too); `skillbridge results` lists "
        "them later"
    )
    return 0


def cmd_process(args: argparse.Namespace) -> int:
    """Drain the inbox (and Kafka when configured) in this process until nothing is left; one
    drain per inbox at a time. Runs a killed `process` left behind are failed and dead-lettered
    first, so their documents are not queued for good."""
    _default_dagster_home()
    from dagster import DagsterInstance
    from tqdm import tqdm

    from skillbridge_pipeline.core.documents.intake import draining, scan_inbox
    from skillbridge_pipeline.definitions import defs
    from skillbridge_pipeline.demo import run_pending
    from skillbridge_pipeline.hooks import recover_abandoned_runs

    inbox = defs.resources["inbox"].root
    with draining(inbox) as alone:
        if not alone:
            print(f"another process is draining this inbox ({inbox})", file=sys.stderr)
            return 1
        results_store = defs.resources["results_store"]
        store = results_store.open()
        instance = DagsterInstance.get()
        if killed := recover_abandoned_runs(instance, store, results_store.spool):
            print(
                f"{len(killed)} runs ended with their process (killed?): their batches are dead "
                "letters now; `skillbridge dlq replay --all` runs them again",
                file=sys.stderr,
            )
        settled = _settled_requests(store)
        before, unfinished = _progress(store)
        scan = scan_inbox(inbox, 10**9)
        with tqdm(
            total=unfinished + len(scan.files), unit="doc", desc="processing", disable=args.quiet
        ) as bar:

            def progress(run_id: str, success: bool) -> None:
                finished, unfinished = _progress(store)
                bar.total = max(bar.total, finished - before + unfinished)
                bar.update(finished - before - bar.n)

            runs = run_pending(instance, defs, max_ticks=args.max_ticks, on_run=progress)
    ok = sum(1 for _, success in runs if success)
    print(_status_text(store, limit=args.limit, analyses=False))
    print(f"runs: {len(runs)} ({ok} succeeded, {len(runs) - ok} failed)")
    if left := scan_inbox(inbox, 0).refused:
        print(f"inbox entries left alone ({len(left)}):")
        print("\n".join(f"  {line}" for line in left[: args.limit]))
    print("\n".join(_finished_analyses(store, settled)))
    store.dispose()
    return 0


def _settled_requests(store) -> set[str]:
    """Ids of the requests already done or failed: what a run of `process` did not finish."""
    return {r.request_id for s in ("done", "failed") for r in store.requests_with_status(s, 10**9)}


def _finished_analyses(store, settled: set[str]) -> list[str]:
    """Each analysis finished since `settled` was taken, with its report written under the
    home; each request that failed, with why."""
    done = [r for r in store.requests_with_status("done", 10**9) if r.request_id not in settled]
    failed = [r for r in store.requests_with_status("failed", 10**9) if r.request_id not in settled]
    rows = store.analysis_listing_of_pairs((r.resume_id, r.jd_id) for r in done)
    if not rows and not failed:
        return ["no analysis finished in this run (`skillbridge results` lists stored ones)"]
    lines = [f"finished analyses ({len(rows)}):"] if rows else []
    for row in rows:
        lines += _analysis_lines(row, str(_write_stored_report(store, row)))
    if failed:
        lines.append(f"failed analysis requests ({len(failed)}):")
        for request in failed:
            resume = store.get_document("resume", request.resume_id) or {}
            jd = store.get_document("jd", request.jd_id) or {}
            named = (
                f"{resume.get('filename') or request.resume_id} against "
                f"{jd.get('filename') or request.jd_url or request.jd_id}"
            )
            lines.append(f"  {named}: {request.error}")
    return lines


def _progress(store) -> tuple[int, int]:
    """(documents finished, extracted or failed; documents still on their way), one query."""
    counts = store.status_counts()
    finished = sum(n for (_, status), n in counts.items() if status in ("extracted", "failed"))
    return finished, sum(counts.values()) - finished


def _status_text(store, limit: int, analyses: bool = True) -> str:
    from skillbridge_pipeline.core.store import dead_letters

    lines = ["documents:"]
    counts = store.status_counts()
    for kind in KIND_FOLDERS:
        detail = ", ".join(f"{n} {s}" for (k, s), n in sorted(counts.items()) if k == kind)
        lines.append(f"  {kind:<6} {detail or 'none'}")
    failed = store.failed_documents()
    if failed:
        lines.append(f"failed documents ({len(failed)}):")
        for row in failed[:limit]:
            lines.append(f"  {row['kind']:<6} {row['doc_id']} {row['filename']}: {row['error']}")
        if len(failed) > limit:
            lines.append(f"  ... and {len(failed) - limit} more (--json lists all)")
    requests = store.request_status_counts()
    lines.append(
        "analysis requests: "
        + (", ".join(f"{n} {s}" for s, n in sorted(requests.items())) or "none")
    )
    if analyses:  # `process` prints the ones it finished, with their reports, instead
        stored = store.analysis_listing()
        lines.append(f"stored analyses: {len(stored)}")
        lines += [f"  {_pair_summary(row)}" for row in stored[:limit]]
        if stored:
            lines.append("  (`skillbridge results` lists them with their reports)")
    letters = dead_letters.listing(store, "open", limit)
    lines.append(f"open dead letters: {dead_letters.depth(store)}")
    lines += [f"  {d.id:>5} {d.subject or '-'}: {d.error_message[:100]}" for d in letters]
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    """What the pipeline holds: documents, requests, dead letters; or one document's lineage."""
    from skillbridge_pipeline.core.store import dead_letters
    from skillbridge_pipeline.resources import resources_for
    from skillbridge_pipeline.settings import selected_environment

    store = resources_for(selected_environment())["results_store"].open()
    if args.document:
        found = _documents_named(store, args.document)
        ids = sorted({d["doc_id"] for d in found})  # a resume and a JD may share an id
        if len(ids) != 1:
            print(
                f"no document matches {args.document!r} (give its file name or id)"
                if not ids
                else f"{args.document!r} matches {len(ids)} documents; give one id:\n"
                + "\n".join(f"  {d['kind']:<6} {d['doc_id']} {d['filename']}" for d in found),
                file=sys.stderr,
            )
            return 2
        lineage = store.document_lineage(ids[0])
        keys = ("kind", "doc_id", "filename", "status", "error_stage", "error", "batch_key")
        for row in lineage:
            out = {k: row[k] for k in keys} | {
                "batch_status": row["batch_status"],
                "job_name": row["job_name"],
                "run_id": row["run_id"],
            }
            print(json.dumps(out, default=str) if args.json else _lineage_text(out))
        return 0
    if not args.json:
        print(_status_text(store, limit=args.limit))
        return 0
    _, documents = store.list_documents(None, 0, 10**9)
    print(
        json.dumps(
            {
                "documents": [
                    {
                        "doc_id": d["doc_id"],
                        "kind": d["kind"],
                        "filename": d["filename"],
                        "status": d["status"],
                        "error": d["error"],
                        "batch": d["batch_key"],
                    }
                    for d in documents
                ],
                "requests": store.request_status_counts(),
                "analyses": store.analysis_listing(),
                "dead_letters": [
                    {
                        "id": d.id,
                        "subject": d.subject,
                        "job_name": d.job_name,
                        "error": d.error_message,
                    }
                    for d in dead_letters.listing(store, "open", 10**6)
                ],
            },
            indent=1,
            default=str,
        )
    )
    return 0


def _lineage_text(row: dict) -> str:
    where = f"batch {row['batch_key']} ({row['batch_status']}, run {row['run_id'] or '-'})"
    failure = f" at {row['error_stage']}: {row['error']}" if row["status"] == "failed" else ""
    return f"{row['kind']} {row['doc_id']} {row['filename']}: {row['status']}{failure} — {where}"
