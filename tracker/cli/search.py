"""`tracker search TEXT`: claims found by their words, best first (SPEC §11)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from tracker.cli.filters import filter_options
from tracker.cli.options import WHEN
from tracker.cli.picture_text import graded, short_id
from tracker.cli.render import FORMATS, dump_csv, emit, json_value, table
from tracker.cli.terminal import terminal_options
from tracker.domain.filters import ClaimFilter

if TYPE_CHECKING:  # the services pull in SQLAlchemy: not needed for `--help`
    from tracker.services import Found, SearchResult


def register(cli: click.Group) -> None:
    cli.add_command(search)


@click.command()
@terminal_options
@click.argument("text")
@click.option(
    "--known-at",
    "known_at",
    metavar="WHEN",
    type=WHEN,
    help="Search what was known then: ISO datetime, date, now, or @N.",
)
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    metavar="N",
    help="At most N claims.",
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def search(
    app: Any, text: str, known_at: str | None, where: ClaimFilter, limit: int, fmt: str
) -> None:
    """Claims having every word of TEXT in their summary, quote, subject, actor, target,
    place or source, best first. Words match whole, case-insensitively, in any script.
    Retracted claims are not found (unless --known-at is before the retraction).

    \b
    Examples:
      tracker search "Haftar Minsk"
      tracker search Tripoli --type diplomacy.visit --min-reliability B
      tracker search visite --known-at 2025-03-01 --format json
    """
    result = app.tracker().search(text, known_at, where, limit)
    rows = [_row(f) for f in result.found]
    emit(
        fmt,
        search_json(result),
        lambda: dump_csv(CSV_COLUMNS, rows),
        lambda: _table(result),
    )


CSV_COLUMNS = (
    "claim",
    "date",
    "type",
    "subject",
    "attribute",
    "value",
    "unit",
    "summary",
    "source",
    "reliability",
    "credibility",
    "rank",
    "score",
)


def _row(found: Found) -> list[Any]:
    claim = found.state.claim
    return [
        claim.id,
        claim.date,
        claim.type,
        claim.subject,
        claim.attribute or "",
        claim.value or "",
        claim.unit or "",
        claim.summary,
        found.source.name,
        found.source.reliability,
        claim.credibility,
        found.state.rank,
        f"{found.score:.3f}",
    ]


def search_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.text,
        "known_at": result.cut.label(),
        "position": result.cut.position,
        "results": [
            {
                "claim": f.state.claim.id,
                "date": f.state.claim.date,
                "type": f.state.claim.type,
                "subject": f.state.claim.subject,
                "attribute": f.state.claim.attribute,
                "value": json_value(f.state.claim.value),
                "unit": f.state.claim.unit,
                "summary": f.state.claim.summary,
                "source": f.source.name,
                "reliability": f.source.reliability,
                "credibility": int(f.state.claim.credibility),
                "rank": f.state.rank,
                "score": round(f.score, 6),
            }
            for f in result.found
        ],
    }


def _table(result: SearchResult) -> str:
    if not result.found:
        return f"No claim has every word of {result.text!r}."
    rows = [
        [
            f.state.claim.date,
            f.state.claim.type,
            f.state.claim.subject,
            f.state.claim.summary,
            graded(f.source.name, f.source.reliability + f.state.claim.credibility),
            short_id(f.state.claim.id),
        ]
        for f in result.found
    ]
    return table(["date", "type", "subject", "summary", "source", "claim"], rows)
