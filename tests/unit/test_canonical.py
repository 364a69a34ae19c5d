"""Canonical JSON (the bytes the hash chain covers) is exactly what the standard library's
`json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))` writes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.canonical import canonical_json, quoted

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", "é", "e\u0301", '"quoted"', "back\\slash", "tab\tnew\nline\x00\x1f", "\u2028", "日本"]
)
SCALARS = st.none() | st.booleans() | st.integers() | TEXT | st.floats(allow_nan=False)
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=6),
    max_leaves=30,
)


def standard(data: object) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=400)
@given(st.dictionaries(TEXT, PLAIN, max_size=8))
def test_payloads_encode_as_the_standard_library(payload: dict[str, object]) -> None:
    assert canonical_json(payload) == standard(payload)


@given(PLAIN)
def test_any_plain_value_encodes_as_the_standard_library(value: object) -> None:
    assert canonical_json(value) == standard(value)


@given(TEXT)
def test_quoted_text_is_the_standard_json_string(text: str) -> None:
    assert quoted(text) == standard(text)


def test_a_claim_payload_keeps_its_bytes() -> None:
    payload = {
        "claim": {"id": "c1", "value": None, "subject": "Café", "n": 3},
        "article": {"id": "src:1", "name": 'The "Post"'},
    }
    assert canonical_json(payload) == (
        '{"article":{"id":"src:1","name":"The \\"Post\\""},'
        '"claim":{"id":"c1","n":3,"subject":"Café","value":null}}'
    )
