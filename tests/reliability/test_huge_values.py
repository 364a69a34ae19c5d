"""Values no reader may choke on (issue 12, item 11): numbers of thousands of digits, tiny
and huge magnitudes, exponents, and JSON Lines numbers that must not go through float. Every
reading command answers (JSON output stays valid JSON, without NaN or Infinity) and the digits
stored are the digits given. Both backends. The value grammar itself is the values issue's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from reliability_support import report

from tracker.cli import cli

VALUES = {
    "5,000 nines": "9" * 5000,
    "5,000 decimals": "0." + "0" * 4998 + "1",
    "4,301 digits": "1" + "0" * 4300,
    "30 significant digits": "123456789012345678901234567890",
    "huge exponent": "1e999999999",
    "negative huge": "-" + "8" * 5000,
    "float beyond double": "1" + "0" * 400 + ".5",
    "small": "12",
}


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args])


def strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_huge_and_tiny_values_are_stored_exactly_and_every_reader_answers(
    db_url: str, frozen: object, tmp_path: Path
) -> None:
    # Since the value grammar (SPEC §10) a figure past 30 digits, or with an exponent, is
    # refused at the door, a usage error naming --value (SPEC §11); every other value is
    # stored with the digits given.
    refused = set()
    for n, (name, value) in enumerate(VALUES.items()):
        for year in ("2024", "2026"):
            args = ["add", "--type", "military.force_level", "--date", year, "--subject", "S"]
            args += ["--attribute", f"a{n}", "--value", value if year == "2024" else "7"]
            args += ["--summary", name, "--source", "y"]
            result = invoke(db_url, *args)
            if result.exit_code == 2 and year == "2024":
                error = result.stderr.splitlines()[-1]
                assert error.startswith("Error: Invalid value for '--value': ")
                assert "is not a figure" in error, (name, result.stderr)
                refused.add(name)
                continue
            assert result.exit_code == 0, (name, result.output)
    assert "small" not in refused and "30 significant digits" not in refused
    exported = invoke(db_url, "export", "claims").stdout
    for name, value in VALUES.items():
        assert name in refused or value in exported, name
    out = str(tmp_path / "r.html")
    runs = {
        "show": ["show", "--as-of", "2025"],
        "show json": ["show", "--as-of", "2025", "--format", "json"],
        "diff": ["diff", "--from", "2025", "--to", "2026"],
        "diff json": ["diff", "--from", "2025", "--to", "2026", "--format", "json"],
        "diff csv": ["diff", "--from", "2025", "--to", "2026", "--format", "csv"],
        "timeline": ["timeline"],
        "timeline json": ["timeline", "--format", "json"],
        "history": ["history", "S"],
        "history json": ["history", "S", "--format", "json"],
        "report": ["report", "--as-of", "2026", "--out", out],
        "export picture": ["export", "picture", "--as-of", "2025"],
        "export diff": ["export", "diff", "--from", "2025", "--to", "2026"],
    }
    exits = {}
    for name, args in runs.items():
        result = invoke(db_url, *args)
        exits[name] = result.exit_code
        assert result.exit_code == 0, (name, repr(result.exception)[:300], result.stderr[-300:])
        if name.endswith("json"):
            strict_json(result.stdout)
    report(f"huge_values_{db_url.split(':')[0].split('+')[0]}", exits)


def test_json_lines_numbers_keep_their_digits_and_nan_is_refused(
    db_url: str, frozen: object, tmp_path: Path
) -> None:
    row = {"type": "military.force_level", "date": "2024", "subject": "S", "source": "y"}
    numbers = ["1e16", "0.1", "9" * 5000, "1E400", "-0.000001", "12345678901234567890123.5"]
    lines = [
        json.dumps({**row, "attribute": f"n{i}", "summary": "x"})[:-1] + f', "value": {text}}}'
        for i, text in enumerate(numbers)
    ]
    path = tmp_path / "numbers.jsonl"
    path.write_text("\n".join(lines) + "\n")
    # The value grammar (SPEC §10) refuses exponents and figures past 30 digits, each row in
    # one line naming it; the others keep their digits exactly, never through float.
    result = invoke(db_url, "import", "--skip-invalid", str(path))
    assert result.exit_code == 3, result.stderr
    for line in (1, 3, 4):
        assert f"{path}:{line}: value: value " in result.stderr
    stored = {
        slot["attribute"]: slot["value"]
        for slot in strict_json(
            invoke(db_url, "show", "--as-of", "2025", "--format", "json").stdout
        )["slots"]
    }
    assert set(stored) == {"n1", "n4", "n5"}
    assert stored["n1"] == 0.1
    assert stored["n5"] == float("12345678901234567890123.5")
    csv_text = invoke(db_url, "export", "claims").stdout
    assert "12345678901234567890123.5" in csv_text and "-0.000001" in csv_text
    for constant in ("NaN", "Infinity", "-Infinity"):
        bad = tmp_path / f"{constant}.jsonl"
        bad.write_text(
            json.dumps({**row, "attribute": "z", "summary": "x"})[:-1]
            + f', "value": {constant}}}\n'
        )
        result = invoke(db_url, "import", str(bad))
        assert result.exit_code == 1, (constant, result.output)
        assert (
            f"{bad}:1: row: not valid JSON: {constant} is not a number JSON can hold"
            in result.stderr
        )
