"""Advice quality against a coach's gold: `skillbridge analyze --batch` over the pairs of
data/advice_eval/ (one process), then top-5 gap precision, top-1 agreement, weeks on real gaps
and not-gap violations, per occupation and in total.

- top-5 precision: of the first 5 reported gaps (skill_gaps in order, coverage Missing or
  Partial), the share that matches a gold real gap or a gold long path. Target 0.80.
- top-1 agreement: the first reported gap matches the gap the coach put first. Target 0.70.
- weeks on real gaps: of the roadmap weeks that focus on gaps of the analysis (applying weeks
  such as "portfolio project" left out), the share whose focus skills all match gold real gaps
  (a long path, such as a language or a degree, is not a week's work). Target 0.90.
- not-gap violations: reported top-5 gaps that match a gold not-gap (something the resume has
  in other words, a personal trait, a vague phrase) and no real gap.

Run: .venv/bin/python bench/advice_quality.py [--home DIR] [--out analyses.jsonl] [--only ID]
     [--from analyses.jsonl] [--details] [--png chart.png]
(a home with a trained model is reused; a fresh one trains it first, about a minute)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

EVAL_DIR = Path(__file__).parents[1] / "data" / "advice_eval"
GOLD = EVAL_DIR / "gold.jsonl"
TARGETS = {"top5": 0.80, "top1": 0.70, "weeks": 0.90}
TOP = 5
WEEKS = ("week1", "week2", "week3", "week4")


def load_gold(path: Path = GOLD, only: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return [r for r in rows if only is None or r["id"] == only]


# --- matching -------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lowercase; '-', '_', '/', ',' and brackets as spaces; one space between words; a plural
    's' off words longer than three letters (not '-ss'), so 'REST APIs' is 'rest api'."""
    words = re.sub(r"[-_/,()\[\]]+", " ", str(text).lower()).split()
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )


def _same_word(a: str, b: str) -> bool:
    """One word in two forms: equal, or sharing 7 or more first letters with at most 4 left over
    in each ('self-motivated' and 'self-motivation', 'resilient' and 'resilience',
    'communicator' and 'communication'; not 'internal' and 'international')."""
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return a == b or (common >= 7 and max(len(a), len(b)) - common <= 4)


def _within(short: str, long: str) -> bool:
    """`short` appears in `long` as whole words (each word in either form)."""
    part, whole = short.split(), long.split()
    return any(
        all(_same_word(p, w) for p, w in zip(part, whole[i : i + len(part)], strict=True))
        for i in range(len(whole) - len(part) + 1)
    )


def gap_names(gap: dict) -> list[str]:
    """Every name a reported gap goes by: its name, its focus, the members of its group (if the
    analysis groups gaps) and the JD's narrower names merged into it ('also')."""
    names = [gap.get("name"), gap.get("focus")]
    members = (gap.get("group") or {}).get("members") or []
    names += [m.get("name") if isinstance(m, dict) else m for m in members]
    names += gap.get("also") or []
    return [normalise(n) for n in names if isinstance(n, str) and n.strip()]


def name_matches(name: str, acceptable: str) -> bool:
    """A normalised name matches an acceptable one when equal, or when either contains the
    other as whole words ('Amazon Web Services (AWS)' ~ 'aws'; 'Ventilator' ~ 'ventilator
    management')."""
    acceptable = normalise(acceptable)
    return bool(name and acceptable) and (_within(acceptable, name) or _within(name, acceptable))


def matches(names: list[str], acceptable: list[str]) -> bool:
    """Any name of a gap (or of a week's focus) against any acceptable name of one gold gap."""
    return any(name_matches(n, a) for n in names for a in acceptable)


def first_match(names: list[str], gold_gaps: list[list[str]]) -> int | None:
    return next((i for i, acceptable in enumerate(gold_gaps) if matches(names, acceptable)), None)


# --- scoring --------------------------------------------------------------------------------


def reported_gaps(answer: dict) -> list[dict]:
    """The gaps the analysis reports, most urgent first: coverage Missing or Partial, to learn
    or a long path. What the answer says to *show* in the resume (a personal quality, industry
    experience) is advice of another kind, not a gap, and is left out."""
    return [
        g
        for g in answer["analysis"]["skill_gaps"]
        if g.get("coverage") in ("Missing", "Partial") and g.get("action") != "show"
    ]


