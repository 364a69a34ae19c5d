"""JSON text for `--format json`: the standard library's C encoder, indented by msgspec.

`json.dumps(indent=2)` takes the standard library's pure-Python path (an indent turns the C
encoder off): 63% of `show --format json` went there. Here the C encoder writes compact JSON
and `msgspec.json.format` re-indents it, copying every string and number as the encoder wrote
it, so the text is byte for byte `json.dumps(data, ensure_ascii=False, indent=2)`
(`tests/unit/test_jsonout.py` checks it on generated data).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def indented(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2)`, through C code."""
    text: str = msgspec.json.format(_COMPACT.encode(data), indent=2)
    return text


def indented_pieces(data: Mapping[str, Any]) -> Iterator[str]:
    """`indented(data)` a piece at a time, for an object whose values may be iterators: each
    item of those is encoded as it comes, so memory follows an item, not the list."""
    yield "{"
    for n, (key, value) in enumerate(data.items()):
        yield (",\n  " if n else "\n  ") + _COMPACT.encode(key) + ": "
        if isinstance(value, Iterator):
            yield from _items(value)
        else:
            yield _nested(indented(value), 1)
    yield "\n}" if data else "}"


def _items(items: Iterator[Any]) -> Iterator[str]:
    """A list at the first level of an indented object, item by item."""
    empty = True
    for item in items:
        yield ("[\n    " if empty else ",\n    ") + _nested(indented(item), 2)
        empty = False
    yield "[]" if empty else "\n  ]"


def _nested(text: str, depth: int) -> str:
    # An encoded string holds no newline (it is escaped): every newline is the layout's.
    return text.replace("\n", "\n" + "  " * depth)
