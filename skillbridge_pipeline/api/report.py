"""The report page: server-rendered HTML (Jinja2, autoescaped), an inline SVG chart, no scripts."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

LEVEL_COLOURS = {"Critical": "#b3261e", "High": "#e8710a", "Medium": "#f9ab00", "Low": "#80868b"}
CHART_GAPS = 15


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("skillbridge_pipeline.api", "templates"),
        autoescape=select_autoescape(["html"]),
    )


def render_report(analysis: dict, stored: dict | None, documents: dict) -> str:
    gaps = analysis.get("skill_gaps", [])
    bars = [
        {
            "name": g["name"],
            "level": g["priority_level"],
            "score": g["priority_score"],
            "width": max(2.0, 100 * float(g["priority_score"])),
            "colour": LEVEL_COLOURS.get(g["priority_level"], "#80868b"),
        }
        for g in [g for g in gaps if g["coverage"] != "Strong"][:CHART_GAPS]
    ]
    levels = {
        level: sum(1 for g in gaps if g["priority_level"] == level) for level in LEVEL_COLOURS
    }
    return (
        _environment()
        .get_template("report.html")
        .render(
            analysis=analysis,
            gaps=gaps,
            bars=bars,
            levels=levels,
            colours=LEVEL_COLOURS,
            roadmap=(stored or {}).get("roadmap"),
            suggestions=(stored or {}).get("suggestions", []),
            resume=documents.get("resume") or {},
            jd=documents.get("jd") or {},
        )
    )