def judge(names: list[str], gold: dict) -> tuple[str, int | None]:
    """('real', index) for a gold real gap, ('long', None) for a gold long path, ('NOT-GAP',
    None) for a gold not-gap, else ('wrong', None). `names[0]` is the gap's own name: named
    exactly as a not-gap, it is one whatever gold gap it also touches ('Networking' is not the
    CDN gap when the resume shows networking)."""
    not_gaps = gold["not_gaps"]
    if names and names[0] in {normalise(x) for x in not_gaps}:
        return "NOT-GAP", None
    real_index = first_match(names, gold["real_gaps"])
    if real_index is not None:
        return "real", real_index
    if first_match(names, gold["long_paths"]) is not None:
        return "long", None
    if any(name_matches(n, x) for n in names for x in not_gaps):
        return "NOT-GAP", None
    return "wrong", None


def score_pair(gold: dict, answer: dict) -> dict:
    real = gold["real_gaps"]
    gaps = reported_gaps(answer)
    top = []
    for gap in gaps[:TOP]:
        verdict, real_index = judge(gap_names(gap), gold)
        top.append(
            {
                "name": gap["name"],
                "coverage": gap["coverage"],
                "level": gap.get("priority_level"),
                "verdict": verdict,
                "real_index": real_index,
            }
        )
    found = {judge(gap_names(g), gold)[1] for g in gaps} - {None}
    all_names = {n for g in gaps for n in gap_names(g)}
    weeks = []
    for key in WEEKS:
        week = answer["roadmap"]["weeks"].get(key)
        if not week:
            continue
        focus = [normalise(s) for s in week.get("focus_skills", [])]
        learning = any(f in all_names for f in focus)
        verdicts = [judge([f], gold)[0] for f in focus]
        on_real = learning and all(v == "real" for v in verdicts)
        on_long = learning and "long" in verdicts
        weeks.append(
            {
                "week": key,
                "focus": week.get("focus_skills", []),
                "learning": learning,
                "on_real": on_real,
                "on_long": on_long,
            }
        )
    return {
        "id": gold["id"],
        "occupation": gold["occupation"],
        "sector": gold["sector"],
        "top": top,
        "top5_right": sum(t["verdict"] in ("real", "long") for t in top),
        "top5_n": len(top),
        "top1": bool(top) and top[0]["real_index"] == gold["top1"],
        "top1_real": bool(top) and top[0]["verdict"] in ("real", "long"),
        "coach_first": real[gold["top1"]][0],
        "violations": [t["name"] for t in top if t["verdict"] == "NOT-GAP"],
        "recall": len(found) / len(real) if real else 1.0,
        "weeks": weeks,
        "weeks_learning": sum(w["learning"] for w in weeks),
        "weeks_real": sum(w["on_real"] for w in weeks),
        "weeks_long": sum(w["on_long"] for w in weeks),
        "match": answer["analysis"].get("overall_match"),
    }


def totals(scores: list[dict]) -> dict:
    n = len(scores)
    top5_n = sum(s["top5_n"] for s in scores)
    learning = sum(s["weeks_learning"] for s in scores)
    return {
        "pairs": n,
        "top5": sum(s["top5_right"] for s in scores) / top5_n if top5_n else 0.0,
        "top1": sum(s["top1"] for s in scores) / n if n else 0.0,
        "top1_real": sum(s["top1_real"] for s in scores) / n if n else 0.0,
        "weeks": sum(s["weeks_real"] for s in scores) / learning if learning else 0.0,
        "weeks_learning": learning,
        "weeks_long": sum(s["weeks_long"] for s in scores),
        "violations": sum(len(s["violations"]) for s in scores),
        "recall": sum(s["recall"] for s in scores) / n if n else 0.0,
    }


def _row(label: str, t: dict) -> str:
    return (
        f"{label:<30} {t['pairs']:>5} {t['top5']:>6.2f} {t['top1']:>6.2f} {t['top1_real']:>7.2f}"
        f" {t['weeks']:>6.2f} {t['weeks_learning']:>5} {t['weeks_long']:>5}"
        f" {t['violations']:>5} {t['recall']:>7.2f}"
    )


