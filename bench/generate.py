"""Deterministic generator of realistic claim CSV files in the import format (SPEC §6).

    .venv/bin/python bench/generate.py --n 20000 --out /tmp/bench-data [--seed 6] [--few-sources]

Writes `claims.csv` (N claims over ~N/50 slots and ~N/20 subjects, mixed date precisions,
a few hundred publishers, quotes of a few hundred bytes, some conflicts) and `changes.csv`
(corrections: same id with changed content; retractions: `op=retract`). The same seed and N
always give byte-identical files.

By default every row cites its own article of its publisher (its own url, title and
published date), as ACLED or GDELT rows do (issue 17). `--few-sources`: the older data, each
row citing its outlet's one article (a few hundred sources in all).
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

COLUMNS = (
    "id",
    "op",
    "type",
    "date",
    "subject",
    "attribute",
    "value",
    "unit",
    "actor",
    "target",
    "place",
    "summary",
    "source",
    "source_url",
    "source_title",
    "published",
    "quote",
    "originator",
    "reliability",
    "credibility",
    "reason",
)

FIRST_DAY = date(2015, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days

OCCURRENCE_TYPES = (
    "statement.warning",
    "statement.accusation",
    "diplomacy.visit",
    "diplomacy.meeting",
    "diplomacy.pledge",
    "diplomacy.agreement",
    "diplomacy.forum_planned",
    "pressure.demand",
    "military.deployment",
    "military.withdrawal",
    "sanction.imposed",
    "sanction.lifted",
)
# attribute stem -> (type, unit, kind of value)
OBSERVATIONS = (
    ("troops_in", "military.force_level", "troops", "count"),
    ("aircraft_in", "military.force_level", "aircraft", "count"),
    ("base_at", "military.facility_present", None, "status"),
    ("law_on", "legal.instrument_in_force", None, "status"),
    ("mandate_of", "governance.mandate_status", None, "status"),
    ("role_in", "affiliation.role", None, "role"),
)
STATUSES = ("present", "absent", "under construction", "in force", "suspended", "expired")
ROLES = ("commander", "envoy", "chairman", "deputy", "spokesperson", "adviser")
PLACES = (
    "Libya",
    "Tripoli",
    "Benghazi",
    "Sirte",
    "Minsk",
    "Moscow",
    "Cairo",
    "Ankara",
    "Niamey",
    "Bamako",
    "Khartoum",
    "Port Sudan",
    "Tobruk",
    "Jufra",
    "Misrata",
)
_PROSE = (
    "the forces moved towards the coast according to officials who asked not to be named "
    "while satellite imagery showed new hangars and a runway extension near the airbase "
    "diplomats said talks had stalled over the question of sanctions relief and oil revenue "
    "a spokesman denied the report calling it baseless and politically motivated "
    "analysts warned that the deployment could escalate tensions in the region"
)
WORDS = tuple(_PROSE.split())
ORIGINATORS = (None, None, None, "intelligence assessments", "satellite imagery", "a spokesman")


def make_sources(rng: random.Random, count: int) -> list[dict[str, str]]:
    outlets = []
    for i in range(count):
        name = f"{rng.choice(('Daily', 'Weekly', 'Evening', 'Morning'))} {rng.choice(PLACES)} {i}"
        outlets.append(
            {
                "source": name,
                "source_url": f"https://news{i}.example.org/",
                "source_title": f"{name} front page",
                "reliability": rng.choice("ABCCDDEFF"),
                "published": _day(rng.randrange(DAYS)).strftime("%Y-%m"),
            }
        )
    return outlets


def _day(offset: int) -> date:
    return FIRST_DAY + timedelta(days=offset)


def make_date(rng: random.Random, observation: bool) -> str:
    """A valid date of the EDTF subset; precisions mixed roughly as real feeds have them."""
    d = _day(rng.randrange(DAYS))
    r = rng.random()
    if observation:
        r *= 0.85  # fewer open starts and open ends for values
    if r < 0.40:
        return d.isoformat()
    if r < 0.62:
        return d.strftime("%Y-%m")
    if r < 0.67:
        return d.strftime("%Y")
    if r < 0.72:
        return d.strftime("%Y-%m") + rng.choice("~?")
    if r < 0.77:
        later = d + timedelta(days=rng.randrange(31, 200))
        return f"[{d:%Y-%m}..{later:%Y-%m}]"
    if r < 0.86:
        later = d + timedelta(days=rng.randrange(1, 400))
        return f"{d.isoformat()}/{later.isoformat()}"
    if r < 0.93:
        return f"../{d:%Y-%m}"
    return f"{d:%Y-%m}/.."


def make_quote(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randrange(30, 70))]
    text = " ".join(words)
    # Commas and quotes, so the CSV writer has to quote cells as in real exports.
    return f'"{text[:60]}," he said, {text[60:]}.'


def generate(
    n: int, seed: int, articles: bool = True
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(claims, changes): N claim rows, and corrections and retractions of some of them;
    with `articles`, each row cites an article of its own."""
    rng = random.Random(seed)
    sources = make_sources(rng, max(20, min(400, n // 100)))
    n_subjects = max(4, n // 20)
    n_slots = max(2, n // 50)
    subjects = [
        f"{rng.choice(('Unit', 'Group', 'Council', 'Brigade'))} {i:06d}" for i in range(n_subjects)
    ]
    slots = []
    for i in range(n_slots):
        stem, type_code, unit, kind = OBSERVATIONS[i % len(OBSERVATIONS)]
        slots.append(
            (rng.choice(subjects), f"{stem}_{rng.choice(PLACES).lower()}", type_code, unit, kind)
        )
    claims: list[dict[str, str]] = []
    for i in range(n):
        source = rng.choice(sources)
        row = dict.fromkeys(COLUMNS, "")
        row.update(source)
        row["id"] = f"bench:{i:08d}"
        row["credibility"] = rng.choice("123456")
        row["quote"] = make_quote(rng)
        row["originator"] = rng.choice(ORIGINATORS) or ""
        if rng.random() < 0.5:
            subject, attribute, type_code, unit, kind = rng.choice(slots)
            row["date"] = make_date(rng, observation=True)
            if kind == "count":
                value = str(rng.randrange(1, 40) * 100)
            elif kind == "status":
                value = rng.choice(STATUSES)
            else:
                value = rng.choice(ROLES)
            row.update(type=type_code, subject=subject, attribute=attribute, value=value)
            row["unit"] = unit or ""
            row["summary"] = f"{subject}: {attribute.replace('_', ' ')} reported as {value}."
        else:
            subject = rng.choice(subjects)
            type_code = rng.choice(OCCURRENCE_TYPES)
            row["date"] = make_date(rng, observation=False)
            row.update(type=type_code, subject=subject)
            row["actor"] = subject
            row["target"] = rng.choice(subjects)
            row["place"] = rng.choice(PLACES)
            row["summary"] = (
                f"{subject}: {type_code.split('.')[1].replace('_', ' ')} in {row['place']}."
            )
        claims.append(row)
    # Conflicts: about 2% of observations get a twin from another source, same date, other value.
    observations = [r for r in claims if r["attribute"]]
    for twin_of in rng.sample(observations, len(observations) // 50):
        twin = dict(twin_of)
        twin["id"] = f"bench:{len(claims):08d}"
        twin.update(rng.choice(sources))
        twin["value"] = (
            str(int(twin["value"]) + 300)
            if twin["value"].isdigit()
            else rng.choice(ROLES + STATUSES)
        )
        claims[rng.randrange(len(claims))] = twin  # keep N rows; ids stay unique
    seen: set[str] = set()
    for index, row in enumerate(claims):
        if row["id"] in seen:
            row["id"] = f"bench:x{index:08d}"
        seen.add(row["id"])
    if articles:
        for index, row in enumerate(claims):
            cite_article(row, index)
    changes: list[dict[str, str]] = []
    for row in rng.sample(claims, max(1, n // 100)):
        corrected = dict(row)
        corrected["summary"] = row["summary"][:-1] + " (corrected)."
        corrected["reason"] = "the source corrected its figure"
        if row["value"].isdigit():
            corrected["value"] = str(int(row["value"]) + 100)
        changes.append(corrected)
    changed = {r["id"] for r in changes}
    for row in rng.sample([r for r in claims if r["id"] not in changed], max(1, n // 200)):
        retraction = dict.fromkeys(COLUMNS, "")
        retraction.update(id=row["id"], op="retract", reason="the source withdrew the report")
        changes.append(retraction)
    return claims, changes


def cite_article(row: dict[str, str], index: int) -> None:
    """The row's own article of its publisher: its own url and title, published the day of
    its index (so dates spread over the years), not drawn from `rng`: the claims and changes
    stay those of the same seed without `--articles`."""
    row["source_url"] = f"{row['source_url']}articles/{index:08d}"
    row["source_title"] = f"{row['source']}: report {index}"
    row["published"] = _day(index % DAYS).isoformat()


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--few-sources", action="store_true", help="each row cites its outlet's one article"
    )
    parser.add_argument("--articles", action="store_true", help="(the default; kept for scripts)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    claims, changes = generate(args.n, args.seed, articles=not args.few_sources)
    write(args.out / "claims.csv", claims)
    write(args.out / "changes.csv", changes)
    print(f"{args.out}: {len(claims)} claims, {len(changes)} changes")


if __name__ == "__main__":
    main()
