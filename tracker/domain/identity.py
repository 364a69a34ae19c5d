"""Identity: how names fold, which spellings the analyst judged one entity, and which look alike.

Pure functions and one small value (`Identity`) folded from the log's judgements. Nothing
here guesses: `similar` only suggests, aliases come from `subject.aliased` events.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from tracker.domain.errors import ValidationError


# Names repeat (a feed names a few thousand subjects and publishers), and an import folds each
# row's names a dozen times over; bounded, ~3 MB when full.
@lru_cache(maxsize=16384)
def fold_name(text: str) -> str:
    """A subject's key: NFC-normalised, case-folded, whitespace collapsed.

    NFC first so `Café` typed precomposed or with a combining accent is one name; NFC again
    after case folding, which may decompose (`ǰ`)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        return unicodedata.normalize("NFC", " ".join(text.split()).casefold())
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=4096)
def fold_attribute(text: str) -> str:
    """An attribute's key: folded as a name, with spaces and hyphens read as `_`."""
    return fold_name(text).replace(" ", "_").replace("-", "_")


@dataclass
class Identity:
    """What the log says about names as known at some position.

    `spellings`: each folded name's first recorded spelling. `links`: NAME key → CANONICAL
    key, the aliases in force (direct; `canonical` resolves them transitively).
    `distinct`: pairs of keys judged different entities. `attributes`: each folded
    attribute's first recorded spelling.
    """

    spellings: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    distinct: set[frozenset[str]] = field(default_factory=set)

    def spell(self, name: str) -> str:
        """Record a spelling; the first one recorded for its key stays. Returns the key."""
        key = fold_name(name)
        self.spellings.setdefault(key, name)
        return key

    def spell_attribute(self, attribute: str) -> str:
        key = fold_attribute(attribute)
        self.attributes.setdefault(key, attribute)
        return key

    def canonical(self, key: str) -> str:
        """The key a name resolves to through the aliases in force (itself when none)."""
        seen = 0
        while key in self.links and seen <= len(self.links):
            key, seen = self.links[key], seen + 1
        return key

    def display(self, key: str) -> str:
        """The first recorded spelling of a key (the key itself if none was recorded)."""
        return self.spellings.get(key, key)

    def shown(self, keys: Iterable[str]) -> tuple[str, tuple[str, ...]]:
        """The name to show for claims written under these subject keys (the canonical name's
        first recorded spelling) and the other names among them, in the order given."""
        keys = list(keys)
        root = self.canonical(keys[0])
        others = dict.fromkeys(self.display(k) for k in keys if k != root)
        return self.display(root), tuple(others)

    def members(self, key: str) -> set[str]:
        """Every key resolving to `key`'s canonical key, itself included."""
        root = self.canonical(key)
        return {root} | {name for name in self.links if self.canonical(name) == root}

    def check_alias(self, name: str, canonical: str) -> tuple[str, str]:
        """The keys of an alias NAME → CANONICAL, refused when it aliases a name to itself
        or closes a cycle."""
        name_key, canonical_key = fold_name(name), fold_name(canonical)
        if not name_key or not canonical_key:
            raise ValidationError("an alias needs a name and a canonical name")
        if name_key == canonical_key:
            raise ValidationError(f"{name!r} cannot be an alias of itself")
        key: str | None = canonical_key
        for _ in range(len(self.links) + 1):
            if key is None:
                break
            if key == name_key:
                raise ValidationError(
                    f"aliasing {name!r} to {canonical!r} would make a cycle: "
                    f"{canonical!r} already resolves to {name!r}"
                )
            key = self.links.get(key)
        return name_key, canonical_key

    def is_distinct(self, a: str, b: str) -> bool:
        return frozenset((fold_name(a), fold_name(b))) in self.distinct


# Words that designate a kind of organisation rather than name one: `PMC Wagner` and
# `Wagner Group` are one name once they are set aside.
_DESIGNATORS = frozenset(
    [
        "the",
        "of",
        "pmc",
        "group",
        "company",
        "co",
        "ltd",
        "llc",
        "inc",
        "corp",
        "corporation",
        "federation",
        "republic",
        "forces",
        "force",
        "army",
        "movement",
        "party",
        "organisation",
        "organization",
    ]
)


def ascii_fold(key: str) -> str:
    """A key with accents dropped (`café` → `cafe`), letters and digits and spaces only."""
    if key.isascii():
        return " ".join(_NOT_ALNUM.sub(" ", key).split())
    decomposed = unicodedata.normalize("NFKD", key)
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def _core(key: str) -> str:
    words = ascii_fold(key).split()
    core = [w for w in words if w not in _DESIGNATORS]
    return " ".join(core or words)


def _skeleton(text: str) -> str:
    """Consonants only: transliterations differ mostly in vowels (Haftar, Hifter: hftr)."""
    if text.isascii():
        return text.translate(_NOT_CONSONANT)
    return "".join(c for c in text if c.isalpha() and c not in "aeiouy")


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_NOT_CONSONANT = str.maketrans("", "", "aeiouy0123456789 ")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or `limit + 1` once it is certainly above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _allowed_edits(length: int) -> int:
    # Short names differ by one letter all the time (Iran, Iraq): no edit allowed under five.
    return 0 if length < 5 else 1 if length < 8 else 2 if length < 12 else 3


