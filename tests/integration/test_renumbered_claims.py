"""Writers decide a claim that a correction moved to another id (logs from elsewhere hold
such, and `restore` admits them) from its whole history, as a fold of the whole log does:
under its new id (it can be corrected, retracted, imported) and under its old one (free
again). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tracker.adapters.knowing import renumbering_query
from tracker.db import make_engine, upgrade
from tracker.domain.errors import TrackerError
from tracker.domain.events import ClaimRanked
from tracker.domain.fold import fold
from tracker.services import Tracker

from .test_narrow_reads import correct_under_another_id


def claim(n: int, subject: str = "Russia") -> dict[str, str | None]:
    return {
        "id": f"r:{n}",
        "type": "military.force_level",
        "date": "2024-05",
        "subject": subject,
        "attribute": "troops_in_libya",
        "value": str(1000 + n),
        "summary": f"claim {n}",
        "source": "New York Parrot",
        "source_url": f"https://example.org/r/{n}",
    }


@pytest.fixture
def renumbered(tracker: Tracker) -> Tracker:
    """r:0 moved to r:0-new and on to r:0-last; r:1 moved to r:1-new, then corrected and
    ranked under it; r:2 corrected in place; r:3 untouched. Written at the store, as a log
    from elsewhere holds them."""
    for n in range(4):
        tracker.add(claim(n))
    store = tracker.store
    correct_under_another_id(store, "r:0", "r:0-new", "Russia")
    correct_under_another_id(store, "r:0-new", "r:0-last", "Wagner")
    correct_under_another_id(store, "r:1", "r:1-new", "Russia")
    correct_under_another_id(store, "r:1-new", "r:1-new", "Russia")  # in place
    with store.writing() as writer:
        writer.append([ClaimRanked("r:1-new", "preferred", "the best source")])
    tracker.correct("r:2", "a better figure", {"value": "1700"})
    return tracker


IDS = ("r:0", "r:0-new", "r:0-last", "r:1", "r:1-new", "r:2", "r:3", "r:9")


@pytest.mark.parametrize("asked", IDS)
def test_a_writer_knows_each_claim_as_the_whole_log_does(renumbered: Tracker, asked: str) -> None:
    whole = fold(renumbered.store.entries()).claims
    with renumbered.store.writing() as writer:
        known = writer.knowledge_of({asked}).claims
    assert known.get(asked) == whole.get(asked)


def test_a_writer_knows_many_claims_at_once_as_the_whole_log_does(renumbered: Tracker) -> None:
    whole = fold(renumbered.store.entries()).claims
    with renumbered.store.writing() as writer:
        known = writer.knowledge_of(set(IDS)).claims
    assert {i: known.get(i) for i in IDS} == {i: whole.get(i) for i in IDS}


def test_a_claim_under_its_new_id_can_be_corrected_and_retracted(renumbered: Tracker) -> None:
    renumbered.correct("r:0-last", "the figure again", {"value": "900"})
    renumbered.retract("r:1-new", "withdrawn")
    claims = fold(renumbered.store.entries()).claims
    assert claims["r:0-last"].claim.value == "900"
    assert claims["r:0-last"].claim.subject == "Wagner"
    assert claims["r:1-new"].retracted


def test_an_old_id_is_free_again_and_its_claim_is_not_found_under_it(
    renumbered: Tracker,
) -> None:
    with pytest.raises(TrackerError):
        renumbered.retract("r:0", "it moved")
    renumbered.add(claim(0, subject="Belarus"))
    claims = fold(renumbered.store.entries()).claims
    assert claims["r:0"].claim.subject == "Belarus"
    assert claims["r:0-last"].claim.subject == "Wagner"


def test_the_renumbering_corrections_are_read_through_their_partial_index(
    db_url: str,
) -> None:
    """Not every correction: the query is read through `ix_log_renumbering`, whose WHERE
    must be the query's word for word (SQLite refuses an INDEXED BY it cannot use)."""
    engine = make_engine(db_url)
    upgrade(engine)
    dialect = engine.dialect.name
    with engine.connect() as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN" if dialect == "postgresql" else "EXPLAIN QUERY PLAN"
        plan = conn.exec_driver_sql(f"{explain} {renumbering_query(dialect)}").all()
    engine.dispose()
    assert "ix_log_renumbering" in " ".join(str(step[-1]) for step in plan)
