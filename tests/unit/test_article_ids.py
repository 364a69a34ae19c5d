"""An article's id (`Source.identity`) writes its canonical JSON out by hand: it must stay the
content id of the same fields through `canonical_json`, or every recorded article id moves."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.model import Source, content_id, source_key

# Any text, control characters, quotes, backslashes, non-BMP characters and lone
# surrogates (which neither can encode) included.
TEXT = st.text(st.characters(), max_size=40)


def _canonical_id(
    name: str, url: str | None, title: str | None, published: str | None, grade: str
) -> str:
    fields = {
        "name": source_key(name),
        "url": url,
        "title": title,
        "published": published,
        "reliability": grade,
    }
    return content_id("src", fields)


def _outcome(derive, *fields):  # type: ignore[no-untyped-def]
    try:
        return derive(*fields)
    except UnicodeEncodeError:
        return "refused"


@given(TEXT, st.none() | TEXT, st.none() | TEXT, st.none() | TEXT, TEXT)
def test_an_article_id_is_the_content_id_of_its_canonical_json(
    name: str, url: str | None, title: str | None, published: str | None, grade: str
) -> None:
    fields = (name, url, title, published, grade)
    assert _outcome(Source.identity, *fields) == _outcome(_canonical_id, *fields)


def test_a_known_article_keeps_its_recorded_id() -> None:
    # As main be7e450 derived it: the name folded, `"` and `\` escaped, None as null.
    assert (
        Source.identity('Le  "Monde"\\', "https://lemonde.fr/a", None, "2025-02", "B")
        == "src:ec045490509e056d"
    )
