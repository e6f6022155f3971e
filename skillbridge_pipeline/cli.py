"""The `skillbridge` command line: one `cmd_*` function per command, then the argument parser
with their help lines. Each command imports what it needs when it runs, so `skillbridge --help`
starts in well under a second. What a user reads first is `DESCRIPTION`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from skillbridge_pipeline.broker import MEMORY_LOG
from skillbridge_pipeline.core.documents.identity import KIND_FOLDERS
from skillbridge_pipeline.settings import PROJECT_ROOT, SettingError, skillbridge_home


def _default_dagster_home() -> None:
    """Unless the caller chose another instance, the Dagster instance lives in
    $SKILLBRIDGE_HOME/dagster with the project's dagster.yaml, so one home holds everything."""
    if "DAGSTER_HOME" in os.environ:
        return
    home = skillbridge_home() / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = (PROJECT_ROOT / "dagster.yaml").read_text()
    target = home / "dagster.yaml"
    if not target.exists() or target.read_text() != config:
        target.write_text(config)
    os.environ["DAGSTER_HOME"] = str(home)


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


def cmd_extract_skills(args: argparse.Namespace) -> int:
    """JSON lines {"id", "text", "kind"} in; {"id", "skills": [...]} out, one per input."""
    from skillbridge_pipeline.core.skills.extraction import build_extractor

    extractor = build_extractor(min_confidence=args.min_confidence, link_by_meaning=args.by_meaning)
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, kind = item["text"], item.get("kind", "jd")
            if not isinstance(text, str):
                raise TypeError(f'"text" must be a string, not {type(text).__name__}')
        except (json.JSONDecodeError, RecursionError, KeyError, TypeError) as error:
            detail = f"no {error}" if isinstance(error, KeyError) else str(error)
            print(
                f"line {number}: expected a JSON object with id and text ({detail})",
                file=sys.stderr,
            )
            return 2
        # One row per distinct way each skill is written ("amazon-web-services", then "AWS"):
        # every surface is evidence, with the offsets of its first mention. A skill found by
        # meaning is written as its name: its evidence is a whole sentence, no span.
        skills = [
            {
                "id": s.skill_id,
                "name": s.name,
                "category": s.category,
                "surface": surface if s.method == "name" else s.name,
                "start": start,
                "end": end,
                "confidence": s.confidence,
                "method": s.method,
                **({"requirement": s.requirement} if s.requirement else {}),
            }
            for s in extractor.extract(text, kind="jd" if kind == "jd" else "resume")
            for surface, start, end in s.evidence
        ]
        out.write(json.dumps({"id": item.get("id"), "skills": skills}) + "\n")
    return 0


ANALYZE_CHUNK = 64  # pairs scored and looked up together in --batch


def _llm_settings():
    """The LLM as the pipeline's resources configure it (GROQ_API_KEY, GROQ_BASE_URL)."""
    from skillbridge_pipeline.resources import resources_for
    from skillbridge_pipeline.settings import selected_environment

    return resources_for(selected_environment())["llm_client"].settings


class CannotAnalyse(Exception):
    """A document that cannot be analysed, said with its path and the reason."""


def _document(pipeline, path: Path, kind: str):
    """The parsed document with its skills, or CannotAnalyse naming the file and why."""
    label = "JD" if kind == "jd" else kind
    if not path.exists():
        raise CannotAnalyse(f"{label} {path}: no such file")
    if not path.is_file():
        raise CannotAnalyse(f"{label} {path}: not a file")
    try:
        return pipeline.document(path, kind)
    except (ValueError, OSError, LookupError) as error:  # DocumentError is a ValueError
        reason = getattr(error, "reason", None) or str(error) or type(error).__name__
        raise CannotAnalyse(f"{label} {path}: {reason}") from None


def advice_lines(analysis: dict) -> list[str]:
    """The analysis as a person reads it: what to do first and why, then every requirement
    with its kind, coverage and priority."""
    from skillbridge_pipeline.core.gaps.advice import KIND_LABELS

    counts = analysis.get("match_counts")
    lines = []
    if counts:
        lines.append(
            f"  counts {counts['strong']} met, {counts['partial']} partly, "
            f"{counts['missing']} missing: {counts['counts']}"
        )
    if analysis.get("first_actions"):
        lines.append("first:")
        for number, action in enumerate(analysis["first_actions"], start=1):
            lines.append(f"  {number}. {action['text']} — {action['why']}")
            if action.get("jd_words"):
                lines.append(f"     the job says: “{action['jd_words']}”")
    lines.append("requirements:")
    for gap in analysis["skill_gaps"]:
        asked = gap["jd_evidence"].get("requirement") or "unspecified"
        kind = KIND_LABELS.get(gap.get("kind", ""), gap["category"])
        met = (gap.get("group") or {}).get("met_by")
        name = (
            f"{gap['name']} (any of {', '.join(gap['group']['members'])})" if met else gap["name"]
        )
        lines.append(
            f"  {gap['priority_level']:<8} {gap['priority_score']:.2f} {name} "
            f"[{gap['coverage']}, {asked}, {kind}]"
        )
    if analysis.get("not_reported"):
        words = ", ".join(v["name"] for v in analysis["not_reported"])
        lines.append(f"  not reported (too general to act on): {words}")
    return lines


