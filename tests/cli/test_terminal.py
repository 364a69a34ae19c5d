"""Reading on a terminal (SPEC §11): tables fit, cells escaped, pager and colour rules."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli
from tracker.cli.render import fit
from tracker.cli.terminal import escape, width

Run = Callable[..., Result]
HOSTILE = "Forged\x1b[2J\x1b]0;owned\x07 line\r\n| fake | row |\x9b31m\u202eevil\x7f"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


@pytest.fixture
def run(db: str, frozen: object) -> Callable[..., Result]:
    def invoke(*args: str, columns: str | None = None) -> Result:
        env = {"COLUMNS": columns, "NO_COLOR": None, "PAGER": None}
        return CliRunner(env=env).invoke(cli, ["--db", db, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(run: Run, seed_file: Path, tmp_path: Path) -> Run:
    assert run("import", str(seed_file)).exit_code == 0
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text(
        json.dumps(
            {
                "id": "h:1",
                "type": "statement.warning",
                "date": "2025-02-10",
                "subject": "Khalifa Haftar",
                "summary": HOSTILE,
                "quote": "\x1b[31mred\x1b[0m",
                "source": "Feed\x1b[1m",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert run("import", str(hostile)).exit_code == 0
    return run


READS = [
    ["show", "--as-of", "2025-06"],
    ["timeline"],
    ["history", "Russia/troops_in_libya"],
    ["diff", "--from", "2024-01", "--to", "2025-06"],
    ["search", "haftar"],
    ["types"],
    ["info"],
]


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("args", READS, ids=lambda a: a[0])
def test_no_line_is_wider_than_the_terminal(seeded: Run, args: list[str], columns: int) -> None:
    result = seeded(*args, columns=str(columns))
    assert result.exit_code == 0, result.stderr
    widths = [width(line) for line in result.stdout.splitlines()]
    assert max(widths) <= columns
    if columns == 80:
        assert max(widths) > 60  # it uses the room it has


def test_a_pipe_without_columns_keeps_whole_cells(seeded: Run) -> None:
    summary = "In discussions in Minsk, Haftar emphasised strategic partnerships in Belarus's"
    assert summary in seeded("show", "--as-of", "2025-06").stdout
    assert summary not in seeded("show", "--as-of", "2025-06", columns="80").stdout
    assert summary in seeded("show", "--as-of", "2025-06", "--wide", columns="80").stdout
    assert summary in seeded("--wide", "timeline", columns="80").stdout


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize(
    "args",
    [["show", "--as-of", "2025-06"], ["timeline"], ["search", "forged"], ["history", "h:1"]],
    ids=lambda a: a[0],
)
def test_control_characters_from_data_never_reach_stdout_raw(
    seeded: Run, args: list[str], fmt: str
) -> None:
    result = seeded(*args, "--format", fmt, columns="200")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\x7f"):
        assert raw not in text
    if fmt == "table":
        assert "\\x1b[" in text  # shown, escaped


def test_escaping_writes_every_control_character_out() -> None:
    assert escape("a\x1b[2Jb\x9b\u202e\tc\n") == "a\\x1b[2Jb\\x9b\\u202e\\x09c\\x0a"


def test_alignment_counts_wide_and_combining_characters() -> None:
    assert width("北京") == 4
    assert width("e\u0301té") == 3
    assert width("حفتر") == 4


def test_the_widest_columns_give_way_first() -> None:
    assert fit([10, 40, 8, 60], 80) == [10, 28, 8, 28]
    assert fit([10, 40, 8, 60], 80, [False, False, False, True]) == [10, 32, 8, 24]
    assert fit([10, 40, 8, 60], 200) == [10, 40, 8, 60]
    assert sum(fit([30] * 10, 80)) + 2 * 9 <= 80


def test_show_caps_a_conflict_of_many_values_and_lists_them_below(run: Run) -> None:
    for n, value in enumerate(("800", "1800", "2500")):
        run(
            "add",
            "--type", "military.force_level",
            "--date", "2024-05",
            "--subject", "Russia",
            "--attribute", "troops",
            "--value", value,
            "--summary", f"{value} troops.",
            "--source", f"Source {n}",
            "--reliability", "B",
            "--credibility", "3",
            "--id", f"c:{n}",
        )  # fmt: skip
    out = run("show", "--as-of", "2024-06", columns="120").stdout
    assert "CONFLICT  3 values, see below" in out
    assert "    2,500 @ 2024-05  Source 2 B3  c:2" in out


def test_show_limit_says_how_many_more(seeded: Run) -> None:
    out = seeded("show", "--as-of", "2025-06", "--limit", "2", columns="120").stdout
    assert out.count("\n2025-02") + out.count("\nby 2025-02") == 2
    assert "… and 5 more (--limit shows fewer or more)." in out
    data = json.loads(
        seeded("show", "--as-of", "2025-06", "--limit", "2", "--format", "json").stdout
    )
    assert (len(data["occurrences"]), data["more_occurrences"]) == (2, 5)


@pytest.mark.parametrize(
    "filters",
    [
        [],
        ["--source", "new york parrot"],
        [
            "--mentions",
            "Khalifa Haftar",
            "--type",
            "pressure.demand",
            "--type",
            "diplomacy.visit",
            "--type",
            "statement.warning",
            "--type",
            "diplomacy.meeting",
        ],
    ],
    ids=["all", "source", "mentions"],
)
@pytest.mark.parametrize("known_at", ["now", "@16"], ids=["projection", "fold"])
def test_show_limit_lists_the_newest_of_the_whole_list(
    seeded: Run, known_at: str, filters: list[str]
) -> None:
    """SQL's LIMIT and count (the projection) and a cut list (a fold) give the same first
    ones and the same count of the rest, filtered or not."""

    def listed(*extra: str) -> dict[str, object]:
        args = ("show", "--as-of", "2025-06", "--known-at", known_at, "--format", "json")
        return json.loads(seeded(*args, *filters, *extra).stdout)

    whole, three = listed(), listed("--limit", "3")
    total = len(whole["occurrences"])  # type: ignore[arg-type]
    assert total >= 4
    assert three["occurrences"] == whole["occurrences"][:3]  # type: ignore[index]
    assert three["more_occurrences"] == total - 3
    assert listed("--limit", "0")["more_occurrences"] == total


def test_a_terminal_lists_the_newest_occurrences_and_says_how_to_see_more(
    seeded: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.cli.show as show

    monkeypatch.setattr(show, "stdout_tty", lambda: True)
    monkeypatch.setattr(show, "TERMINAL_LIMIT", 2)
    out = seeded("--no-pager", "show", "--as-of", "2025-06", columns="200").stdout
    assert "… and 5 more (a terminal lists the 2 newest: --limit N, or a pipe, lists more)." in out
    assert (
        "… and 3 more (--limit shows fewer or more)."
        in seeded("--no-pager", "show", "--as-of", "2025-06", "--limit", "4", columns="200").stdout
    )
    data = json.loads(seeded("show", "--as-of", "2025-06", "--format", "json").stdout)
    assert len(data["occurrences"]) == 7 and "more_occurrences" not in data  # JSON: all


def test_a_terminal_lists_the_first_slots_and_says_more_follow(
    seeded: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.cli.show as show

    monkeypatch.setattr(show, "stdout_tty", lambda: True)
    monkeypatch.setattr(show, "TERMINAL_LIMIT", 2)
    out = seeded("--no-pager", "show", "--as-of", "2025-06", columns="200").stdout
    slots = out[out.index("Slots\n") : out.index("Occurrences")]
    assert slots.split("\n")[2:] == [
        "Abdul Hadi Al-Huwaij  role       current  Foreign minister of eastern Libya  ../2025-02"
        "  New York Parrot F6  nyp-2025-02:al-huwaij-role",
        "Alexander Lukashenko  role       current  President of Belarus               ../2025-02"
        "  New York Parrot F6  nyp-2025-02:lukashenko-role",
        "… more slots follow (a terminal lists the first 2: --limit N, or a pipe, lists them all).",
        "",
        "",
    ]
    limited = seeded("--no-pager", "show", "--as-of", "2025-06", "--limit", "0").stdout
    assert "more slots" not in limited  # --limit N is for the occurrences (SPEC §11)
    assert limited.count("nyp-2025-02:") > slots.count("nyp-2025-02:")
    monkeypatch.setattr(show, "stdout_tty", lambda: False)
    piped = seeded("show", "--as-of", "2025-06").stdout
    assert "more slots" not in piped and piped.count("nyp-2025-02:") > slots.count("nyp-2025-02:")
    data = json.loads(
        seeded("show", "--as-of", "2025-06", "--limit", "1", "--format", "json").stdout
    )
    assert (
        len(data["slots"])
        == len(json.loads(seeded("show", "--as-of", "2025-06", "--format", "json").stdout)["slots"])
        > 2
    )  # JSON: every slot


def _pty_run(args: list[str], env: dict[str, str]) -> str:
    """Run the tracker under a pseudo-terminal of 10 rows; everything it wrote there."""
    main, child = pty.openpty()
    os.set_blocking(main, False)
    full = {**os.environ, "COLUMNS": "100", "LINES": "10", **env}
    for name in [k for k, v in full.items() if v == ""]:
        del full[name]
    process = subprocess.Popen(
        [sys.executable, "-c", "from tracker.cli import main; main()", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=full,
        close_fds=True,
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 20)
        if not ready:
            break
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=30)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def pty_db(db: str, seed_file: Path, run: Run) -> str:
    run("import", str(seed_file))
    return db


def test_long_output_goes_through_the_pager_on_a_terminal(pty_db: str, tmp_path: Path) -> None:
    marker = tmp_path / "paged"
    pager = f"sh -c 'cat > {marker}'"
    shown = _pty_run(["--db", pty_db, "timeline"], {"PAGER": pager, "NO_COLOR": "1"})
    assert "legal.instr" not in shown
    assert "legal.instr" in marker.read_text(encoding="utf-8")


def test_no_pager_prints_straight(pty_db: str, tmp_path: Path) -> None:
    marker = tmp_path / "paged"
    pager = f"sh -c 'cat > {marker}'"
    shown = _pty_run(["--db", pty_db, "timeline", "--no-pager"], {"PAGER": pager})
    assert "legal.instr" in shown
    assert not marker.exists()


def test_colour_on_a_terminal_unless_no_color(pty_db: str) -> None:
    args = ["--db", pty_db, "--no-pager", "show", "--as-of", "2024-05-15"]  # a slot possible
    coloured = _pty_run(args, {"NO_COLOR": "", "PAGER": ""})
    plain = _pty_run(args, {"NO_COLOR": "1", "PAGER": ""})
    assert "\x1b[" in coloured
    assert "\x1b[" not in plain
    body = slice(1, None)  # after the title, whose known-at is the real clock's
    assert click.unstyle(coloured).splitlines()[body] == plain.splitlines()[body]
    forced = _pty_run([*args, "--color", "never"], {"NO_COLOR": ""})
    assert "\x1b[" not in forced


def test_colour_always_reaches_a_pipe(seeded: Run) -> None:
    out = seeded("show", "--as-of", "2024-05-15", "--color", "always").stdout
    plain = seeded("show", "--as-of", "2024-05-15").stdout
    assert "\x1b[" in out and "\x1b[" not in plain
