"""`--format json` text comes from the C encoder re-indented by msgspec: it must be byte for
byte what `json.dumps(ensure_ascii=False, indent=2)` writes, on any data a view can hold."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.cli.jsonout import indented, indented_pieces

# Text with what needs escaping or care: quotes, backslashes, control characters, line and
# paragraph separators, non-ASCII letters, astral characters, and lone surrogates' neighbours.
TEXT = st.text(
    st.one_of(
        st.sampled_from('"\\/\n\r\t\b\f\x00\x1f\x7f\x85\u2028\u2029é漢\U0001f600 '),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=20,
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, 1e-7, 1e16, 1e22, -0.0, 2.5e-308, 1.7976931348623157e308, 1800.0]),
    TEXT,
)
DATA = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=2000, deadline=None)
@given(DATA)
def test_indented_json_is_what_the_standard_library_writes(data: Any) -> None:
    assert indented(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_a_picture_shaped_object_is_indented_as_the_standard_library_does() -> None:
    picture = {
        "as_of": "2024-06-01",
        "position": 42,
        "slots": [
            {
                "subject": "Russia",
                "value": 1800,
                "sources": ["New York Parrot", "Ré\u2028x"],
                "candidates": [{"claim": "c:1", "value": 1800.5, "credibility": None}],
            }
        ],
        "occurrences": [],
        "empty": {},
    }
    assert indented(picture) == json.dumps(picture, ensure_ascii=False, indent=2)


# A value of an object written a piece at a time: a list given as an iterator, or any value.
FIELD = st.one_of(
    st.tuples(st.just(True), st.lists(DATA, max_size=4)), st.tuples(st.just(False), DATA)
)


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(TEXT, FIELD, max_size=5))
def test_an_object_written_a_piece_at_a_time_is_the_whole_one(
    fields: dict[str, tuple[bool, Any]],
) -> None:
    """`indented_pieces`, the lists it is given as iterators written item by item."""
    pieces = {k: iter(value) if streamed else value for k, (streamed, value) in fields.items()}
    whole = {k: value for k, (_, value) in fields.items()}
    written = "".join(indented_pieces(pieces))
    assert written == json.dumps(whole, ensure_ascii=False, indent=2)