def cmd_analyze(args: argparse.Namespace) -> int:
    """Parse, extract, score and plan in this process: the assets' code paths, no Dagster.
    One pair, one resume against many JDs (ranked by match), or a JSON-lines file of pairs."""
    from skillbridge_pipeline.local import LocalPipeline

    if args.batch and (args.resume or args.jd or args.html):
        print("--batch takes its pairs from the file: no --resume, --jd or --html", file=sys.stderr)
        return 2
    if not args.batch and not (args.resume and args.jd):
        print("give --resume and --jd (one or more), or --batch PAIRS.jsonl", file=sys.stderr)
        return 2
    pipeline = LocalPipeline(skillbridge_home(), _llm_settings(), args.hours)
    if args.batch:
        return _analyze_batch(pipeline, Path(args.batch), args.out)
    try:
        resume = _document(pipeline, Path(args.resume), "resume")
        jds = [_document(pipeline, Path(jd), "jd") for jd in args.jd]
    except CannotAnalyse as error:
        print(f"cannot analyse: {error}", file=sys.stderr)
        return 2
    answers = sorted(
        pipeline.answers([(resume, jd) for jd in jds]),
        key=lambda a: -a["analysis"]["overall_match"],
    )
    if args.html:
        _write_report(answers, Path(args.html), resume.text, {jd.doc_id: jd.text for jd in jds})
    if args.json:
        print(json.dumps(answers[0] if len(answers) == 1 else answers, indent=2))
    elif len(answers) > 1:
        print(f"{resume.filename} against {len(answers)} job descriptions, best match first:")
        for answer in answers:
            jd = answer["jd"]
            missing = ", ".join(answer["analysis"]["missing_skills"][:4]) or "nothing"
            print(
                f"  {answer['analysis']['overall_match']:>4.0%}  {jd['title'] or jd['file']}"
                f"  (missing: {missing})"
            )
    else:
        _print_answer(answers[0])
    return 0


def _print_answer(answer: dict) -> None:
    analysis, roadmap = answer["analysis"], answer["roadmap"]
    job = answer["jd"]["title"] or answer["jd"]["file"]
    print(
        f"overall match {analysis['overall_match']:.0%} — {job}"
        f" ({analysis['role_family']}, {analysis['seniority']})"
    )
    for line in advice_lines(analysis):
        print(line)
    from skillbridge_pipeline.core.roadmaps.engine import plan_lines

    print("\n".join(plan_lines(roadmap)))
    for suggestion in answer["suggestions"]:
        print(f"  suggestion: {suggestion.get('suggested') or suggestion}")


def _write_report(answers: list[dict], target: Path, resume_text: str, jd_texts: dict) -> None:
    """The report of one pair, or the comparison page of one resume against several JDs."""
    from skillbridge_pipeline.api.report import render_comparison, render_report

    if len(answers) > 1:
        target.write_text(render_comparison(answers), encoding="utf-8")
        print(f"wrote the comparison of {len(answers)} jobs to {target}", file=sys.stderr)
        return
    [answer] = answers
    html = render_report(
        answer["analysis"],
        {"roadmap": answer["roadmap"], "suggestions": answer["suggestions"]},
        {
            "resume": {"filename": answer["resume"]["file"]},
            "jd": {"filename": answer["jd"]["file"], "title": answer["jd"]["title"]},
        },
        {"resume": resume_text, "jd": jd_texts[answer["jd"]["doc_id"]]},
    )
    target.write_text(html, encoding="utf-8")
    print(f"wrote the report to {target}", file=sys.stderr)


