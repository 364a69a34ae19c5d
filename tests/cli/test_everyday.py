"""Everyday use (SPEC §11): quick and safe entry, article files, stdin, id prefixes, the
catalogue in the log, reads that never create, help with examples."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tracker.cli import TrackerGroup, cli
from tracker.cli.groups import FALLBACK, SECTIONS, section_of

ROOT = Path(__file__).resolve().parents[2]
SEED_CSV = ROOT / "events" / "2025-02-new-york-parrot-us-warns-haftar.csv"
SEED_TOML = ROOT / "events" / "articles" / "2025-02-new-york-parrot-us-warns-haftar.toml"
TEMPLATE = ROOT / "tracker" / "data" / "article.toml"

Run = Callable[..., Result]


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, list(args), input=stdin, catch_exceptions=False, prog_name="tracker"
    )


@pytest.fixture
def run(db_url: str, frozen: object) -> Run:
    """The CLI on a fresh database of each backend (--db given after the command name too)."""

    def call(*args: str, stdin: str | None = None) -> Result:
        return invoke("--db", db_url, *args, stdin=stdin)

    return call


def usage(command: str, message: str, arguments: str = "[OPTIONS]") -> str:
    return (
        f"Usage: tracker {command} {arguments}\n"
        f"Try 'tracker {command} --help' for help.\n\nError: {message}\n"
    )


# --- every missing required parameter at once ------------------------------------------


def test_add_reports_every_missing_required_option_at_once(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path / "t.db"), "add", "--type", "diplomacy.visit")
    assert result.exit_code == 2
    assert result.stderr == usage(
        "add", "Missing options '--date', '--subject', '--summary', '--source'."
    )
    assert not (tmp_path / "t.db").exists()


def test_retract_reports_the_missing_claim_and_reason_together() -> None:
    result = invoke("retract")
    assert result.exit_code == 2
    assert result.stderr == usage(
        "retract", "Missing argument 'CLAIM' and option '--reason'.", "[OPTIONS] CLAIM"
    )


def test_one_missing_option_keeps_clicks_own_message() -> None:
    result = invoke("retract", "clm:1")
    assert result.stderr == usage("retract", "Missing option '--reason'.", "[OPTIONS] CLAIM")


def test_a_subcommand_reports_its_missing_options_at_once() -> None:
    result = invoke("export", "diff")
    assert result.exit_code == 2
    assert result.stderr == usage("export diff", "Missing options '--from', '--to'.")


def test_add_help_marks_the_required_options() -> None:
    options = invoke("add", "--help").stdout.split("Options:\n", 1)[1].split("\n  -")
    required = {"-" + block.split()[0].lstrip("-") for block in options if "[required]" in block}
    required = {"-" + name for name in required}
    assert required == {"--type", "--date", "--subject", "--summary", "--source"}


# --- bad option values: exit 2, naming the option given ----------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["diff", "--known-from", "yesterday"],
            "Invalid value for '--known-from': 'yesterday' is not an ISO datetime, a date, "
            "`now` or `@N`",
        ),
        (
            ["diff", "--known-from", "2025-01-01", "--known-to", "@x"],
            "Invalid value for '--known-to': '@x': @N needs a whole number",
        ),
        (
            ["show", "--as-of", "31/05/2024"],
            "Invalid value for '--as-of': '31/05/2024' is not a date to cut at: use "
            "YYYY-MM-DD, YYYY-MM or YYYY",
        ),
        (
            ["timeline", "--from", "2024-5"],
            "Invalid value for '--from': invalid date '2024-5'; accepted forms: YYYY-MM-DD, "
            "YYYY-MM, YYYY, with ~ or ? after it (2024-05~), [YYYY-MM..YYYY-MM], START/END, "
            "START/.., ../END",
        ),
    ],
)
def test_a_bad_option_value_is_a_usage_error_naming_the_option(
    args: list[str], message: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr == usage(args[0], message)


def test_a_known_to_past_the_log_names_known_to(run: Run) -> None:
    run("import", str(SEED_CSV))
    result = run("diff", "--known-from", "@1", "--known-to", "@99")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: --known-to '@99': the log has positions 1 to 16\n",
    )


def test_timeline_from_after_to_is_an_error(run: Run) -> None:
    run("import", str(SEED_CSV))
    result = run("timeline", "--from", "2025", "--to", "2024")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "Error: --to 2024 is before --from 2025\n",
    )


# --- --db after the command name ----------------------------------------------------------


def test_db_given_after_the_command_wins_over_the_groups(tmp_path: Path, frozen: object) -> None:
    real, other = tmp_path / "real.db", tmp_path / "other.db"
    invoke("import", str(SEED_CSV), "--db", str(real))
    result = invoke("--db", str(other), "info", "--db", str(real))
    assert result.exit_code == 0
    assert "events         16" in result.stdout
    assert not other.exists()


# --- reading never creates -----------------------------------------------------------------

READS = [
    ["show"],
    ["diff", "--from", "2024", "--to", "2025"],
    ["diff", "--known-from", "2025-01-01"],
    ["timeline"],
    ["history", "Russia"],
    ["export", "claims"],
    ["export", "log"],
    ["export", "picture"],
    ["export", "diff", "--from", "2024", "--to", "2025"],
    ["export", "timelinejs"],
    ["verify"],
    ["info"],
]
# Read commands other branches add, checked here too when present.
LATER_READS = [["subjects"], ["sources"], ["search", "Haftar"]]


def _reads(tmp_path: Path) -> list[list[str]]:
    later = [args for args in LATER_READS if args[0] in cli.commands]
    return [*READS, ["report", "--out", str(tmp_path / "report.html")], *later]


def test_every_read_on_a_missing_path_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "tracker.db"
    for args in _reads(tmp_path):
        result = invoke("--db", str(missing), *args)
        assert (result.exit_code, result.stdout, result.stderr) == (
            1,
            "",
            f"Error: no database at {missing} (nothing recorded there yet; "
            "`tracker add` or `tracker import` creates it)\n",
        ), args
    assert list(tmp_path.iterdir()) == []


def test_types_on_a_missing_path_lists_the_shipped_catalogue_and_creates_nothing(
    tmp_path: Path,
) -> None:
    result = invoke("--db", str(tmp_path / "none.db"), "types")
    assert result.exit_code == 0 and "diplomacy.visit" in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["import", str(SEED_CSV)],
        ["db", "upgrade"],
        ["types", "add", "military.battle", "--shape", "occurrence", "--description", "A battle"],
        [
            *("add", "--type", "diplomacy.visit", "--date", "2025", "--subject", "X"),
            *("--summary", "X visited.", "--source", "S"),
        ],
    ],
)
def test_writers_create_the_database(tmp_path: Path, frozen: object, args: list[str]) -> None:
    path = tmp_path / "new.db"
    assert invoke("--db", str(path), *args).exit_code == 0
    assert path.exists()


def test_restore_creates_the_database(tmp_path: Path, frozen: object) -> None:
    source, target = tmp_path / "a.db", tmp_path / "b.db"
    invoke("--db", str(source), "import", str(SEED_CSV))
    dump = tmp_path / "log.jsonl"
    invoke("--db", str(source), "export", "log", "--out", str(dump))
    result = invoke("--db", str(target), "restore", str(dump))
    assert (result.exit_code, result.stdout) == (0, "restored 16 events; hash chain verified\n")


# --- help: sections, whole summaries, examples at the end ----------------------------------


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(prefix + name)
        if isinstance(command, click.Group):
            found += _commands(command, prefix + name + " ")
    return found


@pytest.mark.parametrize("name", ["", *_commands(cli)])
def test_every_help_ends_with_two_to_four_examples(name: str) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"], prog_name="tracker")
    assert result.exit_code == 0
    help_text = result.stdout
    assert "\n  Examples:\n" in help_text, f"tracker {name} --help has no Examples"
    examples = help_text.split("\n  Examples:\n", 1)[1].rstrip("\n").splitlines()
    commands = [line for line in examples if line.startswith("    tracker ")]
    assert 2 <= len(commands) <= 4, examples
    assert all(line.startswith("    ") for line in examples), "Examples must come last"


def test_tracker_help_groups_the_commands_with_whole_summaries() -> None:
    text = invoke("--help").stdout
    titles = [line[:-1] for line in text.splitlines() if line and line[0] != " "]
    assert titles[2:] == ["Record", "Judge", "Look", "Change", "Exchange", "Admin"]
    assert "..." not in text.split("\n", 1)[1]
    record = text.split("Record:\n", 1)[1].split("\n\n", 1)[0]
    assert record.splitlines()[0] == (
        "  add     Append one claim, citing an article of a publisher."
    )


def test_a_command_the_table_does_not_know_is_listed_not_refused() -> None:
    group = TrackerGroup(name="tracker")

    @click.command()
    def frobnicate() -> None:
        """Frobnicate the log. Examples below.

        \b
        Examples:
          tracker frobnicate
          tracker frobnicate --db x.db
        """

    group.add_command(frobnicate)
    assert section_of("frobnicate") == FALLBACK
    text = CliRunner().invoke(group, ["--help"], prog_name="tracker").stdout
    assert f"{FALLBACK}:\n  frobnicate  Frobnicate the log.\n" in text
    assert [title for title, _ in SECTIONS][-1] == FALLBACK


# --- the catalogue in the log ----------------------------------------------------------------


def test_types_add_defines_a_code_that_claims_may_then_use(run: Run) -> None:
    added = run(
        "types", "add", "Military.Battle", "--shape", "occurrence", "--description", "A battle"
    )
    assert (added.exit_code, added.stdout) == (
        0,
        "type military.battle defined at log position 1\n",
    )
    again = run(
        "types", "add", "military.battle", "--shape", "occurrence", "--description", "A battle"
    )
    assert (
        again.stdout
        == "type military.battle is already in the catalogue as given; nothing appended\n"
    )
    other = run("types", "add", "military.battle", "--shape", "observation", "--description", "x")
    assert (other.exit_code, other.stderr) == (
        1,
        "Error: type 'military.battle' is already in the catalogue (occurrence: A battle)\n",
    )
    claim = run(
        "add", "--type", "MILITARY.BATTLE", "--date", "2024-06", "--subject", "Sirte",
        "--summary", "A battle at Sirte.", "--source", "Example Monitor", "--id", "b1",
    )  # fmt: skip
    assert claim.stdout == "b1 recorded at log position 2\n"
    listed = json.loads(run("types", "--format", "json").stdout)
    assert {"type": "military.battle", "shape": "occurrence", "description": "A battle"} in listed
    assert {
        "type": "military.force_level",
        "shape": "observation",
        "description": "The size of a force present somewhere (value: count)",
    } in listed


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--type", "military.force_level"],
            "Error: type 'military.force_level' is an observation: give an attribute and a value\n",
        ),
        (
            ["--type", "diplomacy.visit", "--attribute", "visits", "--value", "1"],
            "Error: type 'diplomacy.visit' is an occurrence: it takes no attribute or value\n",
        ),
    ],
)
def test_a_new_claim_must_have_its_types_shape(run: Run, extra: list[str], message: str) -> None:
    result = run(
        "add", "--date", "2024", "--subject", "Russia", "--summary", "S.", "--source", "S", *extra
    )
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
    assert run("info").stdout.count("events         0") == 1


def test_an_imported_row_of_the_wrong_shape_is_rejected_at_its_line(
    run: Run, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source\n"
        "a,diplomacy.visit,2024,Haftar,Visit.,S\n"
        "b,military.force_level,2024,Russia,Troops.,S\n",
        encoding="utf-8",
    )
    result = run("import", str(feed))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{feed}:3: attribute: type 'military.force_level' is an observation: "
        "give an attribute and a value"
    )


def test_defined_types_travel_with_export_claims_and_export_log(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    run("types", "add", "military.casualties", "--shape", "observation", "--description", "Dead")
    run(
        "add", "--type", "military.casualties", "--date", "2024-06", "--subject", "Sirte",
        "--attribute", "killed", "--value", "~40", "--summary", "About 40 killed.",
        "--source", "Example Monitor", "--id", "c1",
    )  # fmt: skip
    claims = tmp_path / "claims.csv"
    run("export", "claims", "--out", str(claims))
    assert claims.read_text(encoding="utf-8").splitlines()[1] == (
        ",type,military.casualties,,,,observation,,,,,Dead,,,,,,,,,,,"
    )
    assert run("import", str(claims)).stderr == (
        f"{claims}: 0 new, 0 corrected, 2 unchanged, 0 retracted, 0 rejected\n"
    )
    fresh = tmp_path / "fresh.db"
    imported = invoke("--db", str(fresh), "import", str(claims))
    assert (
        imported.stderr == f"{claims}: 2 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected\n"
    )
    picture = json.loads(run("show", "--as-of", "2024-12", "--format", "json").stdout)
    again = json.loads(
        invoke("--db", str(fresh), "show", "--as-of", "2024-12", "--format", "json").stdout
    )
    assert picture["slots"] == again["slots"]
    dump = tmp_path / "log.jsonl"
    run("export", "log", "--out", str(dump))
    restored = tmp_path / "restored.db"
    invoke("--db", str(restored), "restore", str(dump))
    assert "military.casualties" in invoke("--db", str(restored), "types").stdout


# --- claims named by a prefix of their id ----------------------------------------------------


def test_a_unique_prefix_names_the_claim(run: Run) -> None:
    run("import", str(SEED_CSV))
    result = run("retract", "nyp-2025-02:wilson-w", "--reason", "a fake post")
    assert result.stdout == "nyp-2025-02:wilson-warning retracted at log position 17\n"
    ranked = run("rank", "nyp-2025-02:russia-troops-2024-05", "preferred", "--reason", "r")
    assert (
        ranked.stdout == "nyp-2025-02:russia-troops-2024-05 ranked preferred at log position 18\n"
    )
    history = run("history", "nyp-2025-02:wilson-w", "--format", "json")
    assert [e["kind"] for e in json.loads(history.stdout)["events"]] == [
        "claim.asserted",
        "claim.retracted",
    ]
    corrected = run("correct", "nyp-2025-02:gnu", "--date", "2025-01", "--reason", "misread")
    assert corrected.stdout == "nyp-2025-02:gnu-mandate corrected at log position 19\n"
    reinstated = run("reinstate", "nyp-2025-02:wilson-w", "--reason", "genuine after all")
    assert reinstated.stdout == "nyp-2025-02:wilson-warning reinstated at log position 20\n"


def test_an_ambiguous_prefix_lists_the_matches(run: Run) -> None:
    run("import", str(SEED_CSV))
    result = run("retract", "nyp-2025-02:russia-troops", "--reason", "x")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: claim prefix 'nyp-2025-02:russia-troops' is ambiguous: it matches "
        "nyp-2025-02:russia-troops-2024-02, nyp-2025-02:russia-troops-2024-05\n",
    )


# --- article files and standard input ------------------------------------------------------


def test_the_seed_article_as_toml_and_as_csv_are_the_same_claims(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    assert run("import", str(SEED_CSV)).exit_code == 0
    again = run("import", str(SEED_TOML))
    assert (
        again.stderr == f"{SEED_TOML}: 0 new, 0 corrected, 15 unchanged, 0 retracted, 0 rejected\n"
    )
    other = tmp_path / "toml.db"
    first = invoke("--db", str(other), "import", str(SEED_TOML))
    assert (
        first.stderr == f"{SEED_TOML}: 15 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected\n"
    )
    assert "15 unchanged" in invoke("--db", str(other), "import", str(SEED_CSV)).stderr
    shown = run("show", "--as-of", "2025-02").stdout
    assert invoke("--db", str(other), "show", "--as-of", "2025-02").stdout == shown


ARTICLE = """\
[source]
name = "Example Monitor"
reliability = "Q"

