"""`quick_init` builds the same frozen dataclass instances as dataclasses' own `__init__`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from tracker.domain.events import ClaimAsserted, LogEntry
from tracker.domain.model import Claim, Source
from tracker.domain.records import quick_init
from tracker.domain.rows import Parsed, Row


@quick_init
@dataclass(frozen=True)
class Sample:
    a: str
    b: int = 2
    c: dict[str, int] = field(default_factory=dict)


def test_defaults_and_factories_are_as_declared() -> None:
    first, second = Sample("x"), Sample("y", 3, {"k": 1})
    assert (first.a, first.b, first.c) == ("x", 2, {})
    assert (second.a, second.b, second.c) == ("y", 3, {"k": 1})
    assert Sample("x").c is not first.c  # a new dict each time, as a factory gives
    assert Sample(a="x", b=2) == first


def test_it_stays_frozen_comparable_and_hashable() -> None:
    claim = Claim("c1", "statement.warning", "2024", "S", "said", "src:1", quote="q")
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.id = "c2"  # type: ignore[misc]
    again = Claim(**vars(claim))
    assert again == claim and hash(again) == hash(claim)
    assert dataclasses.replace(claim, value=None) == claim
    assert vars(claim)["credibility"] == "6"


def test_arguments_are_those_of_the_dataclass() -> None:
    with pytest.raises(TypeError):
        Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample("x", 1, {}, 4)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample("x", d=1)  # type: ignore[call-arg]


@pytest.mark.parametrize("cls", [Claim, Source, ClaimAsserted, LogEntry, Row, Parsed])
def test_the_import_records_use_it(cls: type) -> None:
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
    assert "_own" in cls.__init__.__code__.co_varnames


def test_only_frozen_dataclasses_take_it() -> None:
    with pytest.raises(TypeError):

        @quick_init
        @dataclass
        class Loose:
            a: int
