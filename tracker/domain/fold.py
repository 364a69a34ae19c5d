"""The fold: what the log says about every source and claim, as known at a log position."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import singledispatch

from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimReinstated,
    ClaimRetracted,
    Event,
    ImportRecorded,
    LogEntry,
    SourceGraded,
    SourceRegistered,
    SubjectAliased,
    SubjectDistinguished,
    SubjectUnaliased,
    TypeDefined,
)
from tracker.domain.identity import Identity, fold_attribute, fold_name
from tracker.domain.model import (
    CLAIM_FIELDS,
    Claim,
    Publisher,
    Source,
    given_grade,
    publisher_key,
)
from tracker.domain.records import quick_init

# A claim state laid out flat, as a store may keep it: `Claim`'s fields, then its standing.
STATE_FIELDS = (*CLAIM_FIELDS, "position", "retracted", "rank")


@quick_init
@dataclass(frozen=True)
class ClaimState:
    """A claim's latest revision and standing; `position` is where it was first asserted."""

    claim: Claim
    position: int
    retracted: bool = False
    rank: str = "normal"

    @property
    def active(self) -> bool:
        return not self.retracted


@dataclass
class Knowledge:
    """Everything known at log position `position`.

    `sources` are the articles as recorded (by id); `publishers` the outlets by folded name,
    with their grades as known at `position`.
    """

    position: int = 0
    sources: dict[str, Source] = field(default_factory=dict)
    claims: dict[str, ClaimState] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)
    publishers: dict[str, Publisher] = field(default_factory=dict)
    identity: Identity = field(default_factory=Identity)
    types: dict[str, TypeDefined] = field(default_factory=dict)

    def source_of(self, claim: Claim) -> Source:
        """The claim's article under its publisher's name and grade: what views show."""
        article = self.sources[claim.source_id]
        publisher = self.publishers.get(publisher_key(article.name))
        if publisher is None:
            return article
        return replace(article, name=publisher.name, reliability=publisher.reliability)

    def subject_of(self, claim: Claim) -> str:
        """The canonical key of the claim's subject, through the aliases in force."""
        return self.identity.canonical(fold_name(claim.subject))

    def slot_of(self, claim: Claim) -> tuple[str, str]:
        """The slot an observation belongs to: canonical subject key, folded attribute."""
        return self.subject_of(claim), fold_attribute(claim.attribute or "")


def fold(entries: Iterable[LogEntry], knowledge: Knowledge | None = None) -> Knowledge:
    """Apply entries in position order to `knowledge` (a new one by default)."""
    state = knowledge if knowledge is not None else Knowledge()
    for entry in entries:
        apply(entry.event, state, entry.position)
        state.position = entry.position
    return state


def touched(entries: Iterable[LogEntry]) -> tuple[list[str], list[str]]:
    """The claim ids these entries touch (superseded ones too) and the article ids they cite
    (a legacy claim's too: its `source.registered` came before), each sorted: what a fold of
    them needs to have been given of what came before, to fold them as the whole log would.
    Ids that are not text (a crafted log's) are left for the fold or its checks to refuse."""
    ids: list[object] = []
    cited: list[object] = []
    for entry in entries:
        event = entry.event
        if isinstance(event, ClaimAsserted | ClaimCorrected):
            ids.append(event.claim.id)
            cited.append(event.claim.source_id)
            if isinstance(event, ClaimCorrected):
                ids.append(event.supersedes)
        elif isinstance(event, ClaimRetracted | ClaimRanked | ClaimReinstated):
            ids.append(event.claim_id)
        elif isinstance(event, SourceRegistered):
            cited.append(event.source.id)
    return _texts(ids), _texts(cited)


def _texts(values: list[object]) -> list[str]:
    return sorted({v for v in values if isinstance(v, str)})


@singledispatch
def apply(event: Event, state: Knowledge, position: int) -> None:
    raise TypeError(f"no fold rule for {type(event).__name__}")


def cite(state: Knowledge, article: Source) -> None:
    """An article enters the knowledge: the first recording of an id stays (its id does not
    cover `retrieved`). Its publisher is created under this spelling if new, and takes the
    article's grade if it has none yet: a row sets a publisher's first grade, and a later
    different one changes nothing (re-grading is `source.graded`)."""
    state.sources.setdefault(article.id, article)
    key = publisher_key(article.name)
    publisher = state.publishers.get(key)
    grade = given_grade(article.reliability)
    if publisher is None:
        state.publishers[key] = Publisher(article.name, grade)
    elif publisher.grade is None and grade is not None:
        state.publishers[key] = replace(publisher, grade=grade)


@apply.register
def _(event: SourceRegistered, state: Knowledge, position: int) -> None:
    cite(state, event.source)


@apply.register
def _(event: SourceGraded, state: Knowledge, position: int) -> None:
    key = publisher_key(event.source)
    name = state.publishers[key].name if key in state.publishers else event.source
    state.publishers[key] = Publisher(name, event.reliability)


@apply.register
def _(event: ClaimAsserted, state: Knowledge, position: int) -> None:
    if event.article is not None:
        cite(state, event.article)
    state.claims[event.claim.id] = ClaimState(event.claim, position)
    _spell(state.identity, event.claim)


@apply.register
def _(event: ClaimCorrected, state: Knowledge, position: int) -> None:
    if event.article is not None:
        cite(state, event.article)
    before = state.claims[event.supersedes]
    if event.claim.id != event.supersedes:
        del state.claims[event.supersedes]
    state.claims[event.claim.id] = replace(before, claim=event.claim)
    _spell(state.identity, event.claim)


def _spell(identity: Identity, claim: Claim) -> None:
    identity.spell(claim.subject)
    if claim.attribute is not None:
        identity.spell_attribute(claim.attribute)


@apply.register
def _(event: ClaimRetracted, state: Knowledge, position: int) -> None:
    state.claims[event.claim_id] = replace(state.claims[event.claim_id], retracted=True)


@apply.register
def _(event: ClaimReinstated, state: Knowledge, position: int) -> None:
    state.claims[event.claim_id] = replace(state.claims[event.claim_id], retracted=False)


@apply.register
def _(event: ClaimRanked, state: Knowledge, position: int) -> None:
    state.claims[event.claim_id] = replace(state.claims[event.claim_id], rank=event.rank)


@apply.register
def _(event: ImportRecorded, state: Knowledge, position: int) -> None:
    state.imports[event.sha256] = event.name


@apply.register
def _(event: SubjectAliased, state: Knowledge, position: int) -> None:
    identity = state.identity
    identity.links[identity.spell(event.name)] = identity.spell(event.canonical)


@apply.register
def _(event: SubjectUnaliased, state: Knowledge, position: int) -> None:
    state.identity.links.pop(fold_name(event.name), None)


@apply.register
def _(event: SubjectDistinguished, state: Knowledge, position: int) -> None:
    state.identity.distinct.add(frozenset((fold_name(event.a), fold_name(event.b))))


@apply.register
def _(event: TypeDefined, state: Knowledge, position: int) -> None:
    state.types[event.code] = event
