"""A picture's first slots, read through the slot index (`show` on a terminal, issue 17), are
the first slots of the whole picture: none dropped, split or reordered, with aliases,
conflicts, ranks and filters, on SQLite and PostgreSQL, from SQL and from a fold."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from tracker.adapters import slot_page
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import fold
from tracker.domain.picture import Picture, build_picture
from tracker.services import Tracker

# Names that fold together ("gnu "), whose keys sort before and after the key they are
# aliased to ("haftar" < "khalifa haftar", "zintan" > "alpha"), through a chain ("bravo"), and
# past ASCII ("émile" sorts after "zintan" by code point, beside "emile" by a language's rules).
SUBJECTS = ("Alpha", "Haftar", "Khalifa Haftar", "Émile", "Emile", "Zintan", "GNU", "gnu ", "Bravo")
ATTRIBUTES = ("troops", "Troops", "bases", "role")
VALUES = ("800", "1800", ">1000", "300..350", "in force")
DATES = ("2024-02", "2024-03", "2024-05-10", "2024", "2023/..", "2024-01/2024-04", "../2024-03")
SOURCES = (("New York Parrot", "F"), ("Reuters", "B"), ("Example Monitor", "C"))
LIMITS = (0, 1, 2, 3, 7, 100)


@pytest.fixture
def judged(tracker: Tracker) -> Tracker:
    rng = random.Random(17)
    ids = []
    for n in range(140):
        observation = n % 5 != 0
        source, grade = rng.choice(SOURCES)
        ids.append(
            tracker.add(
                {
                    "id": f"p:{n}",
                    "type": "military.force_level" if observation else "diplomacy.visit",
                    "date": rng.choice(DATES),
                    "subject": rng.choice(SUBJECTS),
                    "attribute": rng.choice(ATTRIBUTES) if observation else None,
                    "value": rng.choice(VALUES) if observation else None,
                    "actor": rng.choice((*SUBJECTS, None)),
                    "summary": f"claim {n}",
                    "source": source,
                    "reliability": grade,
                    "credibility": rng.choice("1236"),
                }
            ).claim_id
        )
    tracker.alias("Haftar", "Khalifa Haftar", "one man")
    tracker.alias("Zintan", "Alpha", "one unit")
    tracker.alias("Bravo", "Haftar", "one man again")
    for claim_id in rng.sample(ids, 10):
        tracker.rank(claim_id, "deprecated", "doubtful")
    for claim_id in rng.sample(ids, 6):
        tracker.rank(claim_id, "preferred", "confirmed")
    for claim_id in rng.sample(ids, 6):
        tracker.retract(claim_id, "withdrawn")
    tracker.correct(ids[1], "moved", {"subject": "Zintan", "attribute": "bases"})
    return tracker


SHOWN = [
    (None, None),
    (None, ClaimFilter.of(sources=["reuters", "example monitor"])),
    (None, ClaimFilter.of(mentions=["khalifa haftar"], min_credibility="3")),
    ("haftar", None),
]


def _paged_equals_whole(paged: Picture, whole: Picture, limit: int) -> None:
    assert paged.slots == whole.slots[:limit]
    assert paged.more_slots == (len(whole.slots) > limit)
    # Everything else (occurrences, hidden counts, changed claims) is the whole picture's.
    assert replace(paged, slots=whole.slots, more_slots=False) == whole


@pytest.mark.parametrize("show_all", [False, True], ids=["shown", "all"])
def test_the_first_slots_read_by_index_are_the_first_slots_of_the_whole_picture(
    judged: Tracker, show_all: bool
) -> None:
    knowledge, whole_at = fold(judged.store.entries()), {}
    for as_of in ("2024-02", "2024-04-15", "2024-12"):
        for subject, where in SHOWN:
            whole, cut = judged.show(as_of, None, subject, show_all, where)
            assert cut.position == judged.store.head().position  # the SQL path
            whole_at[as_of, subject, where] = whole
            if where is None:  # and it is the fold's
                assert whole == build_picture(knowledge, whole.as_of, subject, show_all)
            for limit in LIMITS:
                paged, _ = judged.show(as_of, None, subject, show_all, where, slots=limit)
                _paged_equals_whole(paged, whole, limit)
    # The data holds what could go wrong: merged names, conflicts, hidden claims, non-ASCII.
    slots = whole_at["2024-12", None, None].slots
    assert {"Khalifa Haftar", "Alpha", "Émile", "Emile"} <= {s.subject for s in slots}
    assert any(s.aliases for s in slots) and any(s.status == "conflict" for s in slots)
    assert show_all or any(s.deprecated_hidden for s in slots)


def test_the_first_slots_of_a_folded_picture_are_its_first_slots(judged: Tracker) -> None:
    at = judged.store.head().position - 8  # before the last ranks, retractions, correction
    for limit in LIMITS:
        whole, _ = judged.show("2024-12", f"@{at}", limit=3)
        paged, _ = judged.show("2024-12", f"@{at}", limit=3, slots=limit)
        assert whole.changed_later
        _paged_equals_whole(paged, whole, limit)


def test_a_slot_limit_pages_slots_in_code_point_order_across_aliases(judged: Tracker) -> None:
    picture, _ = judged.show("2024-12", None, slots=100)
    keys = [(s.subject, s.attribute) for s in picture.slots]
    subjects = list(dict.fromkeys(s for s, _ in keys))
    # By the key a subject resolves to: "alpha" (with "zintan"), "emile", "gnu",
    # "khalifa haftar" (with "haftar" and "bravo"), "émile".
    assert subjects == ["Alpha", "Emile", "GNU", "Khalifa Haftar", "Émile"]
    assert not picture.more_slots
    first, _ = judged.show("2024-12", None, slots=1)
    assert first.more_slots and first.slots == picture.slots[:1]
    assert date(2024, 12, 31) == first.as_of


def test_the_first_slots_are_the_same_when_the_database_is_asked_for_code_point_order(
    judged: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL with a collation of its language's rules orders the slot keys `COLLATE "C"`
    (this test's database sorts by code point already: pretend it does not)."""
    monkeypatch.setattr(slot_page, "_CODE_POINT_ORDER", set())
    whole, _ = judged.show("2024-12", None)
    for limit in LIMITS:
        paged, _ = judged.show("2024-12", None, slots=limit)
        _paged_equals_whole(paged, whole, limit)
