"""The `skillbridge` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from skillbridge_pipeline.core.documents import KIND_FOLDERS
from skillbridge_pipeline.settings import PROJECT_ROOT, skillbridge_home


def _default_dagster_home() -> None:
    """Use the project's dagster.yaml unless the caller chose another instance. Its storage
    paths are relative (var/dagster/...), so work from the project root."""
    if "DAGSTER_HOME" not in os.environ:
        os.environ["DAGSTER_HOME"] = str(PROJECT_ROOT)
        os.chdir(PROJECT_ROOT)


def cmd_submit(args: argparse.Namespace) -> int:
    target = Path(args.inbox or skillbridge_home() / "inbox") / KIND_FOLDERS[args.kind]
    target.mkdir(parents=True, exist_ok=True)
    for name in args.files:
        source = Path(name)
        if not source.is_file():
            print(f"not a file: {source}", file=sys.stderr)
            return 2
        # Write under a temporary name the sensor ignores, then rename: never half a file.
        fd, tmp = tempfile.mkstemp(dir=target, prefix=".", suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(source.read_bytes())
        os.replace(tmp, target / source.name)
        print(f"submitted {source.name} -> {target / source.name}")
    return 0


def cmd_extract_skills(args: argparse.Namespace) -> int:
    """JSON lines {"id", "text", "kind"} in; {"id", "skills": [...]} out, one per input."""
    from skillbridge_pipeline.core.extraction import SkillExtractor
    from skillbridge_pipeline.core.taxonomy import load_taxonomy

    extractor = SkillExtractor(load_taxonomy(), min_confidence=args.min_confidence)
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, kind = item["text"], item.get("kind", "jd")
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            print(
                f"line {number}: expected a JSON object with id and text ({error})", file=sys.stderr
            )
            return 2
        skills = [
            {
                "id": s.skill_id,
                "name": s.name,
                "category": s.category,
                "surface": s.surface,
                "start": s.start,
                "end": s.end,
                "confidence": s.confidence,
                **({"requirement": s.requirement} if s.requirement else {}),
            }
            for s in extractor.extract(text, kind="jd" if kind == "jd" else "resume")
        ]
        out.write(json.dumps({"id": item.get("id"), "skills": skills}) + "\n")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _default_dagster_home()
    from skillbridge_pipeline.demo import run_demo

    return run_demo()


def cmd_dev(args: argparse.Namespace) -> int:
    _default_dagster_home()
    dagster = Path(sys.executable).with_name("dagster")
    argv = [
        str(dagster),
        "dev",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    os.execv(argv[0], argv)
    return 0  # not reached


def cmd_build_taxonomy(args: argparse.Namespace) -> int:
    from skillbridge_pipeline.core.taxonomy import DEFAULT_TAXONOMY_DIR
    from skillbridge_pipeline.core.taxonomy_build import build_taxonomy

    skills = build_taxonomy(Path(args.shared), Path(args.out or DEFAULT_TAXONOMY_DIR))
    print(f"wrote {len(skills)} skills to {args.out or DEFAULT_TAXONOMY_DIR}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="skillbridge", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    submit = sub.add_parser("submit", help="put documents into the inbox")
    submit.add_argument("files", nargs="+")
    submit.add_argument("--kind", choices=sorted(KIND_FOLDERS), required=True)
    submit.add_argument("--inbox", help="inbox folder (default: $SKILLBRIDGE_HOME/inbox)")
    submit.set_defaults(run=cmd_submit)

    extract = sub.add_parser("extract-skills", help="JSON lines in, skills as JSON lines out")
    extract.add_argument(
        "--min-confidence",
        type=float,
        help="report skills at least this confident (default: 0.6 for JDs, 0.5 for resumes)",
    )
    extract.set_defaults(run=cmd_extract_skills)

    demo = sub.add_parser("demo", help="run the pipeline on the sample documents")
    demo.set_defaults(run=cmd_demo)

    dev = sub.add_parser("dev", help="start the Dagster UI and daemon on this project")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(run=cmd_dev)

    build = sub.add_parser("build-taxonomy", help="rebuild data/taxonomy from shared data")
    build.add_argument("--shared", default=str(PROJECT_ROOT.parent / "shared" / "data"))
    build.add_argument("--out")
    build.set_defaults(run=cmd_build_taxonomy)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
