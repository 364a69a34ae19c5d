"""The `publishers` and `articles` projections: the sources a log cites, looked up by key.

Kept in step with the log by `projection.apply` (same transaction as each append) and rebuilt
with it, so no reader decodes every source event: a reader asks for the articles of the
claims it holds, and for the publishers (few, even when every claim cites its own article).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from sqlalchemy import Connection, delete, func, select, update

from tracker.adapters.bulk import insert_rows, rows_by_keys
from tracker.adapters.tables import articles, claims, publishers
from tracker.domain.dates import parse_date
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    Event,
    SourceGraded,
    SourceRegistered,
)
from tracker.domain.fold import Knowledge, cite
from tracker.domain.fold import apply as fold_apply
from tracker.domain.model import Publisher, Source, publisher_key

_ARTICLE = ("id", "name", "url", "title", "published", "retrieved", "reliability")
_ARTICLE_ROW = ("publisher_key", *_ARTICLE)
_ID_BATCH = 500
_RECORDED = Source("", "")


def apply(conn: Connection, appended: Sequence[tuple[int, Event]]) -> None:
    """Bring publishers and articles up to the events just appended: the fold's own rules
    (`fold.cite`, the `source.graded` rule) run on the rows these events touch."""
    cited: list[Source] = []
    graded: list[tuple[int, SourceGraded]] = []
    for at, event in appended:
        if isinstance(event, SourceRegistered):
            cited.append(event.source)
        elif isinstance(event, ClaimAsserted | ClaimCorrected) and event.article is not None:
            cited.append(event.article)
        elif isinstance(event, SourceGraded):
            graded.append((at, event))
    if not cited and not graded:
        return
    keys = {publisher_key(a.name) for a in cited} | {publisher_key(g.source) for _, g in graded}
    before = read_publishers(conn, keys)
    known = _recorded_ids(conn, {a.id for a in cited})
    # The articles already recorded stand in as placeholders: `cite` keeps the first of an id.
    state = Knowledge(publishers=dict(before), sources=dict.fromkeys(known, _RECORDED))
    for at, event in appended:
        if isinstance(event, SourceRegistered):
            cite(state, event.source)
        elif isinstance(event, ClaimAsserted | ClaimCorrected) and event.article is not None:
            cite(state, event.article)
        elif isinstance(event, SourceGraded):
            fold_apply(event, state, at)
    new = [
        (publisher_key(s.name), *_article_cells(s))
        for s in state.sources.values()
        if s is not _RECORDED
    ]
    if new:
        insert_rows(conn, articles, _ARTICLE_ROW, new)
    # New publishers in one insert: one a row cost more than the articles' insert.
    insert_rows(
        conn,
        publishers,
        ("key", "name", "grade"),
        [(k, *_cells(p)) for k, p in state.publishers.items() if k not in before],
    )
    for key, publisher in state.publishers.items():
        if key in before and before[key] != publisher:
            conn.execute(
                update(publishers).where(publishers.c.key == key).values(grade=publisher.grade)
            )


_article_cells = attrgetter(*_ARTICLE)


def _recorded_ids(conn: Connection, ids: set[str]) -> set[str]:
    """Which of these article ids the projection holds."""
    wanted, found = sorted(ids), set[str]()
    for start in range(0, len(wanted), _ID_BATCH):
        chunk = wanted[start : start + _ID_BATCH]
        found.update(row[0] for row in rows_by_keys(conn, articles, ("id",), "id", chunk))
    return found


def _cells(publisher: Publisher) -> tuple[str, str | None]:
    return publisher.name, publisher.grade


def clear(conn: Connection) -> None:
    conn.execute(delete(articles))
    conn.execute(delete(publishers))


def read_publishers(conn: Connection, keys: Iterable[str] | None = None) -> dict[str, Publisher]:
    """Publishers by key: those of `keys`, or all of them."""
    query = select(publishers.c.key, publishers.c.name, publishers.c.grade)
    if keys is None:
        return {key: Publisher(name, grade) for key, name, grade in conn.execute(query)}
    wanted = sorted(set(keys))
    found: dict[str, Publisher] = {}
    for start in range(0, len(wanted), _ID_BATCH):
        batch = query.where(publishers.c.key.in_(wanted[start : start + _ID_BATCH]))
        found.update((key, Publisher(name, grade)) for key, name, grade in conn.execute(batch))
    return found


def count(conn: Connection) -> int:
    """How many publishers there are (few: a count of their rows)."""
    return int(conn.execute(select(func.count()).select_from(publishers)).scalar() or 0)


def read_articles(conn: Connection, ids: Iterable[str] | None = None) -> dict[str, Source]:
    """Articles as recorded, by id: those of `ids`, or all of them."""
    if ids is None:
        query = select(*(articles.c[name] for name in _ARTICLE))
        return {row[0]: Source(*row) for row in conn.execute(query)}
    wanted = sorted(set(ids))
    found: dict[str, Source] = {}
    for start in range(0, len(wanted), _ID_BATCH):
        rows = rows_by_keys(conn, articles, _ARTICLE, "id", wanted[start : start + _ID_BATCH])
        found.update((row[0], Source(*row)) for row in rows)
    return found


def knowledge_sources(conn: Connection, knowledge: Knowledge) -> None:
    """Fill `knowledge` with the articles its claims cite and every publisher."""
    ids = {state.claim.source_id for state in knowledge.claims.values()}
    knowledge.sources = read_articles(conn, ids)
    knowledge.publishers = read_publishers(conn)


@dataclass(frozen=True)
class SourceRow:
    """One publisher as `tracker sources` lists it."""

    source: str
    reliability: str
    claims: int
    articles: int
    first_published: str | None
    last_published: str | None


def source_rows(conn: Connection) -> list[SourceRow]:
    """Every publisher with its active claims, its articles and their published dates."""
    a = articles.c
    counts: dict[str, int] = dict(
        conn.execute(
            select(a.publisher_key, func.count())
            .select_from(claims.join(articles, claims.c.source_id == a.id))
            .where(claims.c.retracted.is_(False))
            .group_by(a.publisher_key)
        ).all()
    )
    cited: dict[str, list[str | None]] = {}
    for key, published in conn.execute(select(a.publisher_key, a.published)):
        cited.setdefault(key, []).append(published)
    rows = []
    for key, publisher in read_publishers(conn).items():
        dates = sorted({p for p in cited.get(key, ()) if p is not None}, key=_when)
        rows.append(
            SourceRow(
                publisher.name,
                publisher.reliability,
                int(counts.get(key, 0)),
                len(cited.get(key, ())),
                dates[0] if dates else None,
                dates[-1] if dates else None,
            )
        )
    return rows


def _when(published: str) -> tuple[date, date, str]:
    """Published dates in time order: by the start of their window, then its end."""
    window = parse_date(published).window
    return window.earliest, window.latest, published
