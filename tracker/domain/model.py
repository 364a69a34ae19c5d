"""Sources and claims: the facts as sources state them (built from fields in `building`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace
from typing import Any

from tracker.domain.canonical import canonical_json, quoted

# Re-exported: the catalogue was defined here before it had a module of its own.
from tracker.domain.catalogue import Catalogue as Catalogue
from tracker.domain.dates import ValidDate, parse_date
from tracker.domain.identity import fold_name
from tracker.domain.records import quick_init
from tracker.domain.values import same_value

RELIABILITY_GRADES = "ABCDEF"
CREDIBILITY_GRADES = "123456"
RANKS = ("preferred", "normal", "deprecated")


def fold_text(text: str) -> str:
    """Collapse runs of whitespace: how every free-text field is stored."""
    return " ".join(text.split())


# Subjects match NFC-normalised, case-folded, with whitespace folded (`identity`); the cached
# function itself, not a wrapper: an import keys each row's names a dozen times.
subject_key = fold_name


def source_key(name: str) -> str:
    """How a source's name enters its derived id: case and whitespace folded only. Kept as it
    was when the first logs were written, so a re-imported row finds the source it made."""
    return fold_text(name).casefold()


def content_id(prefix: str, content: dict[str, Any]) -> str:
    """A deterministic id from normalised content: identical content, identical id."""
    blob = canonical_json(content)
    return f"{prefix}:{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


# One publisher per folded name: `Reuters` and `reuters ` are one outlet.
publisher_key = fold_name


@dataclass(frozen=True)
class Publisher:
    """An outlet: its name as first recorded, and its reliability grade, None until judged
    (it then reads as F, cannot be judged)."""

    name: str
    grade: str | None = None

    @property
    def reliability(self) -> str:
        return self.grade or "F"


def given_grade(reliability: str) -> str | None:
    """The grade a claim row gives its publisher: F (cannot be judged, the default every row
    had to carry) judges nothing; re-grading to F is `tracker grade`."""
    return None if reliability == "F" else reliability


@quick_init
@dataclass(frozen=True)
class Source:
    """An article: where a claim was read. Its id (the claim's `source_id`) is derived from
    what identifies the publication and the grade the row gave, as before publishers existed,
    so the ids of claims already recorded do not move; `reliability` is that grade as given,
    and the publisher's grade is what views show."""

    id: str
    name: str
    url: str | None = None
    title: str | None = None
    published: str | None = None
    retrieved: str | None = None
    reliability: str = "F"

    @staticmethod
    def identity(
        name: str, url: str | None, title: str | None, published: str | None, reliability: str
    ) -> str:
        """`content_id("src", …)` of the name (`source_key`), url, title, published date and
        grade. Its canonical JSON is written out here, keys in their sorted order (a test
        checks it against `canonical_json`): an import derives it for every row whose
        article is new, and the dict and the encoder's sorting cost a third of it."""
        text = (
            f'{{"name":{quoted(source_key(name))},'
            f'"published":{"null" if published is None else quoted(published)},'
            f'"reliability":{quoted(reliability)},'
            f'"title":{"null" if title is None else quoted(title)},'
            f'"url":{"null" if url is None else quoted(url)}}}'
        )
        return f"src:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


@quick_init
@dataclass(frozen=True)
class Claim:
    """One fact as one source states it; an observation when it has an attribute."""

    id: str
    type: str
    date: str
    subject: str
    summary: str
    source_id: str
    attribute: str | None = None
    value: str | None = None
    unit: str | None = None
    actor: str | None = None
    target: str | None = None
    place: str | None = None
    quote: str | None = None
    originator: str | None = None
    credibility: str = "6"

    @property
    def is_observation(self) -> bool:
        return self.attribute is not None

    @property
    def valid(self) -> ValidDate:
        return parse_date(self.date)

    def content(self) -> dict[str, Any]:
        """Everything but the id: what decides whether a re-import changed the claim."""
        data = dict(vars(self))  # every field is a plain str or None: no deep copy needed
        del data["id"]
        return data

    def same_content(self, other: Claim) -> bool:
        """The same claim, values compared as read: a value stored before the value grammar
        (`~1,800`) is the same as its canonical spelling (`~1800`)."""
        if vars(self) == vars(other):
            return True
        same = same_value(self.value, other.value)
        return same and vars(replace(other, value=self.value)) == vars(self)


CLAIM_FIELDS = tuple(f.name for f in fields(Claim))


def derive_claim_id(claim: Claim, spelled: str | None = None) -> str:
    """The id of a claim from its content, its value as `spelled` (see `legacy_spelling`)."""
    content = claim.content()
    if spelled is not None:
        content["value"] = spelled
    return content_id("clm", content)