[[claim]]
type = "diplomacy.visit"
date = "2024-05"
subject = "Haftar"
summary = "Haftar visited Minsk."

[[claim]]
type = "military.force_level"
date = "2024-5"
subject = "Russia"
attribute = "troops_in_libya"
value = 1800
summary = "1,800 troops."
colour = "red"
"""


def test_an_article_reports_errors_at_the_line_of_the_key(run: Run, tmp_path: Path) -> None:
    article = tmp_path / "article.toml"
    article.write_text(ARTICLE, encoding="utf-8")
    result = run("import", str(article))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{article}:3: reliability: reliability 'Q' is not a grade A-F\n"
        # The second claim: every problem of it, its source's grade (line 3) included.
        f"{article}:3: reliability: reliability 'Q' is not a grade A-F\n"
        f"{article}:13: date: invalid date '2024-5'; accepted forms: YYYY-MM-DD, YYYY-MM, "
        "YYYY, with ~ or ? after it (2024-05~), [YYYY-MM..YYYY-MM], START/END, START/.., "
        "../END\n"
        f"{article}:18: colour: unknown key\n"
        f"{article}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 2 rejected "
        "(file rejected: nothing appended)\n"
        "Error: rows were invalid; the files named above appended nothing\n"
    )


def test_an_article_with_skip_invalid_imports_its_valid_claims(run: Run, tmp_path: Path) -> None:
    article = tmp_path / "article.toml"
    article.write_text(ARTICLE.replace('"Q"', '"C"'), encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(article), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 3
    assert result.stderr == (
        f"{article}:13: date: invalid date '2024-5'; accepted forms: YYYY-MM-DD, YYYY-MM, "
        "YYYY, with ~ or ? after it (2024-05~), [YYYY-MM..YYYY-MM], START/END, START/.., "
        "../END\n"
        f"{article}:18: colour: unknown key\n"
        f"{article}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected\n"
    )


def test_invalid_toml_is_one_error_at_its_line(run: Run, tmp_path: Path) -> None:
    article = tmp_path / "article.toml"
    article.write_text('[source]\nname = "x"\n[[claim]]\ntype = \n', encoding="utf-8")
    result = run("import", str(article))
    assert result.stderr.splitlines()[0].startswith(f"{article}:4: row: not valid TOML: ")


def test_the_template_is_printed_and_imports_as_it_is(run: Run, tmp_path: Path) -> None:
    printed = invoke("import", "--template")
    assert printed.stdout == TEMPLATE.read_text(encoding="utf-8")
    article = tmp_path / "article.toml"
    article.write_text(printed.stdout, encoding="utf-8")
    assert run("import", str(article)).stderr == (
        f"{article}: 2 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected\n"
    )


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (SEED_CSV.read_text(encoding="utf-8"), None),
        (SEED_TOML.read_text(encoding="utf-8"), "toml"),
        (
            '{"id": "j1", "type": "diplomacy.visit", "date": "2024", "subject": "X", '
            '"summary": "X visited.", "source": "S"}\n',
            "jsonl",
        ),
    ],
)
def test_dash_reads_standard_input(run: Run, text: str, fmt: str | None) -> None:
    options = ["--input-format", fmt] if fmt else []
    result = run("import", "-", *options, stdin=text)
    assert result.exit_code == 0
    assert result.stderr.startswith("-: ") and " new, 0 corrected, 0 unchanged" in result.stderr
    assert "0 new" in run("import", "-", *options, stdin=text).stderr


def test_a_read_on_a_blank_database_of_either_backend_creates_nothing(db_url: str) -> None:
    from sqlalchemy import create_engine, inspect

    result = invoke("--db", db_url, "show")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no database at ")
    assert result.stderr.endswith("`tracker add` or `tracker import` creates it)\n")
    if db_url.startswith("sqlite"):
        assert not Path(db_url.removeprefix("sqlite:///")).exists()
    else:
        engine = create_engine(db_url)
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        engine.dispose()
