"""Properties of the fold and the picture (SPEC §1-§5), on logs built in memory.

Every log here is a list of LogEntry objects with positions 1..n, one fixed recorded_at and
hashes chained from GENESIS_HASH with `chain_hash`: the pure domain, no database. Claims and
sources go through the domain's own constructors (`build_claim`, `build_source`), so they are
normalised exactly as the tracker stores them.
"""

from __future__ import annotations

import calendar
import csv
import io
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from tracker.domain.building import build_claim, build_source
from tracker.domain.dates import ValidDate, Window, parse_date
from tracker.domain.events import (
    GENESIS_HASH,
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
    LogEntry,
    SourceRegistered,
    chain_hash,
    claim_id_of,
    first_break,
    to_payload,
)
from tracker.domain.fold import Knowledge, fold
from tracker.domain.model import RANKS, Catalogue, Claim, Source
from tracker.domain.model import subject_key as key_of
from tracker.domain.picture import Picture, SlotView, build_picture

# --------------------------------------------------------------------------- the log helper

RECORDED_AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CHANGING = (ClaimCorrected.kind, ClaimRetracted.kind, ClaimRanked.kind)


def append(log: list[LogEntry], events: list[Event]) -> list[LogEntry]:
    """A new list: `log` followed by `events` at the next positions, the hash chain continued."""
    out = list(log)
    previous = log[-1].hash if log else GENESIS_HASH
    for event in events:
        position = len(out) + 1
        event_id = f"00000000-0000-4000-8000-{position:012d}"
        payload = to_payload(event)
        digest = chain_hash(previous, position, event_id, RECORDED_AT, event.kind, payload)
        out.append(LogEntry(position, event_id, RECORDED_AT, event.kind, payload, digest))
        previous = digest
    return out


def as_log(events: list[Event]) -> list[LogEntry]:
    return append([], events)


# --------------------------------------------------------------------------- the catalogue


