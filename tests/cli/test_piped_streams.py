"""`show` and `diff --from --to` as CSV or JSON down a pipe write each row or item as it is read
(the reads of `export picture` / `export diff`), never building the whole view: the text must
be what the in-memory view gives, control characters escaped as before."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.cli.change import world_csv, world_json
from tracker.cli.render import dump_json
from tracker.cli.show import picture_json
from tracker.cli.terminal import escape_lines
from tracker.domain.filters import ClaimFilter
from tracker.services import Tracker
from tracker.services.reading import Reading

CLAIMS = [
    ("a1", "military.force_level", "2024-03", "Russia", "troops", "800", "Reuters", "B"),
    ("a2", "military.force_level", "2024-05", "Russia", "troops", "1800", "Monitor", "C"),
    ("a3", "military.force_level", "2024-02", "Wagner", "bases", "4", "Monitor", "C"),
    ("e1", "diplomacy.visit", "2024-04", "Haftar", None, None, "Reuters", "B"),
    ("e2", "statement.warning", "2024-05-10", "Wagner", None, None, "+Parrot", "F"),
]


@pytest.fixture
def url(tracker: Tracker) -> str:
    for claim_id, type_, day, subject, attribute, value, source, grade in CLAIMS:
        tracker.add(
            {
                "id": claim_id,
                "type": type_,
                "date": day,
                "subject": subject,
                "attribute": attribute,
                "value": value,
                "summary": f"=said\x1b[31m {claim_id}\nover two lines",
                "source": source,
                "reliability": grade,
            }
        )
    tracker.rank("a2", "deprecated", "judged")
    return str(tracker.store.engine.url.render_as_string(hide_password=False))


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever builds the whole view in memory raises from now on."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the whole view was built")

    monkeypatch.setattr(Reading, "show", refuse)
    monkeypatch.setattr(Reading, "diff", refuse)


@pytest.mark.parametrize(
    "args",
    [
        ["--as-of", "2024-06"],
        ["--as-of", "2024-04-15", "--min-reliability", "B"],
        ["--as-of", "2024-06", "--mentions", "wagner"],
    ],
)
def test_a_piped_picture_csv_streams_and_is_the_in_memory_one(
    url: str, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    whole = run(url, "show", *args, "--format", "csv", "--limit", "1000")  # built in memory
    assert "\\x1b[31m" in whole and "\x1b" not in whole
    in_memory(monkeypatch)
    assert run(url, "show", *args, "--format", "csv") == whole


def test_a_piped_diff_csv_streams_and_is_the_in_memory_one(
    tracker: Tracker, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for start, end in [("2024-03", "2024-06"), ("2024-01", "2024-04-20"), ("2024-06", "2024-06")]:
        whole = escape_lines(world_csv(tracker.diff(start, end)))  # built in memory
        assert "\\x1b[31m" in whole or start == end
        with monkeypatch.context() as patched:
            in_memory(patched)
            streamed = run(url, "diff", "--from", start, "--to", end, "--format", "csv")
        assert streamed == whole, (start, end)


@pytest.mark.parametrize("where", [[], ["--min-reliability", "B"], ["--mentions", "wagner"]])
@pytest.mark.parametrize("day", ["2024-04-15", "2024-06"])
def test_a_piped_picture_json_streams_and_is_the_in_memory_one(
    tracker: Tracker, url: str, monkeypatch: pytest.MonkeyPatch, where: list[str], day: str
) -> None:
    picture, cut = tracker.show(day, None, where=None if not where else filter_of(where))
    whole = dump_json(picture_json(picture, cut)) + "\n"  # built in memory
    assert picture.deprecated_hidden or where or day < "2024-05"
    in_memory(monkeypatch)
    assert run(url, "show", "--as-of", day, *where, "--format", "json") == whole


def test_a_piped_diff_json_streams_and_is_the_in_memory_one(
    tracker: Tracker, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for start, end in [("2024-03", "2024-06"), ("2024-06", "2024-06")]:
        whole = dump_json(world_json(tracker.diff(start, end))) + "\n"
        with monkeypatch.context() as patched:
            in_memory(patched)
            streamed = run(url, "diff", "--from", start, "--to", end, "--format", "json")
        assert streamed == whole, (start, end)


def filter_of(args: list[str]) -> ClaimFilter:
    option, value = args
    if option == "--min-reliability":
        return ClaimFilter.of(min_reliability=value)
    return ClaimFilter.of(mentions=[value])