def _batch_pairs(path: Path):
    """(line number, id, resume path, JD path, error) per line of a pairs file; a line without
    an id is known by its number."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            pair_id = number
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise TypeError(f"a JSON {type(item).__name__}, not an object")
                pair_id = item.get("id", number)
                resume, jd = item["resume"], item["jd"]
                if not isinstance(resume, str) or not isinstance(jd, str):
                    raise TypeError('"resume" and "jd" must be file paths')
            except (json.JSONDecodeError, RecursionError, KeyError, TypeError) as error:
                detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
                error = f'line {number}: expected {{"id", "resume", "jd"}} ({detail})'
                yield number, pair_id, None, None, error
                continue
            yield number, pair_id, *(_beside(path, p) for p in (resume, jd)), None


def _beside(pairs_file: Path, given: str) -> Path:
    """A relative path as given from here, else from the pairs file's folder."""
    path = Path(given)
    if path.is_absolute() or path.exists():
        return path
    return pairs_file.parent / path


def _analyze_batch(pipeline, pairs_file: Path, out: str | None) -> int:
    from tqdm import tqdm

    if not pairs_file.is_file():
        print(f"cannot analyse: pairs file {pairs_file}: no such file", file=sys.stderr)
        return 2
    rows = list(_batch_pairs(pairs_file))
    sink = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    failed = 0
    try:
        with tqdm(total=len(rows), desc="analyze", unit="pair", file=sys.stderr) as bar:
            for start in range(0, len(rows), ANALYZE_CHUNK):
                chunk, ready, results = rows[start : start + ANALYZE_CHUNK], [], {}
                for number, _, resume, jd, error in chunk:
                    if error is None:
                        try:
                            documents = (
                                _document(pipeline, resume, "resume"),
                                _document(pipeline, jd, "jd"),
                            )
                        except CannotAnalyse as problem:
                            error = str(problem)
                    if error is None:
                        ready.append((number, documents))
                    else:
                        results[number] = {"error": error}
                answers = pipeline.answers([documents for _, documents in ready])
                for (number, _), answer in zip(ready, answers, strict=True):
                    results[number] = answer
                for number, pair_id, *_ in chunk:
                    failed += "error" in results[number]
                    sink.write(json.dumps({"id": pair_id, **results[number]}) + "\n")
                bar.update(len(chunk))
    finally:
        if out:
            sink.close()
    print(f"{len(rows) - failed} pairs analysed, {failed} failed", file=sys.stderr)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from skillbridge_pipeline.local import LocalPipeline

    summary = LocalPipeline(skillbridge_home()).train()
    print(
        json.dumps(
            {
                "version": summary.version,
                "metrics": summary.metrics,
                "seconds": round(summary.seconds, 1),
            },
            indent=2,
        )
    )
    return 0


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


def cmd_dlq(args: argparse.Namespace) -> int:
    """The dead-letter queue: list, show, replay."""
    from skillbridge_pipeline.core.store import dead_letters

    _default_dagster_home()
    from skillbridge_pipeline.definitions import defs

    results_store = defs.resources["results_store"]
    store = results_store.open()
    if moved := dead_letters.drain(store, results_store.spool):
        print(f"moved {moved} spooled dead letters into the store", file=sys.stderr)
    if args.action == "list":
        for letter in dead_letters.listing(store, args.status, args.limit):
            print(
                f"{letter.id:>5} {letter.status:<9} {letter.job_name}/{letter.asset} "
                f"{letter.partition_key or '-'} x{letter.attempts}: {letter.error_message[:90]}"
            )
        return 0
    if args.action == "show" and len(args.ids) != 1:
        print("dlq show takes one dead-letter id (see dlq list)", file=sys.stderr)
        return 2
    if args.action == "replay" and not (args.ids or args.all):
        print("dlq replay takes dead-letter ids, or --all", file=sys.stderr)
        return 2
    if unknown := [i for i in args.ids if dead_letters.get(store, i) is None]:
        print(
            f"unknown dead letter id {', '.join(map(str, unknown))} (see dlq list)", file=sys.stderr
        )
        return 2
    if args.action == "show":
        print(json.dumps(dead_letters.get(store, args.ids[0]).__dict__, indent=2, default=str))
        return 0
    from dagster import DagsterInstance

    from skillbridge_pipeline.replay import launch_with_run_launcher, replay
    from skillbridge_pipeline.settings import selected_environment

    # Production hands replays to the instance's launcher (the daemon runs them); the embedded
    # default runs them here, where no daemon need be running.
    launch = launch_with_run_launcher if selected_environment() == "production" else None
    ids = [d.id for d in dead_letters.listing(store, "open", 10_000)] if args.all else args.ids
    for letter_id, success, run_id in replay(DagsterInstance.get(), defs, store, ids, launch):
        if success is None:
            print(f"{letter_id}: launched run {run_id} through the instance's run launcher")
        else:
            print(f"{letter_id}: {'resolved' if success else 'failed again'} (run {run_id})")
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