def why_similar(a: str, b: str) -> str | None:
    """Why two different names may be one entity (the first rule that holds), or None."""
    ka, kb = fold_name(a), fold_name(b)
    if ka == kb:
        return None
    fa, fb = ascii_fold(ka), ascii_fold(kb)
    if fa == fb:
        return "same letters without accents"
    if sorted(fa.split()) == sorted(fb.split()):
        return "same words in another order"
    ca, cb = _core(ka), _core(kb)
    if _digits(ca) != _digits(cb):
        return None  # `Unit 7` and `Unit 9`, `Act of 2023` and `Act of 2024`: numbered apart
    if ca == cb:
        return "same name with another designator"
    short, long = sorted((ca.split(), cb.split()), key=len)
    if len(" ".join(short)) >= 4 and len(short) < len(long):
        # Inside at either end: `Haftar` in `Khalifa Haftar`, not `Russian` in `Libyan Russian
        # forum`; a word may be spelt another way (`Hifter` in `Khalifa Haftar`).
        for end in (long[: len(short)], long[len(long) - len(short) :]):
            if all(_same_word(x, y) for x, y in zip(short, end, strict=True)):
                return "one name inside the other"
    short_text = min(ca, cb, key=len)
    if len(short_text) >= 4 and len(_skeleton(ca)) >= 3 and _skeleton(ca) == _skeleton(cb):
        return "same consonants, a transliteration"
    limit = _allowed_edits(len(short_text))
    if limit and edit_distance(ca, cb, limit) <= limit:
        return "small edit distance"
    return None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _same_word(a: str, b: str) -> bool:
    """One word however transliterated: equal, or the same consonants in 4 letters or more."""
    return a == b or (
        min(len(a), len(b)) >= 4 and len(_skeleton(a)) >= 3 and _skeleton(a) == _skeleton(b)
    )


def _blocks(key: str) -> Iterator[str]:
    """Keys under which a name is compared: names that share none are never compared. Each
    carries the name's digits, since names numbered apart are never similar (`why_similar`)."""
    core = _core(key)
    digits = _digits(core)
    yield f"s{digits}:{_skeleton(core)}"
    yield f"p{digits}:{core[:3]}"
    for word in core.split():
        if len(word) >= 4:
            yield f"w{digits}:{word[:4]}"
            yield f"c{digits}:{_skeleton(word)}"


# A name is looked up, then added at once: its blocks are computed once. Small: a cache as
# large as the names it saw held each name's blocks twice (~20 MB of 50,000 names).
@lru_cache(maxsize=1024)
def _block_keys(name: str) -> frozenset[str]:
    return frozenset(_blocks(fold_name(name)))


@dataclass(frozen=True)
class Similar:
    a: str
    b: str
    why: str


class NameIndex:
    """Known names, indexed so that a name is compared only with those sharing a block."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: list[str] = []
        # Each block's names by index: a block of one name holds the index itself, not a list
        # (most blocks carry a name's digits and hold one name: a list each was ~26 MB of the
        # peak of an import naming 48,000 numbered subjects).
        self._blocks: dict[str, int | list[int]] = {}
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        index = len(self.names)
        self.names.append(name)
        blocks = self._blocks
        for block in _block_keys(name):
            held = blocks.get(block)
            if held is None:
                blocks[block] = index
            elif isinstance(held, int):
                blocks[block] = [held, index]
            else:
                held.append(index)

    def candidates(self, name: str) -> list[str]:
        found: set[int] = set()
        for block in _block_keys(name):
            held = self._blocks.get(block)
            if isinstance(held, int):
                found.add(held)
            elif held is not None:
                found.update(held)
        return [self.names[i] for i in sorted(found)]

    def resembling(self, name: str) -> list[Similar]:
        """Known names that resemble `name`, in the order they were added."""
        out = []
        for other in self.candidates(name):
            why = why_similar(name, other)
            if why is not None:
                out.append(Similar(name, other, why))
        return out


def similar_pairs(names: Iterable[str], identity: Identity) -> list[Similar]:
    """Pairs of names (after aliases) that look like one entity, minus pairs judged distinct.

    Each pair once, the earlier name of the input first."""
    index = NameIndex()
    pairs = []
    for name in names:
        for found in index.resembling(name):
            if not identity.is_distinct(found.a, found.b):
                pairs.append(Similar(found.b, found.a, found.why))
        index.add(name)
    return pairs


def closest(name: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The known names most like `name` (for a `--subject` that matches nothing)."""
    import difflib

    by_key = {fold_name(known): known for known in names}
    keys = difflib.get_close_matches(fold_name(name), list(by_key), n=n, cutoff=0.5)
    resembling = [s.b for s in NameIndex(by_key.values()).resembling(name)]
    return list(dict.fromkeys([*resembling, *(by_key[k] for k in keys)]))[:n]