def _catalogue_rows() -> list[dict[str, str]]:
    text = (resources.files("tracker.data") / "types.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


_ROWS = _catalogue_rows()
CATALOGUE = Catalogue({row["code"]: row["description"] for row in _ROWS})
OBSERVATION_TYPES = sorted(row["code"] for row in _ROWS if row["shape"] == "observation")
OCCURRENCE_TYPES = sorted(row["code"] for row in _ROWS if row["shape"] == "occurrence")

# --------------------------------------------------------------------------- strategies

FIRST, LAST = date(2023, 1, 1), date(2024, 12, 31)
ONE_DAY = timedelta(days=1)
SHAPES = ("point", "one_of", "span", "open_end", "open_start")
SUBJECTS = ("Russia", "russia ", " RUSSIA", "Khalifa Haftar", "khalifa  haftar", "Libya")
SUBJECT_KEYS = sorted({key_of(s) for s in SUBJECTS})
ATTRIBUTES = ("troops_in_libya", "bases", "mandate")
VALUES = ("800", "1,800", "1800", "1800.0", "2000", "2500", "0")
SOURCE_NAMES = ("New York Parrot", "Example Monitor", "Le Monde")

as_of_days = st.dates(date(2022, 10, 1), date(2025, 6, 30))


def _anchor_days(first: date, last: date) -> list[date]:
    """Days near the edges and the middle of each month.

    The edges of months are where windows meet, so those are the days that matter; a few
    days a month keep the examples dense around them.
    """
    days = []
    for year in range(first.year, last.year + 1):
        for month in range(1, 13):
            end = calendar.monthrange(year, month)[1]
            days += [date(year, month, d) for d in (1, 2, 15, end - 1, end)]
    return [d for d in days if first <= d <= last]


ANCHORS = _anchor_days(date(2021, 1, 1), LAST)


def days_between(lo: date, hi: date) -> st.SearchStrategy[date]:
    pool = [d for d in ANCHORS if lo <= d <= hi]
    return st.sampled_from(pool) if pool else st.dates(lo, hi)


@st.composite
def parts(draw: st.DrawFn, day: date) -> str:
    """One EDTF date part (day, month or year, perhaps flagged) whose window holds `day`."""
    grain = draw(st.sampled_from(("day", "month", "year")))
    text = {"day": day.isoformat(), "month": f"{day:%Y-%m}", "year": f"{day.year:04d}"}
    return text[grain] + draw(st.sampled_from(("", "", "", "~", "?")))


@st.composite
def valid_dates(
    draw: st.DrawFn, lo: date = FIRST, hi: date = LAST, shapes: tuple[str, ...] = SHAPES
) -> str:
    """A valid date of the accepted EDTF subset, built from generated days."""
    shape = draw(st.sampled_from(shapes))
    a, b = sorted((draw(days_between(lo, hi)), draw(days_between(lo, hi))))
    if shape == "point":
        text = draw(parts(day=a))
    elif shape == "one_of":
        text = f"[{draw(parts(day=a))}..{draw(parts(day=b))}]"
    elif shape == "span":
        text = f"{draw(parts(day=a))}/{draw(parts(day=b))}"
    elif shape == "open_end":
        text = f"{draw(parts(day=a))}/.."
    else:
        text = f"../{draw(parts(day=a))}"
    parse_date(text)  # only valid dates: a ValidationError here is a failure of the test
    return text


def _source(name: str, reliability: str) -> Source:
    return build_source({"source": name, "reliability": reliability})


sources = st.builds(_source, st.sampled_from(SOURCE_NAMES), st.sampled_from("ABCDEF"))


@st.composite
def claims(
    draw: st.DrawFn,
    source: Source,
    claim_id: str,
    observation: bool | None = None,
    date_text: str | None = None,
    value: str | None = None,
    subject: str | None = None,
    attribute: str | None = None,
) -> Claim:
    """A claim validated by `build_claim`: an occurrence or an observation."""
    if observation is None:
        observation = draw(st.booleans())
    fields: dict[str, str | None] = {
        "type": draw(st.sampled_from(OBSERVATION_TYPES if observation else OCCURRENCE_TYPES)),
        "date": date_text if date_text is not None else draw(valid_dates()),
        "subject": subject if subject is not None else draw(st.sampled_from(SUBJECTS)),
        "summary": draw(st.sampled_from(("Reported.", "As the monitor says.", "Seen."))),
        "credibility": draw(st.sampled_from("123456")),
        "id": claim_id,
    }
    if observation:
        fields["attribute"] = (
            attribute if attribute is not None else draw(st.sampled_from(ATTRIBUTES))
        )
        fields["value"] = value if value is not None else draw(st.sampled_from(VALUES))
        fields["unit"] = "troops"
    return build_claim(fields, CATALOGUE, source.id)


@dataclass
class Writer:
    """What a careful writer knows while appending: registered sources and live claims."""

    sources: set[str] = field(default_factory=set)
    live: dict[str, tuple[Claim, str]] = field(default_factory=dict)  # id -> (claim, rank)

    @staticmethod
    def after(known: Knowledge | None) -> Writer:
        if known is None:
            return Writer()
        return Writer(
            set(known.sources),
            {cid: (s.claim, s.rank) for cid, s in known.claims.items() if s.active},
        )

    def register(self, source: Source, events: list[Event]) -> None:
        if source.id not in self.sources:
            self.sources.add(source.id)
            events.append(SourceRegistered(source))


@st.composite
def histories(
    draw: st.DrawFn,
    known: Knowledge | None = None,
    prefix: str = "c",
    min_steps: int = 1,
    max_steps: int = 12,
) -> list[Event]:
    """A valid sequence of events continuing from `known` (an empty log by default).

    Sources are registered before the first claim that uses them; corrections (same id as the
    claim they supersede), retractions and ranks touch only claims asserted and not retracted.
    """
    writer = Writer.after(known)
    events: list[Event] = []
    count = 0
    for _ in range(draw(st.integers(min_steps, max_steps))):
        action = "assert"
        if writer.live:
            action = draw(st.sampled_from(("assert", "assert", "correct", "retract", "rank")))
        if action == "assert":
            source = draw(sources)
            writer.register(source, events)
            claim_id = f"{prefix}{count}"
            count += 1
            claim = draw(claims(source, claim_id))
            events.append(ClaimAsserted(claim))
            writer.live[claim_id] = (claim, "normal")
            continue
        claim_id = draw(st.sampled_from(sorted(writer.live)))
        old, rank = writer.live[claim_id]
        if action == "correct":
            source = draw(sources)
            new = draw(claims(source, claim_id, observation=old.is_observation))
            if new.same_content(old):
                continue
            writer.register(source, events)
            events.append(ClaimCorrected(new, claim_id, "a better reading"))
            writer.live[claim_id] = (new, rank)
        elif action == "retract":
            events.append(ClaimRetracted(claim_id, "the source withdrew it"))
            del writer.live[claim_id]
        else:
            new_rank = draw(st.sampled_from([r for r in RANKS if r != rank]))
            events.append(ClaimRanked(claim_id, new_rank, "analyst judgement"))
            writer.live[claim_id] = (old, new_rank)
    return events


# --------------------------------------------------------------------------- small readers


def slot_key(view: SlotView) -> tuple[str, str]:
    return key_of(view.subject), view.attribute


def claim_slot(claim: Claim) -> tuple[str, str] | None:
    return (key_of(claim.subject), claim.attribute) if claim.attribute is not None else None


def only_slot(picture: Picture) -> SlotView:
    assert len(picture.slots) == 1, picture.slots
    return picture.slots[0]


def later(b: ValidDate, a: ValidDate) -> bool:
    """SPEC §3: b's window starts after a's and ends no earlier, windows not equal."""
    return (
        b.start.earliest > a.start.earliest
        and b.start.latest >= a.start.latest
        and b.start != a.start
    )


def ended_by(valid: ValidDate, day: date) -> bool:
    """A span with a closed end no longer holds after its end."""
    return valid.end is not None and not valid.open_end and valid.end.latest < day


def order_free(picture: Picture) -> tuple[object, ...]:
    """What must not depend on the order claims were appended (ties may use position)."""
    slots = frozenset(
        (
            *slot_key(s),
            s.status,
            s.value,
            s.resolved_by is not None,
            frozenset(c.claim for c in s.candidates),
            s.deprecated_hidden,
        )
        for s in picture.slots
    )
    occurrences = frozenset((o.claim, o.certainty, o.date) for o in picture.occurrences)
    return slots, occurrences, picture.deprecated_hidden


def pair_log(
    first: Claim, second: Claim, source: Source, ranks: dict[str, str] | None = None
) -> list[LogEntry]:
    events: list[Event] = [SourceRegistered(source), ClaimAsserted(first), ClaimAsserted(second)]
    events += [ClaimRanked(cid, rank, "analyst judgement") for cid, rank in (ranks or {}).items()]
    return as_log(events)


# No `explain` phase: varying each draw of a failing example re-parses dozens of new dates.
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
LOGS = settings(SETTINGS, max_examples=60)  # whole logs: each example folds dozens of events

# --------------------------------------------------------------------------- the helper itself


@LOGS
@given(events=histories())
def test_the_in_memory_log_is_an_intact_hash_chain_that_decodes_to_its_events(
    events: list[Event],
) -> None:
    log = as_log(events)
    assert first_break(log) is None
    assert [e.position for e in log] == list(range(1, len(events) + 1))
    assert [e.event for e in log] == events


# --------------------------------------------------------------------------- 1. known-at @N


@LOGS
@given(data=st.data())
def test_a_view_known_at_position_n_never_changes_whatever_is_appended_after_n(
    data: st.DataObject,
) -> None:
    log = as_log(data.draw(histories(), label="base"))
    known = fold(log)
    longer = append(log, data.draw(histories(known, prefix="x"), label="suffix"))
    other = append(log, data.draw(histories(known, prefix="y"), label="other suffix"))
    assert first_break(longer) is None and first_break(other) is None
    n = data.draw(st.integers(0, len(log)), label="N")
    as_of = data.draw(as_of_days, label="as_of")

    expected = build_picture(fold(log[:n]), as_of)
    assert expected.position == n
    assert build_picture(fold(longer[:n]), as_of) == expected
    assert build_picture(fold(other[:n]), as_of) == expected

    # What was changed after N is only named in a footer; the picture itself is the same.
    touched = {str(claim_id_of(e.event)) for e in longer[n:] if e.kind in CHANGING}
    footed = build_picture(fold(longer[:n]), as_of, changed_later=touched)
    assert replace(footed, changed_later=()) == expected
    shown = {s.claim.id for s in fold(longer[:n]).claims.values() if s.active}
    assert set(footed.changed_later) <= touched & shown
    assert list(footed.changed_later) == sorted(footed.changed_later)


@LOGS
@given(data=st.data())
def test_a_picture_is_a_snapshot_that_folding_further_entries_leaves_unchanged(
    data: st.DataObject,
) -> None:
    log = as_log(data.draw(histories(max_steps=16)))
    n = data.draw(st.integers(0, len(log)), label="N")
    as_of = data.draw(as_of_days, label="as_of")
    knowledge = fold(log[:n])
    picture = build_picture(knowledge, as_of)
    fold(log[n:], knowledge)  # continue the same knowledge in place, as `diff --known-*` does
    assert picture == build_picture(fold(log[:n]), as_of)
    assert knowledge == fold(log)


# --------------------------------------------------------------------------- 2. append order


@st.composite
def dates_from(draw: st.DrawFn, starts: list[tuple[date, str]]) -> str:
    """A valid date of any shape whose start (or, for `../B`, end) is one of `starts`."""
    day, start = draw(st.sampled_from(starts))
    shape = draw(st.sampled_from(SHAPES))
    if shape in ("one_of", "span"):
        end = draw(parts(draw(days_between(day, LAST))))
        text = f"[{start}..{end}]" if shape == "one_of" else f"{start}/{end}"
    else:
        text = {"point": start, "open_end": f"{start}/..", "open_start": f"../{start}"}[shape]
    parse_date(text)
    return text


@st.composite
def crowded_claims(draw: st.DrawFn, pool: list[Source], count: int) -> list[Claim]:
    """Claims crowded into a few slots and a few start windows, so that they meet and tie."""
    slots = draw(
        st.lists(
            st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(ATTRIBUTES)),
            min_size=1,
            max_size=2,
        )
    )
    days = draw(st.lists(days_between(FIRST, LAST), min_size=1, max_size=3))
    starts = [(day, draw(parts(day))) for day in days]
    out = []
    for i in range(count):
        subject, attribute = draw(st.sampled_from(slots))
        out.append(
            draw(
                claims(
                    draw(st.sampled_from(pool)),
                    f"c{i}",
                    observation=draw(st.sampled_from((True, True, True, False))),
                    date_text=draw(dates_from(starts)),
                    subject=subject,
                    attribute=attribute,
                )
            )
        )
    return out


