"""The catalogue: codes compared case-insensitively, definitions that mean one thing, shapes."""

from __future__ import annotations

import pytest

from tracker.adapters.files import load_catalogue
from tracker.domain.catalogue import Catalogue, TypeDef, type_def
from tracker.domain.errors import ValidationError
from tracker.domain.model import Claim


def claim(type_code: str, attribute: str | None = None) -> Claim:
    value = "1" if attribute else None
    return Claim("c", type_code, "2024", "X", "S.", "src", attribute=attribute, value=value)


def test_every_shipped_code_has_a_shape() -> None:
    catalogue = load_catalogue()
    assert set(catalogue.shapes) == set(catalogue.types)
    assert set(catalogue.shapes.values()) == {"observation", "occurrence"}


def test_codes_compare_case_insensitively() -> None:
    assert load_catalogue().check(" Diplomacy.VISIT ") == "diplomacy.visit"


def test_a_definition_is_normalised_and_checked() -> None:
    assert type_def(" Military.Battle ", "Occurrence", " A  battle ") == TypeDef(
        "military.battle", "occurrence", "A battle"
    )
    with pytest.raises(ValidationError, match="is not words joined by dots"):
        type_def("battle", "occurrence", "A battle")
    with pytest.raises(ValidationError, match="shape 'event' is not one of observation"):
        type_def("military.battle", "event", "A battle")


def test_a_code_means_one_thing() -> None:
    catalogue = Catalogue({})
    assert catalogue.define(TypeDef("military.battle", "occurrence", "A battle")) is True
    assert catalogue.define(TypeDef("military.battle", "occurrence", "A battle")) is False
    with pytest.raises(ValidationError, match="already in the catalogue"):
        catalogue.define(TypeDef("military.battle", "observation", "A battle"))


def test_shapes_are_enforced_for_new_claims_only() -> None:
    catalogue = load_catalogue()
    with pytest.raises(ValidationError, match="is an observation"):
        catalogue.check_shape(claim("military.force_level"))
    with pytest.raises(ValidationError, match="is an occurrence"):
        catalogue.check_shape(claim("diplomacy.visit", "visits"))
    old = claim("military.force_level")
    catalogue.check_shape(claim("military.force_level"), recorded=old)  # shape unchanged
    catalogue.check_shape(claim("any.code"))  # a catalogue without its shape takes either
