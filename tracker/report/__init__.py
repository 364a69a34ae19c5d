"""`tracker report`: one self-contained HTML file (Jinja2 template, Chart.js inlined)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from tracker.cli.render import human_value
from tracker.report.build import CREDIBILITY, RELIABILITY, Heading, Query, Report, build_report

# The vendored file is npm's chart.js 4.6.1 dist/chart.umd.js, unchanged. Its source map is not
# shipped, so the reference to it is dropped when inlining rather than left dangling.
SOURCE_MAP = "//# sourceMappingURL=chart.umd.js.map"


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no `<` at all, so nothing can close the element."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def render(report: Report) -> str:
    """The report as one HTML page: every script and style inline, no request when opened."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    package = resources.files("tracker.report")
    chart_js = (package / "vendor" / "chart.umd.js").read_text(encoding="utf-8")
    environment = Environment(
        loader=PackageLoader("tracker.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["human"] = lambda value: human_value(None if value is None else str(value))
    template = environment.get_template("report.html.j2")
    return template.render(
        report=report,
        heading=report.heading,
        reliability=RELIABILITY,
        credibility=CREDIBILITY,
        chart_js=Markup(chart_js.replace(SOURCE_MAP, "")),
        data_json=Markup(script_json(report.chart_data())),
    )


__all__ = ["Heading", "Query", "Report", "build_report", "render"]
