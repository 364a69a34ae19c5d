"""Filters (SPEC §11): SQL on the projection and the fold's `ClaimFilter.matches` give the
same pictures and timelines, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from tracker.domain.errors import ValidationError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import fold
from tracker.domain.history import timeline
from tracker.domain.picture import build_picture
from tracker.services import Tracker

NAMES = ("Russia", "Wagner", "Khalifa Haftar", "GNU")
PLACES = ("Tripoli", "Benghazi", None)
SOURCES = (("New York Parrot", "F"), ("Reuters", "B"), ("Example Monitor", "C"))


def add_random(tracker: Tracker, rng: random.Random, n: int) -> str:
    observation = rng.random() < 0.5
    source, grade = rng.choice(SOURCES)
    return tracker.add(
        {
            "id": f"f:{n}",
            "type": "military.force_level"
            if observation
            else rng.choice(("diplomacy.visit", "statement.warning")),
            "date": rng.choice(("2024-02", "2024-03", "2024-05-10", "2024", "2023/..")),
            "subject": rng.choice(NAMES),
            "attribute": "troops" if observation else None,
            "value": str(rng.choice((800, 1800))) if observation else None,
            "actor": rng.choice((*NAMES, None)),
            "target": rng.choice((*NAMES, None)),
            "place": rng.choice(PLACES),
            "summary": f"claim {n}",
            "source": source,
            "reliability": grade,
            "credibility": rng.choice("1236"),
        }
    ).claim_id


FILTERS = [
    ClaimFilter.of(types=["diplomacy.visit"]),
    ClaimFilter.of(types=["diplomacy.visit", "military.force_level"], places=["tripoli"]),
    ClaimFilter.of(sources=["REUTERS"]),
    ClaimFilter.of(mentions=["khalifa  haftar"]),
    ClaimFilter.of(mentions=["Wagner", "gnu"], min_credibility="3"),
    ClaimFilter.of(min_reliability="c"),
    ClaimFilter.of(min_reliability="B", places=["Benghazi"], min_credibility="2"),
    ClaimFilter.of(sources=["nobody"]),
]


@pytest.fixture
def history(tracker: Tracker) -> Tracker:
    rng = random.Random(7)
    ids = [add_random(tracker, rng, n) for n in range(80)]
    for claim_id in rng.sample(ids, 8):
        tracker.retract(claim_id, "withdrawn")
    tracker.correct(ids[0], "moved", {"place": "Misrata", "actor": "Wagner"})
    return tracker


def test_filtered_pictures_from_sql_equal_the_filtered_fold(history: Tracker) -> None:
    knowledge = fold(history.store.entries())
    day = date(2023, 12, 1)
    while day < date(2024, 7, 1):
        for where in FILTERS:
            picture, cut = history.show(day.isoformat(), None, where=where)
            assert cut.position == history.store.head().position  # the SQL path
            assert picture == build_picture(where.keep(knowledge), day)
        day += timedelta(days=23)


def test_filtered_pictures_folded_at_an_earlier_cut_equal_the_filtered_fold(
    history: Tracker,
) -> None:
    at = history.store.head().position - 5
    knowledge = fold(history.store.entries(upto=at))
    for where in FILTERS:
        picture, _ = history.show("2024-06", f"@{at}", where=where)
        # Replace: which claims later entries changed is the footer's, not the filter's.
        expected = build_picture(where.keep(knowledge), date(2024, 6, 30))
        assert picture == replace(expected, changed_later=picture.changed_later)


def test_a_filter_leaves_out_what_it_does_not_match(history: Tracker) -> None:
    picture, _ = history.show("2024-12", None, where=ClaimFilter.of(types=["diplomacy.visit"]))
    assert picture.occurrences and not picture.slots
    assert {o.type for o in picture.occurrences} == {"diplomacy.visit"}
    where = ClaimFilter.of(mentions=["khalifa haftar"])
    shown, _ = history.show("2024-12", None, where=where)
    knowledge = fold(history.store.entries())
    for occurrence in shown.occurrences:
        claim = knowledge.claims[occurrence.claim].claim
        assert "Khalifa Haftar" in (claim.subject, claim.actor, claim.target)
    assert shown.occurrences
    nobody, _ = history.show("2024-12", None, where=ClaimFilter.of(sources=["nobody"]))
    assert not nobody.occurrences and not nobody.slots


def test_filtered_timelines_agree_on_both_paths(history: Tracker) -> None:
    head = history.store.head().position
    for at in (head, head - 3):
        knowledge = fold(history.store.entries(upto=at))
        for where in FILTERS:
            states, _ = history.timeline(None, None, None, None, f"@{at}", where)
            assert states == timeline(where.keep(knowledge), None, None, None, None)


def test_an_unknown_type_in_a_filter_is_refused(history: Tracker) -> None:
    with pytest.raises(ValidationError, match=r"diplomacy\.visit"):
        history.show(None, None, where=ClaimFilter.of(types=["diplomacy.vist"]))


def test_mentions_applies_aliases_on_both_paths(history: Tracker) -> None:
    where = ClaimFilter.of(mentions=["GNU"])
    before, _ = history.show("2024-12", None, where=where)
    at = history.store.head().position
    history.alias("Wagner", "GNU", "one entity for this test")
    after, _ = history.show("2024-12", None, where=where)
    assert len(after.occurrences) > len(before.occurrences)
    knowledge = fold(history.store.entries())
    assert after == build_picture(where.keep(knowledge), date(2024, 12, 31))
    folded, _ = history.show("2024-12", f"@{at}", where=where)  # before the alias: apart
    assert [o.claim for o in folded.occurrences] == [o.claim for o in before.occurrences]
    states, _ = history.timeline(None, None, None, None, None, where)
    wagner = [s for s in states if "Wagner" in (s.claim.subject, s.claim.actor, s.claim.target)]
    assert wagner


def test_reliability_filters_use_the_publishers_grade_as_known_at_the_cut(
    history: Tracker,
) -> None:
    """After main's publishers: `--min-reliability` judges the publisher's grade as known at
    K (a re-grade moves its claims in or out), `--source` any spelling of its name."""
    where = ClaimFilter.of(min_reliability="B")
    before, _ = history.show("2024-12", None, where=where)
    at = history.store.head().position
    assert before.occurrences
    history.grade("reuters", "E", "track record checked")
    after, _ = history.show("2024-12", None, where=where)  # the SQL path
    assert not after.occurrences and not after.slots
    knowledge = fold(history.store.entries())
    assert after == build_picture(where.keep(knowledge), date(2024, 12, 31))
    folded, _ = history.show("2024-12", f"@{at}", where=where)  # the fold, before the grade
    assert [o.claim for o in folded.occurrences] == [o.claim for o in before.occurrences]
    hits = history.search("claim", where=where).found
    assert not hits
    earlier = history.search("claim", f"@{at}", where=where).found
    assert earlier and {f.source.name for f in earlier} == {"Reuters"}
    named, _ = history.show("2024-12", None, where=ClaimFilter.of(sources=["REUTERS "]))
    assert {g for o in named.occurrences for g in o.sources} == {"Reuters"}
    assert {o.grade[0] for o in named.occurrences} == {"E"}
