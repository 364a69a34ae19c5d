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
        close = get_close_matches(code.casefold(), list(self.types), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `tracker types`"
        raise UnknownType(f"unknown type {code!r}{hint}")

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
