"""Claims and sources: normalised values, grades, type codes, derived ids, subject keys."""

from __future__ import annotations

import pytest

from tracker.adapters.files import load_catalogue
from tracker.domain.building import (
    build_claim,
    build_source,
    check_credibility,
    check_rank,
    check_reliability,
)
from tracker.domain.errors import ValidationError
from tracker.domain.model import Catalogue, Source, derive_claim_id, subject_key
from tracker.domain.values import legacy_spelling, numeric

CATALOGUE = Catalogue(
    {
        "diplomacy.visit": "An official visit",
        "diplomacy.meeting": "A meeting",
        "diplomacy.pledge": "A pledge",
        "military.force_level": "The size of a force",
        "statement.warning": "A public warning",
    }
)

SPEC_TYPES = {
    "statement.warning",
    "statement.accusation",
    "diplomacy.visit",
    "diplomacy.meeting",
    "diplomacy.pledge",
    "diplomacy.agreement",
    "diplomacy.forum_planned",
    "pressure.demand",
    "military.force_level",
    "military.facility_present",
    "military.deployment",
    "military.withdrawal",
    "legal.instrument_in_force",
    "sanction.imposed",
    "sanction.lifted",
    "governance.mandate_status",
    "affiliation.role",
}


def fields(**changes: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "type": "military.force_level",
        "date": "2024-05",
        "subject": "Russia",
        "attribute": "troops_in_libya",
        "value": "1,800",
        "unit": "troops",
        "summary": "About 1,800 Russian troops are in Libya.",
        "source": "New York Parrot",
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("1,800", "1800"),
        ("1800.0", "1800"),
        ("1800", "1800"),
        ("1800.000", "1800"),
        ("12,345,678.90", "12345678.9"),
        ("-1,200", "-1200"),
        ("+5", "5"),
        ("1.50", "1.5"),
        (".5", "0.5"),
        ("0.0", "0"),
        ("-0", "0"),
        (" 1,800 ", "1800"),
        ("  under   construction\n", "under construction"),
        ("Under Construction", "Under Construction"),
        ("1,80", "1,80"),
        ("1,8000", "1,8000"),
        ("1,800 troops", "1,800 troops"),
    ],
)
def test_the_0003_spelling_of_a_value_is_kept_for_derived_ids(raw: str, stored: str) -> None:
    assert legacy_spelling(raw) == stored


def test_the_0003_spelling_is_a_fixed_point() -> None:
    for raw in ("1,800", "1800.0", "12,345,678.90", "  a  b ", "0.0", "-1,200"):
        once = legacy_spelling(raw)
        assert legacy_spelling(once) == once


def test_numeric_reads_numbers_and_only_numbers() -> None:
    assert numeric("1800") == 1800
    assert numeric("1.5") == pytest.approx(1.5)
    assert numeric("under construction") is None
    assert numeric(None) is None


@pytest.mark.parametrize(
    ("raw", "grade"),
    [
        ("A", "A"),
        ("c", "C"),
        (" f ", "F"),
        (None, "F"),
        ("", "F"),
    ],
)
def test_reliability_grades_are_a_to_f_with_f_by_default(raw: str | None, grade: str) -> None:
    assert check_reliability(raw) == grade


@pytest.mark.parametrize("raw", ["G", "AB", "1", "Z", "reliable"])
def test_a_reliability_outside_a_to_f_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match="not a grade A-F") as refused:
        check_reliability(raw)
    assert refused.value.field == "reliability"


@pytest.mark.parametrize(("raw", "grade"), [("1", "1"), (" 3 ", "3"), ("6", "6"), (None, "6")])
def test_credibility_grades_are_1_to_6_with_6_by_default(raw: str | None, grade: str) -> None:
    assert check_credibility(raw) == grade


@pytest.mark.parametrize("raw", ["0", "7", "A", "12", "3.0"])
def test_a_credibility_outside_1_to_6_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match="not a grade 1-6") as refused:
        check_credibility(raw)
    assert refused.value.field == "credibility"


