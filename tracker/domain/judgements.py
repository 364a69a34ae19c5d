"""Judgements carried by import rows (SPEC §9): which event an `op=alias|unalias|distinct`
row asks for, given the judgements in force. A new op is a parser need in `_NAMES` and a rule
in `_JUDGES`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from tracker.domain.errors import ValidationError
from tracker.domain.events import SubjectAliased, SubjectDistinguished, SubjectUnaliased
from tracker.domain.fold import Knowledge, apply
from tracker.domain.identity import Identity, fold_name
from tracker.domain.model import fold_text

Judgement = SubjectAliased | SubjectUnaliased | SubjectDistinguished

# op → the columns it reads as names: `subject` = NAME or A, `value` = CANONICAL or B.
_NAMES: dict[str, tuple[str, ...]] = {
    "alias": ("subject", "value"),
    "unalias": ("subject",),
    "distinct": ("subject", "value"),
}
JUDGEMENT_OPS = tuple(_NAMES)


def judgement_names(fields: Mapping[str, str | None], op: str) -> tuple[str, ...]:
    """The names a judgement row gives; raises ValidationError naming a missing column."""
    names = []
    for column in _NAMES[op]:
        name = fold_text(fields.get(column) or "")
        if not name:
            raise ValidationError(f"{column} is required for op={op}", column)
        names.append(name)
    return tuple(names)


def _alias(identity: Identity, names: tuple[str, ...], reason: str | None) -> Judgement | None:
    name, canonical = names
    name_key, canonical_key = identity.check_alias(name, canonical)
    if identity.links.get(name_key) == canonical_key:
        return None  # already in force
    return SubjectAliased(name, canonical, reason or "alias given by import")


def _unalias(identity: Identity, names: tuple[str, ...], reason: str | None) -> Judgement | None:
    (name,) = names
    if fold_name(name) not in identity.links:
        return None  # not an alias: what the row asks for is already so
    return SubjectUnaliased(name, reason or "unalias given by import")


def _distinct(identity: Identity, names: tuple[str, ...], reason: str | None) -> Judgement | None:
    a, b = names
    if fold_name(a) == fold_name(b):
        raise ValidationError(f"{a!r} and {b!r} are the same name", "value")
    if identity.is_distinct(a, b):
        return None
    return SubjectDistinguished(a, b, reason or "distinct given by import")


_JUDGES: dict[str, Callable[[Identity, tuple[str, ...], str | None], Judgement | None]] = {
    "alias": _alias,
    "unalias": _unalias,
    "distinct": _distinct,
}


def judge(
    identity: Identity, op: str, names: tuple[str, ...], reason: str | None
) -> Judgement | None:
    """The event a judgement row asks for; None when it is already in force."""
    return _JUDGES[op](identity, names, reason)


def apply_judgement(identity: Identity, event: Judgement) -> None:
    """What a judgement changes in `identity`, exactly as the fold applies it."""
    apply(event, Knowledge(identity=identity), 0)


def in_force(judgements: Iterable[Judgement]) -> list[dict[str, str]]:
    """The judgements in force after these (in log order) as import rows (`op`, `subject`,
    `value`, `reason`), each as last made: aliases, then distinct pairs, in the order made."""
    aliases: dict[str, dict[str, str]] = {}
    distinct: dict[frozenset[str], dict[str, str]] = {}
    for event in judgements:
        if isinstance(event, SubjectAliased):
            aliases.pop(fold_name(event.name), None)  # re-made: it moves to the end
            aliases[fold_name(event.name)] = {
                "op": "alias",
                "subject": event.name,
                "value": event.canonical,
                "reason": event.reason,
            }
        elif isinstance(event, SubjectUnaliased):
            aliases.pop(fold_name(event.name), None)
        else:
            pair = frozenset((fold_name(event.a), fold_name(event.b)))
            distinct.setdefault(
                pair,
                {"op": "distinct", "subject": event.a, "value": event.b, "reason": event.reason},
            )
    return [*aliases.values(), *distinct.values()]