def report(scores: list[dict], details: bool = False) -> str:
    lines = []
    if details:
        for s in scores:
            lines.append(f"\n{s['id']} ({s['occupation']}; coach first: {s['coach_first']})")
            for t in s["top"]:
                lines.append(
                    f"    {t['verdict']:<8} {t['level'] or '':<8} {t['name']} [{t['coverage']}]"
                )
            for w in s["weeks"]:
                mark = (
                    "real"
                    if w["on_real"]
                    else "long"
                    if w["on_long"]
                    else ("off" if w["learning"] else "apply")
                )
                lines.append(f"    {w['week']}: {', '.join(w['focus'])} [{mark}]")
        lines.append("")
    head = (
        f"{'occupation':<30} {'pairs':>5} {'top5':>6} {'top1':>6} {'top1∈gold':>7}"
        f" {'weeks':>6} {'learn':>5} {'long':>5} {'viol':>5} {'recall':>7}"
    )
    lines += [head, "-" * len(head)]
    groups = defaultdict(list)
    for s in scores:
        groups[s["occupation"]].append(s)
    lines += [_row(name, totals(group)) for name, group in sorted(groups.items())]
    lines.append("-" * len(head))
    for sector in ("software", "other"):
        part = [s for s in scores if s["sector"] == sector]
        if part:
            lines.append(_row(f"[{sector}]", totals(part)))
    overall = totals(scores)
    lines.append(_row("ALL", overall))
    lines.append("")
    names = {
        "top5": "top-5 gap precision",
        "top1": "top-1 agreement",
        "weeks": "weeks on real gaps",
    }
    for key, target in TARGETS.items():
        lines.append(
            f"{names[key]:<22} {overall[key]:.2f}  = {overall[key] / target:.2f}x the target "
            f"{target:.2f}"
        )
    lines.append(
        f"{'not-gap violations':<22} {overall['violations']} in the top {TOP} of "
        f"{overall['pairs']} pairs (target 0)"
    )
    lines.append(
        "columns: top1∈gold = the first gap is some gold gap; learn = weeks on gaps; long = weeks "
        "on a long path (language, degree); viol = not-gaps in the top 5; recall = share of gold "
        "real gaps reported anywhere (non-Strong)"
    )
    return "\n".join(lines)


# --- running --------------------------------------------------------------------------------


def run_batch(gold: list[dict], home: str | None, out: Path) -> None:
    """One `skillbridge analyze --batch` process over every pair; its progress bar shows."""
    command = shutil.which("skillbridge", path=str(Path(sys.executable).parent)) or shutil.which(
        "skillbridge"
    )
    if not command:
        sys.exit("skillbridge is not installed in this environment")
    with tempfile.TemporaryDirectory() as tmp:
        pairs = Path(tmp) / "pairs.jsonl"
        pairs.write_text(
            "".join(
                json.dumps(
                    {
                        "id": g["id"],
                        "resume": str((EVAL_DIR / g["resume"]).resolve()),
                        "jd": str((EVAL_DIR / g["jd"]).resolve()),
                    }
                )
                + "\n"
                for g in gold
            ),
            encoding="utf-8",
        )
        env = dict(os.environ)
        if home:
            env["SKILLBRIDGE_HOME"] = str(Path(home).resolve())
        subprocess.run(
            [command, "analyze", "--batch", str(pairs), "--out", str(out)], env=env, check=True
        )


def bar_chart(scores: list[dict], target: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart", file=sys.stderr)
        return
    groups = defaultdict(list)
    for s in scores:
        groups[s["occupation"]].append(s)
    labels = sorted(groups)
    figure, axis = plt.subplots(figsize=(max(8, len(labels) * 0.6), 4))
    width = 0.28
    for offset, key in enumerate(("top5", "top1", "weeks")):
        values = [totals(groups[label])[key] for label in labels]
        axis.bar([i + (offset - 1) * width for i in range(len(labels))], values, width, label=key)
        axis.axhline(TARGETS[key], linestyle=":", linewidth=0.8)
    axis.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
    axis.set_ylim(0, 1)
    axis.legend()
    figure.tight_layout()
    figure.savefig(target, dpi=120)
    print(f"wrote {target}", file=sys.stderr)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--home", help="a SkillBridge home (default: $SKILLBRIDGE_HOME)")
    options.add_argument("--out", help="keep the analyses JSONL here")
    options.add_argument("--only", metavar="ID", help="one pair of the set")
    options.add_argument("--from", dest="source", help="score this analyses JSONL; run nothing")
    options.add_argument("--details", action="store_true", help="each pair's top 5 and weeks")
    options.add_argument("--png", help="write a bar chart per occupation (needs matplotlib)")
    args = options.parse_args()
    gold = load_gold(only=args.only)
    if not gold:
        sys.exit(f"no pair {args.only!r} in {GOLD}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.source or args.out or Path(tmp) / "analyses.jsonl")
        if not args.source:
            run_batch(gold, args.home, out)
        answers = {}
        for line in out.open(encoding="utf-8"):
            row = json.loads(line)
            answers[str(row["id"])] = row
    failed = [g["id"] for g in gold if g["id"] not in answers or "error" in answers[g["id"]]]
    if failed:
        print(f"no analysis for: {', '.join(failed)}", file=sys.stderr)
    scores = [score_pair(g, answers[g["id"]]) for g in gold if g["id"] not in failed]
    print(report(scores, details=args.details))
    if args.png:
        bar_chart(scores, Path(args.png))


if __name__ == "__main__":
    main()