def test_ranks_are_preferred_normal_or_deprecated() -> None:
    assert [check_rank(r) for r in ("Preferred", " normal ", "DEPRECATED")] == [
        "preferred",
        "normal",
        "deprecated",
    ]
    with pytest.raises(ValidationError, match="preferred, normal, deprecated"):
        check_rank("best")


def test_grades_given_to_a_claim_or_source_are_checked_and_name_their_field() -> None:
    with pytest.raises(ValidationError) as bad_credibility:
        build_claim(fields(credibility="9"), CATALOGUE, "src:x")
    assert bad_credibility.value.field == "credibility"
    with pytest.raises(ValidationError) as bad_reliability:
        build_source(fields(reliability="Q"))
    assert bad_reliability.value.field == "reliability"
    assert build_source(fields(reliability="b")).reliability == "B"
    assert build_claim(fields(credibility="2"), CATALOGUE, "src:x").credibility == "2"


def test_a_typo_in_a_type_code_suggests_the_close_codes() -> None:
    with pytest.raises(ValidationError) as unknown:
        CATALOGUE.check("diplomacy.vist")
    message = unknown.value.message
    assert message.startswith("unknown type 'diplomacy.vist'; did you mean diplomacy.visit")
    assert "military.force_level" not in message
    assert unknown.value.field == "type"


def test_the_shipped_catalogue_suggests_the_close_codes_for_a_typo() -> None:
    with pytest.raises(ValidationError, match=r"did you mean .*diplomacy\.visit"):
        load_catalogue().check("diplomacy.vist")


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("visits", ["diplomacy.visit"]),
        ("deployments", ["military.deployment"]),
        ("warning", ["statement.warning"]),
        ("warn", ["statement.warning"]),
        ("sanctions", ["sanction.imposed", "sanction.lifted"]),
        ("force level", ["military.force_level"]),
        ("deploymnt", ["military.deployment"]),
        ("military.visit", ["diplomacy.visit", "military.exercise", "military.withdrawal"]),
        ("diplomacy.vist", ["diplomacy.visit", "diplomacy.meeting", "diplomacy.pledge"]),
    ],
)
def test_an_unknown_type_suggests_the_codes_whose_words_it_names(
    typed: str, suggested: list[str]
) -> None:
    with pytest.raises(ValidationError) as unknown:
        load_catalogue().check(typed)
    assert unknown.value.message == f"unknown type {typed!r}; did you mean {', '.join(suggested)}?"


@pytest.mark.parametrize("typed", ["troops", "banana", "attack", "news", "in", "x.y"])
def test_an_unrelated_word_suggests_no_type(typed: str) -> None:
    with pytest.raises(ValidationError, match=f"unknown type '{typed}'; see `tracker types`"):
        load_catalogue().check(typed)


def test_codes_sharing_the_part_after_the_dot_are_all_suggested() -> None:
    catalogue = Catalogue({"military.deployment": "Deployed", "naval.deployment": "At sea"})
    with pytest.raises(ValidationError) as unknown:
        catalogue.check("deploymnt")
    assert unknown.value.message.endswith("did you mean military.deployment, naval.deployment?")


def test_a_type_code_far_from_every_known_code_points_to_tracker_types() -> None:
    with pytest.raises(ValidationError, match="unknown type 'zzz'; see `tracker types`"):
        CATALOGUE.check("zzz")


def test_a_known_type_code_is_accepted_without_surrounding_space() -> None:
    assert CATALOGUE.check("  diplomacy.visit ") == "diplomacy.visit"


def test_the_shipped_catalogue_holds_every_type_the_spec_names() -> None:
    assert set(load_catalogue().types) >= SPEC_TYPES


def test_an_unknown_type_on_a_claim_is_refused_with_suggestions() -> None:
    with pytest.raises(ValidationError, match=r"did you mean diplomacy\.visit") as unknown:
        build_claim(fields(type="diplomacy.vist", attribute=None, value=None), CATALOGUE, "s")
    assert unknown.value.field == "type"