@LOGS
@given(data=st.data())
def test_the_picture_does_not_depend_on_the_order_independent_claims_were_appended(
    data: st.DataObject,
) -> None:
    pool = data.draw(st.lists(sources, min_size=1, max_size=3, unique_by=lambda s: s.id))
    count = data.draw(st.integers(1, 8), label="claims")
    asserted = data.draw(crowded_claims(pool, count), label="claims")
    permuted = data.draw(st.permutations(asserted), label="permuted")
    # Afterwards, the same standing changes in the same order in both logs.
    fates = data.draw(
        st.lists(
            st.sampled_from(("keep", "keep", "retract", "preferred", "deprecated")),
            min_size=count,
            max_size=count,
        ),
        label="fates",
    )
    after: list[Event] = []
    for claim, fate in zip(asserted, fates, strict=True):
        if fate == "retract":
            after.append(ClaimRetracted(claim.id, "withdrawn"))
        elif fate != "keep":
            after.append(ClaimRanked(claim.id, fate, "analyst judgement"))
    registered: list[Event] = [SourceRegistered(s) for s in pool]
    one = fold(as_log([*registered, *map(ClaimAsserted, asserted), *after]))
    two = fold(as_log([*registered, *map(ClaimAsserted, permuted), *after]))
    for as_of in data.draw(st.lists(as_of_days, min_size=1, max_size=4), label="as_of"):
        assert order_free(build_picture(one, as_of)) == order_free(build_picture(two, as_of))


