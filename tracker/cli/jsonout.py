"""JSON text for `--format json`: the standard library's C encoder, indented by msgspec.

`json.dumps(indent=2)` takes the standard library's pure-Python path (an indent turns the C
encoder off): 63% of `show --format json` went there. Here the C encoder writes compact JSON
and `msgspec.json.format` re-indents it, copying every string and number as the encoder wrote
it, so the text is byte for byte `json.dumps(data, ensure_ascii=False, indent=2)`
(`tests/unit/test_jsonout.py` checks it on generated data).
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def indented(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2)`, through C code."""
    text: str = msgspec.json.format(_COMPACT.encode(data), indent=2)
    return text
