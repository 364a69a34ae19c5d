"""`tracker report` as a briefing: title and note, outliers, units, scale, the slider's dates.

The page's data blob and HTML are read directly; tests/cli/test_report.py opens it in Chromium.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli
from tracker.report import story

Run = Any


def data_blob(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page)
    assert match is not None, "the page has no data blob"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def epoch_day(text: str) -> int:
    return (date.fromisoformat(text) - date(1970, 1, 1)).days


@pytest.fixture
def run(tmp_path: Path, frozen: object) -> Run:
    db = str(tmp_path / "cli.db")

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--db", db, *args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(run: Run, seed_file: Path) -> Run:
    assert run("import", str(seed_file)).exit_code == 0
    return run


def report(run: Run, tmp_path: Path, *args: str) -> str:
    out = tmp_path / "report.html"
    result = run("report", "--as-of", "2025-02", *args, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def troops(run: Run, value: str, day: str, unit: str = "troops", source: str = "NYP") -> None:
    claim = ("--type", "military.force_level", "--subject", "Russia")
    added = run(
        "add", *claim, "--attribute", "troops_in_libya", "--value", value, "--unit", unit,
        "--date", day, "--summary", f"{value} {unit}", "--source", source,
    )  # fmt: skip
    assert added.exit_code == 0, added.output


def test_title_and_note_are_escaped_in_the_page_and_its_title(seeded: Run, tmp_path: Path) -> None:
    page = report(
        seeded, tmp_path, "--title", "Haftar <b>& Russia", "--note", "Week 9.\n\n<i>Draft</i>"
    )
    assert "<title>Haftar &lt;b&gt;&amp; Russia · tracker report: as of 2025-02-28</title>" in page
    assert "<h1>Haftar &lt;b&gt;&amp; Russia</h1>" in page
    assert '<p class="note">Week 9.</p>' in page
    assert '<p class="note">&lt;i&gt;Draft&lt;/i&gt;</p>' in page


def test_without_a_title_the_page_is_a_timeline_report(seeded: Run, tmp_path: Path) -> None:
    page = report(seeded, tmp_path)
    assert "<title>tracker report: as of 2025-02-28</title>" in page
    assert "<h1>Timeline report</h1>" in page
    assert 'class="note"' not in page


def test_note_file_is_read_as_the_note(seeded: Run, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("From the file: Ω\n", encoding="utf-8")
    assert '<p class="note">From the file: Ω</p>' in report(
        seeded, tmp_path, "--note-file", str(note)
    )
    from_stdin = seeded(
        "report", "--note-file", "-", "--out", str(tmp_path / "r.html"), input="typed in\n"
    )
    assert from_stdin.exit_code == 0
    assert '<p class="note">typed in</p>' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_note_and_note_file_together_are_a_usage_error(seeded: Run, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("x", encoding="utf-8")
    out = tmp_path / "r.html"
    result = seeded("report", "--note", "a", "--note-file", str(note), "--out", str(out))
    assert result.exit_code == 2
    assert "Error: give --note or --note-file, not both" in result.stderr
    assert not out.exists()


def test_a_note_file_that_is_not_utf8_is_one_error_line(seeded: Run, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_bytes(b"caf\xe9")
    out = tmp_path / "r.html"
    result = seeded("report", "--note-file", str(note), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for --note-file: not UTF-8 text"
    assert not out.exists()


def test_a_mistyped_1899_is_flagged_and_left_off_the_troop_chart_axis(
    seeded: Run, tmp_path: Path
) -> None:
    troops(seeded, "900", "1899-03")
    page = report(seeded, tmp_path)
    [slot] = data_blob(page)["slots"]
    assert slot["outliers"] == ["1899-03"]
    # The axis fits 2024-02 .. D, a month to spare each side, not 1899.
    assert slot["axis"]["min"] == epoch_day("2024-01-01")
    assert slot["axis"]["max"] == epoch_day("2025-04-01")
    assert "axis, far from its other dates: 1899-03" in page
    assert '<td class="date">⚠ 1899-03</td>' in page


def test_each_chart_has_its_own_axis(seeded: Run, tmp_path: Path) -> None:
    run = seeded
    added = run(
        "add", "--type", "military.force_level", "--subject", "Turkey",
        "--attribute", "drones_in_libya", "--value", "12", "--date", "2025-01-10",
        "--summary", "12 drones", "--source", "NYP",
    )  # fmt: skip
    assert added.exit_code == 0
    axes = {s["attribute"]: s["axis"] for s in data_blob(report(run, tmp_path))["slots"]}
    assert axes["drones_in_libya"]["min"] == epoch_day("2024-12-01")
    assert axes["troops_in_libya"]["min"] == epoch_day("2024-01-01")


def test_units_are_named_per_series_never_mixed_in_the_heading(seeded: Run, tmp_path: Path) -> None:
    troops(seeded, "2000", "2024-09", unit="soldiers", source="Libya Observer")
    page = report(seeded, tmp_path)
    [slot] = data_blob(page)["slots"]
    assert slot["unit"] is None
    assert slot["series"] == [
        "New York Parrot (intelligence assessments), in troops",
        "Libya Observer, in soldiers",
    ]
    assert "(units per series)" in page
    assert "(troops, soldiers)" not in page


def test_ranges_bounds_and_approximate_figures_are_charted_as_bands_and_hollow_points(
    seeded: Run, tmp_path: Path
) -> None:
    troops(seeded, "300..350", "2024-07", source="Range Monitor")
    troops(seeded, ">1000", "2024-08", source="Bound Monitor")
    troops(seeded, "~1900", "2024-09", source="About Monitor")
    page = report(seeded, tmp_path)
    [slot] = data_blob(page)["slots"]
    assert slot["figures"] is True
    points = {p["text"]: p for p in slot["points"]}
    ranged, bound, about = (
        points[k] for k in ("300\u2013350 troops", ">1,000 troops", "\u22481,900 troops")
    )
    assert (ranged["low"], ranged["high"], ranged["approximate"]) == (300, 350, False)
    assert (bound["low"], bound["high"]) == (1000, None)
    assert (about["low"], about["high"], about["approximate"]) == (1900, 1900, True)
    assert "a shaded band is a range, open-ended for a bound" in page


def test_past_the_budget_the_timeline_counts_per_month_and_tells_the_newest(
    seeded: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(story, "TIMELINE_BUDGET", 4)
    monkeypatch.setattr(story, "NEWEST", 2)
    page = report(seeded, tmp_path)
    data = data_blob(page)
    assert data["months"] == [
        {
            "month": "2025-02",
            "total": 6,
            "types": [
                ["diplomacy.forum_planned", 1],
                ["diplomacy.meeting", 1],
                ["diplomacy.pledge", 1],
                ["diplomacy.visit", 1],
                ["pressure.demand", 1],
                ["statement.warning", 1],
            ],
        }
    ]
    assert "<strong>6 occurrences</strong>: more than 4, too many to tell one by one." in page
    assert page.count('<li class="occurrence') == 2


def test_slider_dates_are_month_ends_and_change_days_up_to_d(seeded: Run, tmp_path: Path) -> None:
    slider = data_blob(report(seeded, tmp_path))["slider"]
    dates = slider["dates"]
    assert dates[-1] == "2025-02-28"
    assert dates == sorted(set(dates))
    assert {"2024-01-31", "2024-02-29", "2024-03-31", "2025-01-31"} <= set(dates)
    assert "2024-05-01" in dates  # the day the 1,800 troops' window opens
    # The first date lists every slot seen by then; later ones only what changed.
    first = {slider["keys"][c[0]][1] for c in slider["changes"][0]}
    assert first == {"status"}


def test_the_slider_ends_on_the_picture_the_page_prints_aliases_applied(
    seeded: Run, tmp_path: Path
) -> None:
    troops(seeded, "2500", "2024-09", source="Libya Observer")
    added = seeded(
        "add", "--type", "military.force_level", "--subject", "Russian Federation",
        "--attribute", "troops_in_libya", "--value", "2000", "--unit", "troops",
        "--date", "2024-11", "--summary", "2,000 troops", "--source", "Libya Observer",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    aliased = seeded("alias", "Russian Federation", "--as", "Russia", "--reason", "one state")
    assert aliased.exit_code == 0, aliased.output
    data = data_blob(report(seeded, tmp_path))
    slider = data["slider"]
    rows: dict[int, list[str]] = {}
    for changes in slider["changes"]:
        rows.update((c[0], [slider["texts"][t] for t in c[1:]]) for c in changes)
    last = {tuple(slider["keys"][k]): row for k, row in rows.items()}
    picture = json.loads(seeded("show", "--as-of", "2025-02", "--format", "json").stdout)
    assert [k for k in last if k[1] == "troops_in_libya"] == [("Russia", "troops_in_libya")]
    assert {(s["subject"], s["attribute"]): s["status"] for s in picture["slots"]} == {
        k: row[0] for k, row in last.items()
    }


def test_sources_list_each_publisher_once_with_its_newest_articles(
    run: Run, tmp_path: Path
) -> None:
    for day in ("2025-01-05", "2025-01-20", "2025-02-03", "2025-02-10", "2025-02-24"):
        added = run(
            "add", "--type", "diplomacy.visit", "--subject", "Haftar", "--date", day,
            "--summary", f"visit {day}", "--source", "Wire",
            "--source-url", f"https://wire.example/{day}", "--published", day,
        )  # fmt: skip
        assert added.exit_code == 0, added.output
    page = report(run, tmp_path)
    sources = page[page.index('<section id="sources">') :]
    sources = sources[: sources.index("</section>")]
    assert sources.count("<td rowspan") == 3  # one publisher: its name, articles, grade
    shown = re.findall(r'href="https://wire\.example/([0-9-]+)"', sources)
    assert shown == ["2025-02-24", "2025-02-10", "2025-02-03"]
    assert "and 2 older articles (5 in all)" in sources