@SETTINGS
@given(
    data=st.data(),
    source=sources,
    values=st.lists(st.sampled_from(("800", "1800", "2500")), min_size=2, max_size=2, unique=True),
)
def test_an_ended_slot_does_not_depend_on_which_of_two_spans_from_one_start_came_first(
    data: st.DataObject, source: Source, values: list[str]
) -> None:
    """Two spans begun in one window, both over: neither follows the other (SPEC §3)."""
    day = data.draw(days_between(FIRST, LAST), label="start day")
    start = data.draw(parts(day), label="start")
    texts = [
        f"{start}/{data.draw(parts(data.draw(days_between(day, LAST))), label='end')}"
        for _ in values
    ]
    first, second = (
        data.draw(claims(source, cid, True, text, value, "Russia", "troops_in_libya"))
        for cid, text, value in zip("ab", texts, values, strict=True)
    )
    over = max(parse_date(t).window.latest for t in texts)
    as_of = over + timedelta(days=data.draw(st.integers(1, 200), label="days after"))
    one = only_slot(build_picture(fold(pair_log(first, second, source)), as_of))
    two = only_slot(build_picture(fold(pair_log(second, first, source)), as_of))
    assert one.status == two.status == "ended"
    assert one.value == two.value, f"{one.status}: {one.value} or {two.value} by append order"


