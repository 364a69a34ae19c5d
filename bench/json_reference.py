"""The reference for `show`/`diff --format json` (issue 17): plain sqlite3 over the tracker's
projection tables, the same queries, printing the same JSON bytes.

    python bench/json_reference.py DB show AS_OF    # = tracker show --as-of AS_OF
    python bench/json_reference.py DB diff FROM TO  # = tracker diff --from FROM --to TO
    (the tracker's with --known-at 2030-01-01 --format json)

What it shares with the tracker, on purpose: the pure picture rules (`tracker.domain`: which
observations a picture can use, the slots, the diff; standard library only) and the JSON text
(compact C encoder, re-indented by msgspec). What it leaves out is everything between the
database and those rules: SQLAlchemy, the store, the services, the CLI. Its queries are the
projection readers' (`picture_rows.pictured`, `occurrence_rows.occurrences`, `names`,
`publishers`) written out for sqlite3. `bench/memory.py` checks its output is byte for byte the
tracker's before timing it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

import msgspec

from tracker.domain.bounds import usable
from tracker.domain.dates import date_label, parse_as_of
from tracker.domain.diff import compare
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge
from tracker.domain.identity import Identity
from tracker.domain.model import CLAIM_FIELDS, Claim, Publisher, Source
from tracker.domain.picture import OccurrenceView, Picture, build_picture, certainty
from tracker.domain.values import number_text, read_value

KNOWN_AT = "2030-01-01T23:59:59Z"  # --known-at 2030-01-01: the end of that day, after the log
_N = len(CLAIM_FIELDS)
_COLUMNS = ", ".join(f'"{name}"' for name in STATE_FIELDS)


def state(row: tuple[Any, ...]) -> ClaimState:
    return ClaimState(Claim(*row[:_N]), row[_N], bool(row[_N + 1]), row[_N + 2])


def knowledge(db: sqlite3.Connection, days: list[date]) -> tuple[Knowledge, int]:
    """The claims pictures at `days` can use (as `picture_rows.pictured`), their articles, every
    publisher and the names; the head position."""
    head = db.execute(
        "SELECT max(position) FROM log WHERE recorded_at <= ?", ("2030-01-01 23:59:59.999999",)
    ).fetchone()[0]
    last = max(days).toordinal()
    known = Knowledge(position=head)
    deprecated = db.execute(
        f"SELECT {_COLUMNS} FROM claims WHERE first_day <= ? AND retracted = 0 "
        "AND rank = 'deprecated'",
        (last,),
    )
    for row in deprecated:
        known.claims[row[0]] = state(row)
    bounds = db.execute(
        "SELECT subject_key, attribute_key, first_day, last_day, end_day, position, id "
        "FROM claims WHERE attribute IS NOT NULL AND retracted = 0 AND rank != 'deprecated' "
        "AND first_day <= ? ORDER BY subject_key, attribute_key",
        (last,),
    ).fetchall()
    roots = dict(db.execute("SELECT name_key, root_key FROM aliases"))
    if roots:
        bounds = sorted(((roots.get(r[0], r[0]), *r[1:]) for r in bounds), key=itemgetter(0, 1))
    ids: set[str] = set()
    for day in days:
        ids.update(usable(bounds, day.toordinal()))
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        marks = ", ".join("?" * len(batch))
        for row in db.execute(f"SELECT {_COLUMNS} FROM claims WHERE id IN ({marks})", batch):
            known.claims[row[0]] = state(row)
    cited = sorted({s.claim.source_id for s in known.claims.values()})
    for start in range(0, len(cited), 500):
        batch = cited[start : start + 500]
        marks = ", ".join("?" * len(batch))
        query = "SELECT id, name, url, title, published, retrieved, reliability FROM articles"
        for row in db.execute(f"{query} WHERE id IN ({marks})", batch):
            known.sources[row[0]] = Source(*row)
    for key, name, grade in db.execute("SELECT key, name, grade FROM publishers"):
        known.publishers[key] = Publisher(name, grade)
    known.identity = Identity(
        spellings=dict(db.execute("SELECT key, spelling FROM subjects")),
        attributes=dict(db.execute("SELECT key, spelling FROM attribute_names")),
        links=dict(db.execute("SELECT name_key, canonical_key FROM aliases")),
        distinct={frozenset(p) for p in db.execute("SELECT a_key, b_key FROM distinctions")},
    )
    return known, head


def occurrences(
    db: sqlite3.Connection, known: Knowledge, as_of: date, after: date | None
) -> list[OccurrenceView]:
    """As `occurrence_rows.occurrences`: newest first, ordered by SQL."""
    query = (
        "SELECT c.id, c.type, c.date, c.subject, c.summary, a.publisher_key, c.actor, c.target, "
        "c.place, coalesce(c.end_day, c.last_day), c.subject_key, c.credibility "
        "FROM claims c LEFT OUTER JOIN articles a ON c.source_id = a.id "
        "WHERE c.attribute IS NULL AND c.retracted = 0 AND c.first_day <= ? "
        "AND c.rank != 'deprecated'"
    )
    params: list[Any] = [as_of.toordinal()]
    if after is not None:
        query += " AND c.first_day > ?"
        params.append(after.toordinal())
    query += " ORDER BY c.first_day DESC, c.last_day DESC, c.position DESC"
    named = {key: (p.name,) for key, p in known.publishers.items()}
    grades = {key: p.reliability for key, p in known.publishers.items()}
    shown: dict[str, tuple[str, tuple[str, ...]]] = {}
    views = []
    for row in db.execute(query, params).fetchall():
        claim_id, kind, text, _, summary, source, actor, target, place, latest, key, cred = row
        if key not in shown:
            shown[key] = known.identity.shown([key])
        who, aliases = shown[key]
        views.append(
            OccurrenceView(
                claim_id,
                kind,
                text,
                date_label(text),
                certainty(date.fromordinal(latest), as_of),
                who,
                summary,
                named[source],
                actor,
                target,
                place,
                aliases,
                grades[source] + cred,
            )
        )
    return views


def number(value: Decimal | None) -> Any:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def value_json(value: str | None) -> Any:
    figure = read_value(value)
    if figure is None or not figure.numeric:
        return value
    return number(figure.single) if figure.single is not None else figure.text


def figure_json(value: str | None) -> dict[str, Any]:
    figure = read_value(value)
    if figure is None:
        return {"low": None, "high": None, "approximate": False}
    low, high = number(figure.low), number(figure.high)
    return {"low": low, "high": high, "approximate": figure.approximate}


def occurrence_json(o: OccurrenceView) -> dict[str, Any]:
    return {
        "claim": o.claim,
        "type": o.type,
        "date": o.date,
        "certainty": o.certainty,
        "subject": o.subject,
        "summary": o.summary,
        "sources": list(o.sources),
        "actor": o.actor,
        "target": o.target,
        "place": o.place,
        "aliases": list(o.aliases),
    }


def picture_json(picture: Picture, head: int) -> dict[str, Any]:
    slots = [
        {
            "subject": s.subject,
            "attribute": s.attribute,
            "status": s.status,
            "value": value_json(s.value),
            **figure_json(s.value),
            "unit": s.unit,
            "date": s.date,
            "claim": s.claim,
            "sources": list(s.sources),
            "candidates": [
                {
                    "claim": c.claim,
                    "value": value_json(c.value),
                    **figure_json(c.value),
                    "unit": c.unit,
                    "date": c.date,
                    "source": c.source,
                    "reliability": c.reliability,
                    "credibility": int(c.credibility),
                    "originator": c.originator,
                    "rank": c.rank,
                }
                for c in s.candidates
            ],
            "resolved_by": s.resolved_by,
            "deprecated_hidden": s.deprecated_hidden,
            "aliases": list(s.aliases),
        }
        for s in picture.slots
    ]
    return {
        "as_of": picture.as_of.isoformat(),
        "known_at": KNOWN_AT,
        "position": head,
        "slots": slots,
        "occurrences": [occurrence_json(o) for o in picture.occurrences],
        "deprecated_hidden": picture.deprecated_hidden,
        "changed_later": list(picture.changed_later),
    }


def diff_json(a: date, b: date, head: int, db: sqlite3.Connection) -> dict[str, Any]:
    known, head = knowledge(db, [a, b])
    before = build_picture(known, a, occurrences=())
    after = build_picture(known, b, occurrences=occurrences(db, known, b, a))
    changes = []
    for change in compare(before, after):
        difference = change.difference
        delta: Any = None
        if difference is not None:
            delta = (
                number(difference.single)
                if difference.single is not None
                else f"{number_text(difference.low)}..{number_text(difference.high)}"
            )
        percent = change.percent
        shown = change.after or change.before
        changes.append(
            {
                "subject": change.subject,
                "attribute": change.attribute,
                "change": change.change,
                "before": value_json(change.before.value) if change.before else None,
                "after": value_json(change.after.value) if change.after else None,
                "delta": delta,
                "delta_approximate": bool(difference and difference.approximate),
                "percent": None
                if percent is None
                else float(round(percent, 2))
                if percent.adjusted() < 25
                else float(percent),
                "status_before": change.before.status if change.before else None,
                "status_after": change.after.status if change.after else None,
                "unit": shown.unit if shown else None,
                "unit_before": change.before.unit if change.before else None,
            }
        )
    return {
        "from": a.isoformat(),
        "to": b.isoformat(),
        "known_at": KNOWN_AT,
        "position": head,
        "changes": changes,
        "occurrences": [occurrence_json(o) for o in after.occurrences],
    }


def main() -> None:
    path, what, *dates = sys.argv[1:]
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    if what == "show":
        day = parse_as_of(dates[0])
        known, head = knowledge(db, [day])
        picture = build_picture(known, day, occurrences=occurrences(db, known, day, None))
        data = picture_json(picture, head)
    else:
        data = diff_json(parse_as_of(dates[0]), parse_as_of(dates[1]), 0, db)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write(msgspec.json.format(text, indent=2) + "\n")


if __name__ == "__main__":
    main()