def cmd_api(args: argparse.Namespace) -> int:
    """Serve the results API, the WebSocket notifier and the report pages."""
    import uvicorn

    from skillbridge_pipeline.api.app import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_tokens(args: argparse.Namespace) -> int:
    """API tokens: create (the secret is printed once), revoke, list."""
    from skillbridge_pipeline.api.settings import ApiSettings
    from skillbridge_pipeline.core.store import ResultsStore, tokens

    store = ResultsStore(ApiSettings.from_environment().results_url)
    store.create_schema()
    if args.action == "create":
        if not args.name:
            print("tokens create needs --name", file=sys.stderr)
            return 2
        if args.session and args.scope != "read":
            print("only a read token can be bound to a session (--scope read)", file=sys.stderr)
            return 2
        token, secret = tokens.create(store, args.name, args.scope, args.session)
        print(secret)
        bound = f", session {token.session_id}" if token.session_id else ""
        print(
            f"token {token.id} ({token.name}, {token.scope}{bound}): keep the secret above, "
            "it is not stored",
            file=sys.stderr,
        )
        return 0
    if args.action == "revoke":
        if not args.id:
            print("tokens revoke needs a token id (see tokens list)", file=sys.stderr)
            return 2
        if not tokens.revoke(store, args.id):
            print(f"no active token {args.id}", file=sys.stderr)
            return 2
        print(f"token {args.id} revoked")
        return 0
    for token in tokens.listing(store):
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        bound = f" session {token.session_id}" if token.session_id else ""
        print(f"{token.id:>4} {token.name:<24} {token.scope:<6} {state}{bound}")
    return 0