# --------------------------------------------------------------------------- 3. corrections


@LOGS
@given(data=st.data())
def test_a_correction_changes_no_other_claims_projection(data: st.DataObject) -> None:
    log = as_log(data.draw(histories(max_steps=14), label="log"))
    before = fold(log)
    live = sorted(cid for cid, s in before.claims.items() if s.active)
    assume(live)
    target = data.draw(st.sampled_from(live), label="corrected claim")
    old = before.claims[target]
    source = data.draw(sources, label="source of the correction")
    new = data.draw(claims(source, target, observation=old.claim.is_observation), label="new")
    assume(not new.same_content(old.claim))
    events: list[Event] = []
    if source.id not in before.sources:
        events.append(SourceRegistered(source))
    events.append(ClaimCorrected(new, target, "a better reading"))
    after = fold(append(log, events))
    # A correction citing a publisher's first graded article grades it: other claims of that
    # publisher then show the grade (SPEC §9), which is not what this property is about.
    assume(after.publishers == before.publishers)

    assert set(after.claims) == set(before.claims)
    assert after.claims[target] == replace(old, claim=new)
    for cid, state in before.claims.items():
        if cid != target:
            assert after.claims[cid] == state, cid

    as_of = data.draw(as_of_days, label="as_of")
    touched = {claim_slot(old.claim), claim_slot(new)}
    one, two = build_picture(before, as_of), build_picture(after, as_of)
    assert [s for s in one.slots if slot_key(s) not in touched] == [
        s for s in two.slots if slot_key(s) not in touched
    ]
    assert [o for o in one.occurrences if o.claim != target] == [
        o for o in two.occurrences if o.claim != target
    ]
    for subject in set(SUBJECT_KEYS) - {key_of(old.claim.subject), key_of(new.subject)}:
        elsewhere = build_picture(after, as_of, subject)
        assert build_picture(before, as_of, subject) == replace(elsewhere, position=before.position)


# --------------------------------------------------------------------------- 4. indeterminacy


def _coarse(text: str) -> bool:
    start = parse_date(text).start
    return start.earliest < start.latest


indeterminate_dates = valid_dates().filter(_coarse)


