"""SPEC §9's subject half (SCENARIOS S9): folding, aliases as judgements, the subjects list and
its similar pairs, hints while writing, judgement rows in feeds; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tracker.domain.errors import ValidationError
from tracker.domain.picture import Picture, SlotView
from tracker.services import Tracker

T5 = "2025-03-05T09:00:00Z"
T6 = "2025-03-06T09:00:00Z"
T7 = "2025-03-07T09:00:00Z"


def claim(**fields: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "type": "military.force_level",
        "date": "2024-05",
        "summary": "A count.",
        "source": "Example Monitor",
        "unit": "troops",
    }
    return {**base, **fields}


def monitor_count(subject: str = "Russian Federation", attribute: str = "Troops in Libya"):
    return claim(subject=subject, attribute=attribute, value="2000")


@pytest.fixture
def seeded(tracker: Tracker, seed_file: Path) -> Tracker:
    [summary] = tracker.import_paths([str(seed_file)])
    assert summary.written
    return tracker


def slots(picture: Picture) -> dict[tuple[str, str], SlotView]:
    return {(s.subject, s.attribute): s for s in picture.slots}


def troops(picture: Picture, subject: str = "Russia") -> SlotView:
    return slots(picture)[(subject, "troops_in_libya")]


# Folding


def test_subjects_fold_nfc_case_and_whitespace_into_one_slot(tracker: Tracker) -> None:
    nfd = unicodedata.normalize("NFD", "Café Noir")
    tracker.add(claim(subject="Café Noir", attribute="seats", value="10"))
    tracker.add(claim(subject="café  noir", attribute="seats", value="12", date="2024-05~"))
    tracker.add(claim(subject=nfd, attribute="Seats", value="10", source="Other"))
    picture, _ = tracker.show("2024-06-01", None)
    [slot] = picture.slots
    assert (slot.subject, slot.attribute, slot.status) == ("Café Noir", "seats", "conflict")
    assert len(slot.candidates) == 3
    assert slot.aliases == ()


def test_attributes_fold_spaces_and_hyphens_as_underscores(seeded: Tracker) -> None:
    seeded.add(claim(subject="russia ", attribute="Troops-In libya", value="2000"))
    picture, _ = seeded.show("2024-06-01", None)
    slot = troops(picture)
    assert slot.status == "conflict"
    assert sorted(c.value for c in slot.candidates) == ["1800", "2000"]


def test_claims_keep_the_text_as_written(tracker: Tracker) -> None:
    added = tracker.add(claim(subject="russia", attribute="Troops In Libya", value="5"))
    knowledge = tracker.knowledge(tracker.cut(None))
    written = knowledge.claims[added.claim_id].claim
    assert (written.subject, written.attribute) == ("russia", "Troops In Libya")


def test_views_show_the_spelling_first_recorded(tracker: Tracker) -> None:
    tracker.add(claim(subject="Russia", attribute="troops_in_libya", value="5"))
    tracker.add(claim(subject="RUSSIA", attribute="troops_in_libya", value="5", date="2024-06"))
    picture, _ = tracker.show("2024-07-01", None)
    assert list(slots(picture)) == [("Russia", "troops_in_libya")]


def test_history_of_a_slot_folds_subject_and_attribute(seeded: Tracker) -> None:
    added = seeded.add(claim(subject="russia", attribute="Troops In Libya", value="2000"))
    rows = seeded.history("RUSSIA / troops in libya")
    assert added.claim_id in {r.claim for r in rows}
    assert len({r.claim for r in rows}) == 3


# Aliases (S9)


def test_s9_variant_spelling_stays_apart_until_aliased(seeded: Tracker, frozen: Any) -> None:
    frozen.move_to(T5)
    added = seeded.add(monitor_count())
    assert added.warnings == (
        "warning: new subject 'Russian Federation' resembles 'Russia': small edit distance; "
        "if they are one: tracker alias 'Russian Federation' --as Russia --reason TEXT",
    )
    picture, _ = seeded.show("2024-06-01", None)
    assert troops(picture).status == "current"
    assert troops(picture, "Russian Federation").value == "2000"

    frozen.move_to(T6)
    judged = seeded.alias("Russian Federation", "Russia", "same state")
    assert judged.appended
    picture, _ = seeded.show("2024-06-01", None)
    slot = troops(picture)
    assert (slot.status, slot.aliases) == ("conflict", ("Russian Federation",))
    assert sorted(c.value for c in slot.candidates) == ["1800", "2000"]
    assert ("Russian Federation", "troops_in_libya") not in slots(picture)

    before, _ = seeded.show("2024-06-01", T5)
    assert troops(before).status == "current"
    assert troops(before, "Russian Federation").status == "current"

    frozen.move_to(T7)
    seeded.unalias("Russian Federation", "test")
    after, _ = seeded.show("2024-06-01", None)
    assert troops(after).status == "current"
    assert troops(after, "Russian Federation").value == "2000"


def test_aliases_resolve_transitively(seeded: Tracker) -> None:
    seeded.add(monitor_count("RF"))
    seeded.alias("RF", "Russian Federation", "abbreviation")
    seeded.alias("Russian Federation", "Russia", "same state")
    slot = troops(seeded.show("2024-06-01", None)[0])
    assert slot.status == "conflict"
    assert slot.aliases == ("RF", "Russian Federation")


@pytest.mark.parametrize(
    ("name", "canonical", "message"),
    [
        ("Russia", "russia ", "'Russia' cannot be an alias of itself"),
        ("Russia", "RF", "would make a cycle"),
    ],
)
def test_self_aliases_and_cycles_are_refused(
    seeded: Tracker, name: str, canonical: str, message: str
) -> None:
    seeded.alias("RF", "Russian Federation", "abbreviation")
    seeded.alias("Russian Federation", "Russia", "same state")
    head = seeded.store.head().position
    with pytest.raises(ValidationError, match=message):
        seeded.alias(name, canonical, "mistake")
    assert seeded.store.head().position == head


def test_an_alias_already_in_force_appends_nothing(seeded: Tracker) -> None:
    seeded.alias("Russian Federation", "Russia", "same state")
    head = seeded.store.head().position
    assert not seeded.alias("russian  federation", "RUSSIA", "again").appended
    assert seeded.store.head().position == head


def test_unalias_of_a_name_that_is_no_alias_is_refused(seeded: Tracker) -> None:
    with pytest.raises(ValidationError, match="is not an alias"):
        seeded.unalias("Russian Federation", "nothing to undo")


def test_every_view_honours_an_alias_as_known_at_k(seeded: Tracker, frozen: Any) -> None:
    frozen.move_to(T5)
    seeded.add(monitor_count(attribute="troops_in_libya"))
    seeded.add(claim(type="diplomacy.visit", subject="Russian Federation", summary="A visit."))
    frozen.move_to(T6)
    seeded.alias("Russian Federation", "Russia", "same state")

    shown, _ = seeded.show("2024-06-01", None, "russia")
    assert [(s.subject, s.status) for s in shown.slots] == [("Russia", "conflict")]
    [visit] = shown.occurrences
    assert (visit.subject, visit.aliases) == ("Russia", ("Russian Federation",))
    by_alias, _ = seeded.show("2024-06-01", None, "Russian Federation")
    assert by_alias == shown

    old, _ = seeded.show("2024-06-01", T5, "russia")
    assert [o.subject for o in old.occurrences] == []

    diff = seeded.diff("2024-03-01", "2024-06-01")
    [change] = [c for c in diff.changes if c.attribute == "troops_in_libya"]
    assert (change.subject, change.after.status if change.after else None) == (
        "Russia",
        "conflict",
    )
    assert [o.subject for o in diff.occurrences] == ["Russia"]

    known = seeded.diff_known(T5, None, "2024-06-01")
    assert [r.kind for r in known.events] == ["subject.aliased"]
    assert [(c.subject, c.change) for c in known.changes] == [
        ("Russia", "changed"),
        ("Russian Federation", "gone"),
    ]

    states, _ = seeded.timeline("Russia", None, None, None)
    assert {s.claim.subject for s in states} == {"Russia", "Russian Federation"}
    states, _ = seeded.timeline("Russia", None, None, None, T5)
    assert {s.claim.subject for s in states} == {"Russia"}

    rows = seeded.history("Russia")
    assert "subject.aliased" in [r.kind for r in rows]
    assert len({r.claim for r in rows if r.claim}) == 5


def test_distinct_pairs_are_no_longer_suggested(tracker: Tracker) -> None:
    for name in ("Khalifa Haftar", "Khaled Haftar", "Hifter", "Wagner Group", "PMC Wagner"):
        tracker.add(claim(type="diplomacy.visit", subject=name, summary=f"{name} visits."))
    tracker.add(claim(subject="Russia", attribute="troops", value="1"))
    tracker.add(claim(subject="Russian Federation", attribute="troops", value="1"))
    pairs = {frozenset((p.a, p.b)): p for p in tracker.similar()}
    assert frozenset({"Khalifa Haftar", "Hifter"}) in pairs
    assert frozenset({"Khalifa Haftar", "Khaled Haftar"}) in pairs
    assert frozenset({"Wagner Group", "PMC Wagner"}) in pairs
    assert frozenset({"Russia", "Russian Federation"}) in pairs
    assert pairs[frozenset(("Wagner Group", "PMC Wagner"))].command == (
        "tracker alias 'PMC Wagner' --as 'Wagner Group' --reason TEXT"
    )
    tracker.distinct("Khaled Haftar", "Khalifa Haftar", "son and father")
    assert {"Khalifa Haftar", "Khaled Haftar"} not in [{p.a, p.b} for p in tracker.similar()]
    with pytest.raises(ValidationError, match="same name"):
        tracker.distinct("Hifter", "HIFTER", "no")


def test_a_similar_pair_tied_on_claims_and_length_aliases_one_name_to_the_other(
    tracker: Tracker,
) -> None:
    for name in ("Haftar Khalifa", "Khalīfa Ḥaftar", "Khalifa Hifter"):
        tracker.add(claim(type="diplomacy.visit", subject=name, summary=f"{name} visits."))
    commands = {(p.a, p.b): p.command for p in tracker.similar()}
    assert commands == {
        ("Haftar Khalifa", "Khalīfa Ḥaftar"): (
            "tracker alias 'Khalīfa Ḥaftar' --as 'Haftar Khalifa' --reason TEXT"
        ),
        ("Khalifa Hifter", "Khalīfa Ḥaftar"): (
            "tracker alias 'Khalīfa Ḥaftar' --as 'Khalifa Hifter' --reason TEXT"
        ),
    }
    tracker.add(claim(type="diplomacy.visit", subject="Khalīfa Ḥaftar", date="2024-06"))
    commands = {(p.a, p.b): p.command for p in tracker.similar()}
    assert commands[("Haftar Khalifa", "Khalīfa Ḥaftar")] == (
        "tracker alias 'Haftar Khalifa' --as 'Khalīfa Ḥaftar' --reason TEXT"
    )


def test_subjects_lists_each_entity_after_aliases(seeded: Tracker) -> None:
    seeded.add(monitor_count())
    seeded.alias("Russian Federation", "Russia", "same state")
    rows = {r.subject: r for r in seeded.subjects()}
    russia = rows["Russia"]
    assert russia.aliases == ("Russian Federation",)
    assert (russia.claims, russia.attributes) == (4, 2)
    assert "Russian Federation" not in rows


def test_a_new_attribute_resembling_one_of_its_subject_gets_a_warning(seeded: Tracker) -> None:
    added = seeded.add(claim(subject="Russia", attribute="troops_in_lybia", value="5"))
    assert added.warnings == (
        "warning: new attribute 'troops_in_lybia' of 'Russia' resembles 'troops_in_libya': "
        "same consonants, a transliteration; check its spelling",
    )
    assert (
        seeded.add(claim(subject="Russia", attribute="troops_in_lybia", value="6")).warnings == ()
    )


# Feeds carry judgements


JUDGEMENTS = (
    "op,subject,value,reason\n"
    "alias,Russian Federation,Russia,same state\n"
    "distinct,Khaled Haftar,Khalifa Haftar,son and father\n"
)


def test_judgement_rows_import_idempotently(seeded: Tracker, tmp_path: Path) -> None:
    seeded.add(monitor_count())
    feed = tmp_path / "judgements.csv"
    feed.write_text(JUDGEMENTS)
    [first] = seeded.import_paths([str(feed)])
    assert (first.counts["new"], first.written) == (2, True)
    assert troops(seeded.show("2024-06-01", None)[0]).status == "conflict"
    head = seeded.store.head().position
    [again] = seeded.import_paths([str(feed)])
    assert (again.counts["unchanged"], again.written) == (2, False)
    assert seeded.store.head().position == head


def test_a_cyclic_alias_row_is_rejected(seeded: Tracker, tmp_path: Path) -> None:
    feed = tmp_path / "cycle.csv"
    feed.write_text("op,subject,value\nalias,A,B\nalias,B,A\n")
    [summary] = seeded.import_paths([str(feed)])
    assert not summary.written
    assert [(e.line, e.column) for e in summary.errors] == [(3, "value")]


def test_export_then_import_into_an_empty_database_gives_the_same_picture(
    seeded: Tracker, tmp_path: Path, db_url: str
) -> None:
    from tracker.adapters.files import write_csv
    from tracker.db import open_store
    from tracker.domain.rows import COLUMNS
    from tracker.services import utc_now

    seeded.add(monitor_count())
    seeded.alias("Russian Federation", "Russia", "same state")
    seeded.distinct("Khaled Haftar", "Khalifa Haftar", "son and father")
    exported = tmp_path / "claims.csv"
    with seeded.export_claims(False) as rows, exported.open("w", newline="") as out:
        write_csv(out, COLUMNS, rows)
    assert seeded.import_paths([str(exported)])[0].written is False  # nothing new
    other = Tracker(open_store(f"sqlite:///{tmp_path / 'other.db'}", utc_now), utc_now)
    other.import_paths([str(exported)])
    assert other.show("2024-06-01", None)[0].slots == seeded.show("2024-06-01", None)[0].slots
    assert other.store.identity().distinct == seeded.store.identity().distinct


def test_a_subject_matching_nothing_names_the_closest(seeded: Tracker) -> None:
    assert seeded.unmatched_subject("Haftar") == (
        "no subject 'Haftar' is known; closest: Khalifa Haftar"
    )
    assert seeded.unmatched_subject("khalifa haftar") is None


def test_the_projection_equals_a_fold_with_judgements(seeded: Tracker) -> None:
    seeded.add(monitor_count())
    seeded.alias("Russian Federation", "Russia", "same state")
    seeded.distinct("Khaled Haftar", "Khalifa Haftar", "son and father")
    seeded.alias("RF", "Russian Federation", "abbreviation")
    seeded.unalias("RF", "undo")
    assert seeded.store.projection_mismatch() is None
    picture = seeded.show("2024-06-01", None)[0]
    seeded.rebuild()
    assert seeded.store.projection_mismatch() is None
    assert seeded.show("2024-06-01", None)[0] == picture
    replayed = seeded.store.projected(seeded.store.head().position)
    assert replayed is not None
    assert replayed.identity.links == {"russian federation": "russia"}


def test_a_log_with_judgements_restores_with_the_same_picture(
    seeded: Tracker, tmp_path: Path
) -> None:
    from contextlib import closing

    from tracker.adapters.exports import log_lines
    from tracker.db import open_store
    from tracker.services import utc_now

    added = seeded.add(monitor_count())
    seeded.alias("Russian Federation", "Russia", "same state")
    seeded.distinct("Khaled Haftar", "Khalifa Haftar", "son and father")
    # Every judgement kind restores, the publishers' too (issue 19).
    seeded.grade("Example Monitor", "C", "track record checked")
    seeded.retract(added.claim_id, "test")
    seeded.reinstate(added.claim_id, "test")
    exported = tmp_path / "log.jsonl"
    with closing(seeded.store.entries()) as entries:
        exported.write_text("".join(log_lines(entries)))
    other = Tracker(open_store(f"sqlite:///{tmp_path / 'restored.db'}", utc_now), utc_now)
    assert other.restore(exported) == seeded.store.head().position
    assert other.store.projection_mismatch() is None
    assert other.show("2024-06-01", None)[0].slots == seeded.show("2024-06-01", None)[0].slots


def test_a_log_whose_alias_makes_a_cycle_is_not_restored(tracker: Tracker, tmp_path: Path) -> None:
    from tracker.domain.events import GENESIS_HASH, SubjectAliased, chain_hash, to_payload

    previous, lines = GENESIS_HASH, []
    at = tracker.clock()
    for position, event in enumerate(
        [SubjectAliased("A", "B", "x"), SubjectAliased("B", "A", "y")], 1
    ):
        payload = to_payload(event)
        digest = chain_hash(previous, position, f"e{position}", at, event.kind, payload)
        lines.append(
            json.dumps(
                {
                    "position": position,
                    "event_id": f"e{position}",
                    "recorded_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "kind": event.kind,
                    "payload": payload,
                    "hash": digest,
                }
            )
        )
        previous = digest
    log = tmp_path / "cycle.jsonl"
    log.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValidationError, match=r"position 2: .*cycle"):
        tracker.restore(log)
    assert tracker.store.head().position == 0