def cmd_stack(args: argparse.Namespace) -> int:
    """The production stack as local processes (no containers): up or down."""
    from skillbridge_pipeline import stack

    root = Path(args.root).resolve()
    if args.action == "down":
        stopped = stack.down(root)
        print("stopped: " + (", ".join(stopped) or "nothing was running"))
        return 0
    config = stack.StackConfig(
        root=root,
        webserver_port=args.webserver_port,
        api_port=args.api_port,
        groq_api_key=os.environ.get("GROQ_API_KEY", ""),
        kafka_storage=args.kafka_storage,
    )
    for item in stack.up(config):
        print(f"{item.name:<18} pid {item.pid:<7} " + (f"port {item.port}" if item.port else ""))
    print(
        f"Dagster UI http://127.0.0.1:{args.webserver_port}  API http://127.0.0.1:{args.api_port}"
    )
    print("environment of the stack's processes:")
    for key, value in config.environment().items():
        print(f"  {key}={value}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Produce one event: a document (base64 in JSON) or an analysis request (a JSON file)."""
    from skillbridge_pipeline.core.documents.events import (
        document_event,
        parse_event,
        request_event,
    )
    from skillbridge_pipeline.resources import KafkaResource

    bootstrap = args.bootstrap or os.environ.get("SKILLBRIDGE_KAFKA_BOOTSTRAP")
    if not bootstrap:
        print(
            "no Kafka: pass --bootstrap HOST:PORT or set SKILLBRIDGE_KAFKA_BOOTSTRAP",
            file=sys.stderr,
        )
        return 2
    source = Path(args.file)
    if not source.is_file():
        print(f"not a file: {source}", file=sys.stderr)
        return 2
    if args.kind == "request":
        try:
            request = json.loads(source.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            print(
                f"{source} is not a JSON request ({error or 'nested too deeply'})", file=sys.stderr
            )
            return 2
        if not isinstance(request, dict):
            print(
                f"{source} must hold one JSON object (resume_id, jd_id or jd_url, session_id), "
                f"not a {type(request).__name__}",
                file=sys.stderr,
            )
            return 2
        try:
            value = request_event(request)
        except ValueError as error:
            print(f"{source} is not an analysis request: {error}", file=sys.stderr)
            return 2
    else:
        from skillbridge_pipeline.core.documents.parsing import DEFAULT_MAX_BYTES

        data = source.read_bytes()
        if len(data) > DEFAULT_MAX_BYTES:
            print(
                f"{source} is {len(data) / 1_048_576:.1f} MB, over the "
                f"{DEFAULT_MAX_BYTES / 1_048_576:.0f} MB document limit; nothing was published",
                file=sys.stderr,
            )
            return 2
        value = document_event(args.kind, source.name, data)
    try:
        parse_event(value)
    except ValueError as error:
        print(f"not a valid event: {error}", file=sys.stderr)
        return 2
    kafka = KafkaResource(bootstrap_servers=bootstrap)
    producer = kafka.producer()
    producer.produce(kafka.topic_for(args.kind), value=value)
    if producer.flush(30) != 0:
        print("the event was not delivered within 30 s", file=sys.stderr)
        return 1
    print(f"published {args.kind} {source.name} to {kafka.topic_for(args.kind)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _default_dagster_home()
    from skillbridge_pipeline.demo import run_demo

    return run_demo()


def cmd_dev(args: argparse.Namespace) -> int:
    """The Dagster UI and daemon, quiet unless --verbose. SIGTERM stops them cleanly even when
    started in the background: Dagster maps SIGTERM onto SIGINT's handler, and a shell without
    job control starts background commands with SIGINT ignored, so both are reset here."""
    import signal

    _default_dagster_home()
    argv = [
        sys.executable,
        "-W",
        "ignore::FutureWarning",  # `dagster dev` says it is superseded by `dg dev` on every start
        "-m",
        "dagster",
        "dev",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "--host",
        args.host,
        "--port",
        str(args.port),
        # At info the daemon logs every sensor tick ("skipped: no pending analysis requests").
        "--log-level",
        "info" if args.verbose else "warning",
    ]
    print(
        f"Dagster UI: http://{args.host}:{args.port} (ready in about a minute; "
        "Ctrl-C or SIGTERM stops it)",
        flush=True,
    )
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not os.isatty(0) and os.getpgrp() != os.getpid():
        os.setpgrp()  # its own process group: `kill -- -PID` reaches the UI, daemon and servers
    # From the instance's folder: in the checkout, Dagster warns that ./dagster.yaml is not used.
    os.chdir(os.environ["DAGSTER_HOME"])
    os.execv(argv[0], argv)
    return 0  # not reached


def cmd_build_taxonomy(args: argparse.Namespace) -> int:
    from skillbridge_pipeline.core.skills.taxonomy import DEFAULT_TAXONOMY_DIR
    from skillbridge_pipeline.core.skills.taxonomy_build import build_taxonomy

    shared = Path(args.shared)
    if not (shared / "onet").is_dir() or not (shared / "esco-full").is_dir():
        print(
            f"{shared} does not hold the shared datasets (onet/, esco-full/, ...)", file=sys.stderr
        )
        return 2
    skills = build_taxonomy(shared, Path(args.out or DEFAULT_TAXONOMY_DIR), progress=True)
    print(f"wrote {len(skills)} skills to {args.out or DEFAULT_TAXONOMY_DIR}")
    return 0


def cmd_build_linker(args: argparse.Namespace) -> int:
    from skillbridge_pipeline.core.skills.linker import MODEL_DIR
    from skillbridge_pipeline.core.skills.linker_build import (
        build_model,
        fit_calibration,
        train_adapter,
    )
    from skillbridge_pipeline.core.skills.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    if args.force or not (MODEL_DIR / "model.safetensors").exists():
        print("distilling the linker's static model from all-MiniLM-L6-v2 (about a minute)")
        build_model(taxonomy)
    if args.train:
        print(f"adapter: {train_adapter(taxonomy, Path(args.train))}")
    if args.calibrate:
        print(f"calibration: {fit_calibration(taxonomy)}")
    print(f"linker model at {MODEL_DIR}")
    return 0


def _positive(text: str) -> int:
    """A whole number of at least 1, or argparse's clear refusal."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (1-65535)")
    return value


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


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Counters made in this process and in the runs it starts reach the API's /metrics through
    # this folder (set before anything imports prometheus_client).
    metrics_dir = os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(skillbridge_home() / "metrics")
    )
    Path(metrics_dir).mkdir(parents=True, exist_ok=True)
    try:
        return args.run(args)
    except SettingError as error:
        print(f"skillbridge {args.command}: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        if (damage := _store_damage(error)) is None:
            raise
        print(f"skillbridge {args.command}: {damage}", file=sys.stderr)
        return 1


def _store_damage(error: Exception) -> str | None:
    """A damaged results store said in one line (not 118 lines of traceback), else None."""
    from sqlalchemy.exc import DatabaseError, OperationalError

    from skillbridge_pipeline.core.store import StoreDamaged

    if isinstance(error, StoreDamaged):
        return str(error)
    if isinstance(error, DatabaseError) and not isinstance(error, OperationalError):
        return (
            f"the results store is damaged ({error.orig}); restore it from a backup, or move "
            "it away to start an empty one"
        )
    return None


if __name__ == "__main__":
    sys.exit(main())