def test_a_claim_without_an_id_gets_one_derived_from_its_content() -> None:
    first = build_claim(fields(), CATALOGUE, "src:parrot")
    again = build_claim(fields(), CATALOGUE, "src:parrot")
    assert first.id == again.id
    assert first.id.startswith("clm:")
    assert len(first.id) == len("clm:") + 16
    assert first.id == derive_claim_id(first)
    assert first.value == "1800"


@pytest.mark.parametrize(
    "change",
    [
        {"value": "1,900"},
        {"date": "2024-06"},
        {"subject": "Turkey"},
        {"summary": "Another summary."},
        {"unit": "soldiers"},
        {"credibility": "2"},
        {"originator": "intelligence assessments"},
    ],
)
def test_a_derived_claim_id_changes_with_the_content(change: dict[str, str]) -> None:
    before = build_claim(fields(), CATALOGUE, "src:parrot")
    after = build_claim(fields(**change), CATALOGUE, "src:parrot")
    assert after.id != before.id


def test_a_derived_claim_id_changes_with_the_source() -> None:
    assert (
        build_claim(fields(), CATALOGUE, "src:parrot").id
        != build_claim(fields(), CATALOGUE, "src:other").id
    )


def test_a_derived_claim_id_ignores_what_normalisation_removes() -> None:
    plain = build_claim(fields(), CATALOGUE, "src:parrot")
    noisy = build_claim(
        fields(
            value=" 1800.0 ",
            summary="  About 1,800 Russian troops   are in Libya.  ",
            subject=" Russia ",
        ),
        CATALOGUE,
        "src:parrot",
    )
    assert noisy.id == plain.id
    assert noisy == plain


def test_an_explicit_claim_id_is_kept() -> None:
    claim = build_claim(fields(id=" acled:LBY1234 "), CATALOGUE, "src:parrot")
    assert claim.id == "acled:LBY1234"


def test_a_claim_stores_its_fields_normalised() -> None:
    claim = build_claim(
        fields(quote="  «about 1,800»  ", actor=" Wagner  Group "), CATALOGUE, "src:parrot"
    )
    assert (claim.value, claim.quote, claim.actor, claim.credibility) == (
        "1800",
        "«about 1,800»",
        "Wagner Group",
        "6",
    )
    assert claim.is_observation


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attribute": None}, "attribute"),
        ({"value": None}, "value"),
        ({"value": "   "}, "value"),
        ({"subject": "  "}, "subject"),
        ({"summary": None}, "summary"),
        ({"date": None}, "date"),
        ({"date": "2024-5"}, "date"),
        ({"type": None}, "type"),
    ],
)
def test_an_invalid_claim_is_refused_naming_its_field(
    change: dict[str, str | None], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        build_claim(fields(**change), CATALOGUE, "src:parrot")
    assert refused.value.field == field


def test_a_source_is_required() -> None:
    with pytest.raises(ValidationError, match="source is required") as refused:
        build_source(fields(source="   "))
    assert refused.value.field == "source"


def test_a_source_id_folds_the_name_but_not_the_publication() -> None:
    plain = build_source(fields())
    assert plain.id == build_source(fields(source="  new york   PARROT ")).id
    assert plain.id != build_source(fields(source_url="https://parrot.example/a")).id
    assert plain.id == Source.identity("New York Parrot", None, None, None, "F")


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("Khalifa Haftar", "khalifa haftar"),
        ("  KHALIFA   haftar ", "khalifa haftar"),
        ("Khalifa\tHaftar\n", "khalifa haftar"),
        ("Straße", "strasse"),
        ("Russia", "russia"),
    ],
)
def test_subject_keys_fold_case_and_whitespace(subject: str, key: str) -> None:
    assert subject_key(subject) == key


def test_different_subjects_keep_different_keys() -> None:
    assert subject_key("Khalifa Haftar") != subject_key("KhalifaHaftar")
