"""Judging identity: alias, unalias, distinct; the subjects list and the names that look alike."""

from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from tracker.domain.errors import ValidationError
from tracker.domain.events import SubjectAliased, SubjectDistinguished, SubjectUnaliased
from tracker.domain.fold import Knowledge
from tracker.domain.identity import (
    Identity,
    NameIndex,
    closest,
    fold_attribute,
    fold_name,
    similar_pairs,
    why_similar,
)
from tracker.domain.model import Claim
from tracker.services.base import Service, reason_text


@dataclass(frozen=True)
class Judged:
    """A judgement's log position; `appended` False when it was already in force."""

    position: int
    appended: bool


@dataclass(frozen=True)
class SubjectRow:
    subject: str
    aliases: tuple[str, ...]
    claims: int
    attributes: int
    first: date
    last: date


@dataclass(frozen=True)
class SimilarRow:
    a: str
    b: str
    why: str
    command: str


def alias_command(name: str, canonical: str) -> str:
    """The command an analyst runs to judge `name` one entity with `canonical`."""
    return f"tracker alias {shlex.quote(name)} --as {shlex.quote(canonical)} --reason TEXT"


def _name(text: str, what: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise ValidationError(f"{what} is empty")
    return name


class Judging(Service):
    def alias(self, name: str, canonical: str, reason: str) -> Judged:
        """Append a subject.aliased: claims about NAME read as claims about CANONICAL."""
        name, canonical = _name(name, "NAME"), _name(canonical, "--as")
        reason = reason_text(reason)
        with self.store.writing() as writer:
            identity = writer.judgements()
            name_key, canonical_key = identity.check_alias(name, canonical)
            if identity.links.get(name_key) == canonical_key:
                return Judged(writer.position, appended=False)
            entry = writer.append([SubjectAliased(name, canonical, reason)])[-1]
        return Judged(entry.position, appended=True)

    def unalias(self, name: str, reason: str) -> Judged:
        """Append a subject.unaliased: NAME is read as itself again."""
        name = _name(name, "NAME")
        reason = reason_text(reason)
        with self.store.writing() as writer:
            if fold_name(name) not in writer.judgements().links:
                raise ValidationError(f"{name!r} is not an alias; see `tracker subjects`")
            entry = writer.append([SubjectUnaliased(name, reason)])[-1]
        return Judged(entry.position, appended=True)

    def distinct(self, a: str, b: str, reason: str) -> Judged:
        """Append a subject.distinguished: A and B are no longer suggested as one."""
        a, b = _name(a, "A"), _name(b, "B")
        reason = reason_text(reason)
        if fold_name(a) == fold_name(b):
            raise ValidationError(f"{a!r} and {b!r} are the same name")
        with self.store.writing() as writer:
            identity = writer.judgements()
            if identity.canonical(fold_name(a)) == identity.canonical(fold_name(b)):
                raise ValidationError(
                    f"{a!r} and {b!r} are aliased as one entity; `tracker unalias` first"
                )
            if identity.is_distinct(a, b):
                return Judged(writer.position, appended=False)
            entry = writer.append([SubjectDistinguished(a, b, reason)])[-1]
        return Judged(entry.position, appended=True)

    def subjects(self) -> list[SubjectRow]:
        """Each subject after aliases, with its other names, claims, attributes and dates."""
        knowledge = self.knowledge(self.cut(None))
        return subject_rows(knowledge)

    def similar(self) -> list[SimilarRow]:
        """Pairs of subjects (after aliases) that look like one entity, not judged distinct."""
        rows = self.subjects()
        identity = self.store.identity()
        claims = {fold_name(row.subject): row.claims for row in rows}
        found = []
        for pair in similar_pairs([row.subject for row in rows], identity):
            keep, other = sorted((pair.a, pair.b), key=lambda n: _keep_first(n, claims))
            found.append(SimilarRow(pair.a, pair.b, pair.why, alias_command(other, keep)))
        return found

    def unmatched_subject(self, subject: str) -> str | None:
        """What to say when `--subject` names nothing known: the closest subjects."""
        key = fold_name(subject)
        identity = self.store.identity([key])  # the spelling of this name only, if known
        if key in identity.spellings or key in identity.links:
            return None
        identity = self.store.identity()
        roots = {identity.canonical(k) for k in identity.spellings}
        near = closest(subject, sorted(identity.display(k) for k in roots))
        hint = f"; closest: {', '.join(near)}" if near else ""
        return f"no subject {subject!r} is known{hint}"


def _keep_first(name: str, claims: dict[str, int]) -> tuple[int, int, str, str]:
    """Orders a similar pair's names, the one to keep as canonical first: more claims, then
    the fuller name, then name order, so that a tie still names two names (subjects after
    aliases differ in their folded name)."""
    key = fold_name(name)
    return -claims[key], -len(name), key, name


def subject_rows(knowledge: Knowledge) -> list[SubjectRow]:
    """The subjects of the active claims, grouped by canonical name, in name order."""
    identity = knowledge.identity
    claims: dict[str, int] = defaultdict(int)
    attributes: dict[str, set[str]] = defaultdict(set)
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    for state in knowledge.claims.values():
        if state.retracted:
            continue
        claim = state.claim
        root = knowledge.subject_of(claim)
        claims[root] += 1
        if claim.attribute is not None:
            attributes[root].add(knowledge.slot_of(claim)[1])
        window = claim.valid.window
        first[root] = min(first.get(root, window.earliest), window.earliest)
        last[root] = max(last.get(root, window.latest), window.latest)
    rows = [
        SubjectRow(
            identity.display(root),
            _aliases(identity, root),
            claims[root],
            len(attributes[root]),
            first[root],
            last[root],
        )
        for root in claims
    ]
    return sorted(rows, key=lambda r: fold_name(r.subject))


def _aliases(identity: Identity, root: str) -> tuple[str, ...]:
    return tuple(sorted(identity.display(k) for k in identity.members(root) if k != root))


class Hints:
    """The `warning:` lines of one write: a new subject resembling a known one (with the alias
    command), a new attribute of a known subject resembling one it has. The write goes ahead."""

    def __init__(
        self,
        identity: Identity,
        attributes: Callable[[Sequence[str]], dict[str, dict[str, str]]],
        every_name: Callable[[], Identity] | None = None,
    ) -> None:
        """`identity` holds the spellings of the names the claims give, at least (and of the
        aliased names); `every_name` reads every known name, for when one is new. None:
        `identity` holds every known name already."""
        self.identity = identity
        self.attributes = attributes
        self.every_name = every_name
        self._index: NameIndex | None = None
        self.known: dict[str, dict[str, str]] = {}  # canonical key: attribute key: spelling
        self.lines: list[str] = []  # every line given so far

    def of(self, claims: Iterable[Claim]) -> list[str]:
        """The lines for these claims (in order), also added to `lines`."""
        claims = list(claims)
        identity, lines = self.identity, []
        wanted = {
            identity.canonical(fold_name(c.subject))
            for c in claims
            if c.attribute is not None and fold_name(c.subject) in identity.spellings
        } - self.known.keys()
        if wanted:
            keys = sorted({k for root in wanted for k in identity.members(root)})
            found = self.attributes(keys)
            for root in wanted:
                merged = self.known[root] = {}
                for key in identity.members(root):
                    merged.update(found.get(key, {}))
        for claim in claims:
            key = fold_name(claim.subject)
            if key not in identity.spellings:
                lines += self._subject(claim.subject)
                identity.spell(claim.subject)
                self.index().add(claim.subject)
            if claim.attribute is not None:
                lines += self._attribute(claim.subject, claim.attribute)
        self.lines += lines
        return lines

    def index(self) -> NameIndex:
        """The known names, indexed when a new name first needs them (a re-import has none)."""
        if self._index is None:
            identity = self.identity if self.every_name is None else self.every_name()
            roots = {identity.canonical(k) for k in identity.spellings}
            self._index = NameIndex(identity.display(k) for k in sorted(roots))
        return self._index

    def _subject(self, name: str) -> list[str]:
        found = [
            s for s in self.index().resembling(name) if not self.identity.is_distinct(s.a, s.b)
        ]
        if not found:
            return []
        # One line: the known name most like this one.
        best = max(
            found, key=lambda s: SequenceMatcher(None, fold_name(name), fold_name(s.b)).ratio()
        )
        return [
            f"warning: new subject {name!r} resembles {best.b!r}: {best.why}; "
            f"if they are one: {alias_command(name, best.b)}"
        ]

    def _attribute(self, subject: str, attribute: str) -> list[str]:
        root = self.identity.canonical(fold_name(subject))
        known = self.known.setdefault(root, {})
        key = fold_attribute(attribute)
        if key in known:
            return []
        lines = []
        if known:
            for spelling in known.values():
                why = why_similar(key.replace("_", " "), fold_attribute(spelling).replace("_", " "))
                if why is not None:
                    shown = self.identity.display(root)
                    lines.append(
                        f"warning: new attribute {attribute!r} of {shown!r} resembles "
                        f"{spelling!r}: {why}; check its spelling"
                    )
                    break
        known[key] = attribute
        return lines
