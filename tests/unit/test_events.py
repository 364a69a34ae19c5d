"""The event codec and the hash chain's exact bytes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.events import (
    ClaimAsserted,
    ClaimRanked,
    ImportRecorded,
    SourceRegistered,
    canonical_json,
    chain_hash,
    format_instant,
    from_payload,
    to_payload,
)
from tracker.domain.model import Claim, Source

texts = st.text(max_size=30)


@given(
    previous=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    position=st.integers(1, 10**12),
    event_id=texts,
    kind=texts,
    moment=st.datetimes(timezones=st.just(UTC)),
    payload=st.dictionaries(texts, st.one_of(texts, st.integers(), st.none()), max_size=5),
)
def test_the_chain_hash_is_sha256_of_the_previous_hash_and_the_canonical_envelope(
    previous: str,
    position: int,
    event_id: str,
    kind: str,
    moment: datetime,
    payload: dict[str, object],
) -> None:
    envelope = {
        "position": position,
        "event_id": event_id,
        "recorded_at": format_instant(moment),
        "kind": kind,
        "payload": payload,
    }
    expected = hashlib.sha256((previous + canonical_json(envelope)).encode()).hexdigest()
    assert chain_hash(previous, position, event_id, moment, kind, payload) == expected


def test_every_event_kind_survives_the_codec() -> None:
    source = Source("src:1", "NYP", "https://x", "T", "2025-02", None, "B")
    claim = Claim(
        "c1",
        "military.force_level",
        "2024-05",
        "Russia",
        "1,800 troops.",
        "src:1",
        "troops_in_libya",
        "1800",
        "troops",
        credibility="3",
    )
    for event in (
        SourceRegistered(source),
        ClaimAsserted(claim),
        ClaimRanked("c1", "preferred", "two sources"),
        ImportRecorded("seed.csv", "ab" * 32, {"new": 15}),
    ):
        payload = to_payload(event)
        assert from_payload(event.kind, payload) == event
        assert canonical_json(payload) == canonical_json(
            to_payload(from_payload(event.kind, payload))
        )
