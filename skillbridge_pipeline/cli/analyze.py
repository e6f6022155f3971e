"""`skillbridge analyze`: the whole answer in this process, for one pair, one resume against
several JDs, or a file of pairs (--batch); and how an answer is printed and written as a report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from skillbridge_pipeline.cli.common import _llm_settings
from skillbridge_pipeline.settings import skillbridge_home

ANALYZE_CHUNK = 64  # pairs scored and looked up together in --batch


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