@SETTINGS
@given(data=st.data(), source=sources, date_text=indeterminate_dates)
def test_an_observation_with_an_indeterminate_date_is_possible_inside_its_window(
    data: st.DataObject, source: Source, date_text: str
) -> None:
    claim = data.draw(claims(source, "w", observation=True, date_text=date_text))
    valid = parse_date(date_text)
    start = valid.start
    as_of = data.draw(st.dates(start.earliest, start.latest - ONE_DAY), label="as_of")
    assume(not ended_by(valid, as_of))  # `2024/2024-01-01` ends before its start window does
    knowledge = fold(as_log([SourceRegistered(source), ClaimAsserted(claim)]))
    slot = only_slot(build_picture(knowledge, as_of))
    assert slot.status == "possible"
    assert slot.value is None and slot.claim is None
    assert [c.claim for c in slot.candidates] == ["w"]
    assert [c.value for c in slot.candidates] == [claim.value]


@SETTINGS
@given(data=st.data(), source=sources, date_text=indeterminate_dates)
def test_an_indeterminate_observation_shows_the_earlier_definite_value_it_may_replace(
    data: st.DataObject, source: Source, date_text: str
) -> None:
    start = parse_date(date_text).start
    earlier_text = data.draw(
        valid_dates(date(2021, 1, 1), start.earliest - ONE_DAY, ("point", "one_of", "open_end")),
        label="earlier date",
    )
    assume(parse_date(earlier_text).start.latest < start.earliest)
    subject, attribute = (
        data.draw(st.sampled_from(SUBJECTS)),
        data.draw(st.sampled_from(ATTRIBUTES)),
    )
    earlier = data.draw(
        claims(source, "e", True, earlier_text, subject=subject, attribute=attribute)
    )
    later_one = data.draw(
        claims(source, "w", True, date_text, subject=subject.upper(), attribute=attribute)
    )
    as_of = data.draw(st.dates(start.earliest, start.latest - ONE_DAY), label="as_of")
    assume(not ended_by(parse_date(date_text), as_of))
    log = as_log([SourceRegistered(source), ClaimAsserted(earlier), ClaimAsserted(later_one)])
    slot = only_slot(build_picture(fold(log), as_of))
    assert slot.status == "possible"
    assert (slot.value, slot.claim) == (earlier.value, "e")
    assert [c.claim for c in slot.candidates] == ["w"]


@SETTINGS
@given(data=st.data(), source=sources, date_text=valid_dates())
def test_an_observation_is_current_once_its_start_window_has_passed_and_ended_after_its_span(
    data: st.DataObject, source: Source, date_text: str
) -> None:
    valid = parse_date(date_text)
    claim = data.draw(claims(source, "w", observation=True, date_text=date_text))
    as_of = data.draw(
        st.dates(valid.start.earliest - timedelta(days=60), valid.window.latest + timedelta(400)),
        label="as_of",
    )
    picture = build_picture(fold(as_log([SourceRegistered(source), ClaimAsserted(claim)])), as_of)
    if as_of < valid.start.earliest:
        assert picture.slots == ()
        return
    slot = only_slot(picture)
    if ended_by(valid, as_of):
        assert (slot.status, slot.value, slot.claim) == ("ended", claim.value, "w")
    elif as_of < valid.start.latest:
        assert (slot.status, slot.value) == ("possible", None)
    else:
        assert (slot.status, slot.value, slot.claim) == ("current", claim.value, "w")


@SETTINGS
@given(data=st.data(), source=sources, date_text=valid_dates())
def test_an_occurrence_is_possible_inside_its_window_and_definite_from_its_end(
    data: st.DataObject, source: Source, date_text: str
) -> None:
    valid = parse_date(date_text)
    window: Window = valid.window
    claim = data.draw(claims(source, "o", observation=False, date_text=date_text))
    as_of = data.draw(
        st.dates(window.earliest - timedelta(days=60), window.latest + timedelta(days=60)),
        label="as_of",
    )
    picture = build_picture(fold(as_log([SourceRegistered(source), ClaimAsserted(claim)])), as_of)
    assert picture.slots == ()
    if as_of < valid.start.earliest:
        assert picture.occurrences == ()
        return
    (view,) = picture.occurrences
    assert view.claim == "o"
    assert view.certainty == ("possible" if as_of < window.latest else "definite")


