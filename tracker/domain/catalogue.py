"""The type catalogue: codes, the shape of their claims, what they mean (SPEC §1, §11)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from typing import TYPE_CHECKING

from tracker.domain.errors import UnknownType, ValidationError

if TYPE_CHECKING:
    from tracker.domain.model import Claim


def fold_text(text: str) -> str:
    """As `model.fold_text` (which imports this module): whitespace runs collapsed."""
    return " ".join(text.split())


SHAPES = ("observation", "occurrence")
_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class TypeDef:
    """A type code, the shape of its claims, and what it means."""

    code: str
    shape: str
    description: str


def type_def(code: str, shape: str, description: str) -> TypeDef:
    """A definition checked and normalised: codes are lower case (they compare so)."""
    folded = fold_text(code).casefold()
    if not _CODE.match(folded):
        raise ValidationError(
            f"type code {code!r} is not words joined by dots, like military.battle", "type"
        )
    kind = fold_text(shape).lower()
    if kind not in SHAPES:
        raise ValidationError(f"shape {shape!r} is not one of {', '.join(SHAPES)}", "shape")
    text = fold_text(description)
    if not text:
        raise ValidationError("a description is required", "description")
    return TypeDef(folded, kind, text)


def _words(text: str) -> list[str]:
    """The words of a code or of what was typed for one, too short to mean much left out."""
    return [word for word in re.split(r"[^a-z0-9]+", text) if len(word) >= 3]


def _names(typed: str, word: str) -> bool:
    """Whether a typed word names a code's word: the word, its plural, or its first four
    letters or more (`visits`, `warn` for `visit`, `warning`)."""
    return typed in (word, f"{word}s", f"{word}es") or (len(typed) >= 4 and word.startswith(typed))


class Catalogue:
    """The known type codes, compared case-insensitively; an unknown one is refused with the
    closest known codes. `shapes` says which codes are observations or occurrences (a code
    without one takes either, as every code did before shapes)."""

    def __init__(self, types: dict[str, str], shapes: dict[str, str] | None = None) -> None:
        self.types = dict(sorted(types.items()))
        self.shapes = dict(shapes or {})
        self._folded = {code.casefold(): code for code in self.types}

    def copy(self) -> Catalogue:
        return Catalogue(self.types, self.shapes)

    def find(self, code: str) -> TypeDef | None:
        known = self._folded.get(fold_text(code).casefold())
        if known is None:
            return None
        return TypeDef(known, self.shapes.get(known, ""), self.types[known])

    def define(self, definition: TypeDef) -> bool:
        """Add a definition; False when it is already there as it is. A code already known
        with another shape or description is refused: a type means one thing."""
        known = self.find(definition.code)
        if known is not None:
            if known == definition:
                return False
            raise ValidationError(
                f"type {known.code!r} is already in the catalogue "
                f"({known.shape or 'any shape'}: {known.description})",
                "type",
            )
        self.types = dict(sorted({**self.types, definition.code: definition.description}.items()))
        self.shapes[definition.code] = definition.shape
        self._folded[definition.code.casefold()] = definition.code
        return True

    def check(self, code: str) -> str:
        code = code.strip()
        known = self._folded.get(code.casefold())
        if known is not None:
            return known
        close = self.closest(code)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `tracker types`"
        raise UnknownType(f"unknown type {code!r}{hint}")

    def closest(self, code: str, n: int = 3) -> list[str]:
        """The known codes an unknown one most likely means, best first: those naming most of
        its words (`visits`, `deploy`, `military.visit`: the part after its last dot), then the
        close spellings of the whole code, or, for a word without a dot, of the part after
        the dot. Unrelated words get none."""
        text = fold_text(code).casefold()
        typed = _words(text.rsplit(".", 1)[-1])
        named = {
            known: hits
            for known in self.types
            if (hits := sum(any(_names(t, w) for w in _words(known)) for t in typed))
        }
        most = max(named.values(), default=0)
        found = [known for known, hits in named.items() if hits == most]
        if "." in text:
            found += get_close_matches(text, list(self.types), n=n, cutoff=0.5)
        else:
            tails: dict[str, list[str]] = {}  # `naval.deployment` may join `military.deployment`
            for known in self.types:
                tails.setdefault(known.split(".", 1)[1], []).append(known)
            for tail in get_close_matches(text, list(tails), n=n, cutoff=0.75):
                found += tails[tail]
        return list(dict.fromkeys(found))[:n]

    def check_shape(self, claim: Claim, recorded: Claim | None = None) -> None:
        """A new claim has its type's shape: an observation needs an attribute and a value,
        an occurrence takes neither. Claims recorded before shapes were enforced stay as they
        are: a correction of one (`recorded`) is checked only if it changes type or shape."""
        if recorded is not None and (recorded.type, recorded.is_observation) == (
            claim.type,
            claim.is_observation,
        ):
            return
        shape = self.shapes.get(claim.type)
        if shape == "observation" and claim.attribute is None:
            raise ValidationError(
                f"type {claim.type!r} is an observation: give an attribute and a value",
                "attribute",
            )
        if shape == "occurrence" and claim.attribute is not None:
            raise ValidationError(
                f"type {claim.type!r} is an occurrence: it takes no attribute or value",
                "attribute",
            )
