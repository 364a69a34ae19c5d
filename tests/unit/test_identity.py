"""identity.py: folding, alias resolution and refusal, similarity; and the property that an
alias undone leaves every picture as it was."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.errors import ValidationError
from tracker.domain.events import (
    ClaimAsserted,
    Event,
    LogEntry,
    SourceRegistered,
    SubjectAliased,
    SubjectUnaliased,
)
from tracker.domain.fold import fold
from tracker.domain.identity import (
    Identity,
    NameIndex,
    ascii_fold,
    edit_distance,
    fold_attribute,
    fold_name,
    similar_pairs,
    why_similar,
)
from tracker.domain.model import Claim, Source
from tracker.domain.picture import build_picture


def test_names_fold_nfc_case_and_whitespace() -> None:
    nfd = unicodedata.normalize("NFD", "Café  Noir")
    assert fold_name(nfd) == fold_name(" CAFÉ noir ") == "café noir"
    assert fold_name("Straße") == "strasse"


def test_attributes_read_spaces_and_hyphens_as_underscores() -> None:
    assert fold_attribute("Troops In Libya") == "troops_in_libya"
    assert fold_attribute("troops-in  libya") == "troops_in_libya"


def test_aliases_resolve_transitively_and_refuse_cycles() -> None:
    identity = Identity(links={"rf": "russian federation", "russian federation": "russia"})
    assert identity.canonical("rf") == "russia"
    assert identity.members("rf") == {"rf", "russian federation", "russia"}
    with pytest.raises(ValidationError, match="cycle"):
        identity.check_alias("Russia", "RF")
    with pytest.raises(ValidationError, match="itself"):
        identity.check_alias("Russia", "russia")
    assert identity.check_alias("RF", "Russia") == ("rf", "russia")  # re-pointing is no cycle


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("Haftar", "Hifter", "same consonants, a transliteration"),
        ("Khalifa Haftar", "Haftar", "one name inside the other"),
        ("Russia", "Russian Federation", "small edit distance"),
        ("Wagner Group", "PMC Wagner", "same name with another designator"),
        ("Café Noir", "Cafe Noir", "same letters without accents"),
        ("Wilson Joe", "Joe Wilson", "same words in another order"),
        ("Khaled Haftar", "Khalifa Haftar", "small edit distance"),
    ],
)
def test_names_that_may_be_one_entity_say_why(a: str, b: str, why: str) -> None:
    assert why_similar(a, b) == why


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Iran", "Iraq"),
        ("Libya", "Syria"),
        ("Unit 7", "Unit 9"),
        ("United States", "United Kingdom"),
        ("Libyan-Russian forum", "Russia"),
        ("Russia", "RUSSIA"),
    ],
)
def test_names_that_merely_look_alike_are_not_suggested(a: str, b: str) -> None:
    assert why_similar(a, b) is None


def test_pairs_judged_distinct_are_left_out() -> None:
    names = ["Khalifa Haftar", "Khaled Haftar"]
    assert [(p.a, p.b) for p in similar_pairs(names, Identity())] == [
        ("Khalifa Haftar", "Khaled Haftar")
    ]
    judged = Identity(distinct={frozenset(("khaled haftar", "khalifa haftar"))})
    assert similar_pairs(names, judged) == []


def test_edit_distance_stops_above_its_limit() -> None:
    assert edit_distance("haftar", "hifter", 3) == 2
    assert edit_distance("a", "abcdef", 2) == 3
    assert ascii_fold("ḥafṭar") == "haftar"


# Property: alias then unalias leaves every picture as it was.

SOURCE = Source(id="src:1", name="Monitor")
NAMES = ("Russia", "russia ", "Russian Federation", "RF", "Wagner Group")
AT = datetime(2025, 3, 1, tzinfo=UTC)

claims = st.builds(
    lambda i, subject, attribute, value, month: Claim(
        id=f"c{i}",
        type="military.force_level",
        date=f"2024-{month:02d}",
        subject=subject,
        summary="A count.",
        source_id=SOURCE.id,
        attribute=attribute,
        value=value,
    ),
    st.integers(0, 10_000),
    st.sampled_from(NAMES),
    st.sampled_from(("troops", "Troops", None)),
    st.sampled_from(("1800", "2000")),
    st.integers(1, 12),
)


def entries(events: list[Event]) -> list[LogEntry]:
    from tracker.domain.events import to_payload

    return [LogEntry(n, f"e{n}", AT, e.kind, to_payload(e), "") for n, e in enumerate(events, 1)]


def occurrence_free(claim: Claim) -> Claim:
    from dataclasses import replace

    return replace(claim, value=None) if claim.attribute is None else claim


@settings(max_examples=60, deadline=None)
@given(
    st.lists(claims, min_size=1, max_size=12, unique_by=lambda c: c.id),
    st.sampled_from(NAMES),
    st.sampled_from(NAMES),
    st.sampled_from((date(2024, 3, 1), date(2024, 8, 15), date(2025, 1, 1))),
)
def test_pictures_after_alias_then_unalias_equal_pictures_before(
    written: list[Claim], name: str, canonical: str, day: date
) -> None:
    base: list[Event] = [SourceRegistered(SOURCE)]
    base += [ClaimAsserted(occurrence_free(c)) for c in written]
    before = build_picture(fold(entries(base)), day)
    if fold_name(name) == fold_name(canonical):
        return
    judged = [*base, SubjectAliased(name, canonical, "test"), SubjectUnaliased(name, "undo")]
    knowledge = fold(entries(judged))
    after = build_picture(knowledge, day)
    assert (after.slots, after.occurrences) == (before.slots, before.occurrences)


def test_a_name_index_finds_every_name_sharing_a_block_in_the_order_added() -> None:
    index = NameIndex(["Khalifa Haftar", "Brigade 0042"])
    index.add("khalifa  HAFTAR")  # one folded name: every block shared
    index.add("Khalifa Haftar ")
    assert index.candidates("Khalifa Haftar") == [
        "Khalifa Haftar",
        "khalifa  HAFTAR",
        "Khalifa Haftar ",
    ]
    assert index.candidates("Brigade 0042") == ["Brigade 0042"]
    assert index.candidates("Brigade 0043") == []  # names numbered apart share no block
