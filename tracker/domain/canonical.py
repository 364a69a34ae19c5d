"""Canonical JSON: keys sorted, no spaces, text as it is (not escaped to ASCII). The hash chain
covers these bytes, and content ids are derived from them: they must never change."""

from __future__ import annotations

import json
from json import encoder
from typing import Any

CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))

# `CANONICAL.encode` builds a new C encoder on every call; this one is built once, with the
# same options (no check for circular data: what is encoded is plain data, never circular).
_make = getattr(encoder, "c_make_encoder", None)
_ENCODE = (
    None
    if _make is None
    else _make(
        None, CANONICAL.default, encoder.encode_basestring, None, ":", ",", True, False, True
    )
)

# A text as a JSON string, as `canonical_json` writes it.
quoted = encoder.encode_basestring


def canonical_json(data: Any) -> str:
    """The canonical JSON text of plain data (dicts, lists, text, numbers, booleans, None)."""
    if _ENCODE is None or not isinstance(data, dict):
        return CANONICAL.encode(data)
    return "".join(_ENCODE(data, 0))