# --------------------------------------------------------------------------- conflicts, ranks


@st.composite
def rival_pairs(draw: st.DrawFn) -> tuple[Source, Claim, Claim, date]:
    """Two observations of one slot, neither later than the other, both holding at as_of."""
    source = draw(sources)
    a_text = draw(valid_dates())
    a = parse_date(a_text)
    b_text = draw(st.one_of(st.just(a_text), valid_dates(a.start.earliest, a.start.latest)))
    b = parse_date(b_text)
    assume(not later(a, b) and not later(b, a))
    as_of = max(a.start.earliest, b.start.earliest) + timedelta(
        days=draw(st.integers(0, 500), label="days after both began")
    )
    assume(not ended_by(a, as_of) and not ended_by(b, as_of))
    values = draw(st.lists(st.integers(1, 40), min_size=2, max_size=2, unique=True))
    subject, attribute = draw(st.sampled_from(SUBJECTS)), draw(st.sampled_from(ATTRIBUTES))
    first = draw(claims(source, "a", True, a_text, str(values[0] * 100), subject, attribute))
    second = draw(claims(source, "b", True, b_text, str(values[1] * 100), subject, attribute))
    return source, first, second, as_of


@SETTINGS
@given(pair=rival_pairs())
def test_two_current_observations_with_different_values_are_a_conflict_never_a_choice(
    pair: tuple[Source, Claim, Claim, date],
) -> None:
    source, first, second, as_of = pair
    slot = only_slot(build_picture(fold(pair_log(first, second, source)), as_of))
    assert slot.status == "conflict"
    assert (slot.value, slot.claim, slot.resolved_by) == (None, None, None)
    assert sorted((c.claim, c.value) for c in slot.candidates) == [
        ("a", first.value),
        ("b", second.value),
    ]


@SETTINGS
@given(pair=rival_pairs(), pick=st.booleans())
def test_a_preferred_rank_resolves_a_conflict_and_says_so(
    pair: tuple[Source, Claim, Claim, date], pick: bool
) -> None:
    source, first, second, as_of = pair
    chosen = first if pick else second
    log = pair_log(first, second, source, {chosen.id: "preferred"})
    slot = only_slot(build_picture(fold(log), as_of))
    assert (slot.status, slot.value, slot.claim) == ("current", chosen.value, chosen.id)
    assert slot.resolved_by == chosen.id
    assert sorted(c.claim for c in slot.candidates) == ["a", "b"]


@SETTINGS
@given(pair=rival_pairs(), pick=st.booleans())
def test_a_deprecated_claim_is_hidden_counted_and_shown_with_all(
    pair: tuple[Source, Claim, Claim, date], pick: bool
) -> None:
    source, first, second, as_of = pair
    hidden, kept = (first, second) if pick else (second, first)
    knowledge = fold(pair_log(first, second, source, {hidden.id: "deprecated"}))

    picture = build_picture(knowledge, as_of)
    slot = only_slot(picture)
    assert picture.deprecated_hidden == 1 and slot.deprecated_hidden == 1
    assert [c.claim for c in slot.candidates] == [kept.id]
    if parse_date(kept.date).start.latest <= as_of:
        assert (slot.status, slot.value, slot.claim) == ("current", kept.value, kept.id)
    else:
        assert (slot.status, slot.value) == ("possible", None)

    # --all shows the deprecated claim among the candidates; the judgement still stands: the
    # slot reads as it does without it (no conflict comes back).
    everything = build_picture(knowledge, as_of, show_all=True)
    shown = only_slot(everything)
    assert everything.deprecated_hidden == 0 and shown.deprecated_hidden == 0
    assert (shown.status, shown.value, shown.claim) == (slot.status, slot.value, slot.claim)
    assert [(c.claim, c.rank) for c in shown.candidates] == [
        *((c.claim, c.rank) for c in slot.candidates),
        (hidden.id, "deprecated"),
    ]
