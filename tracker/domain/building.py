"""Claims and articles built from a user's fields (a CLI call or an import row): every
field checked and normalised, every problem a ValidationError naming its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from tracker.domain.catalogue import Catalogue
from tracker.domain.dates import parse_date
from tracker.domain.errors import ValidationError
from tracker.domain.model import (
    CREDIBILITY_GRADES,
    RANKS,
    RELIABILITY_GRADES,
    Claim,
    Source,
    derive_claim_id,
    subject_key,
)
from tracker.domain.values import canonical_value, legacy_spelling


def check_reliability(raw: str | None) -> str:
    grade = (raw or "F").strip().upper() or "F"
    if len(grade) != 1 or grade not in RELIABILITY_GRADES:
        raise ValidationError(f"reliability {raw!r} is not a grade A-F", "reliability")
    return grade


def check_credibility(raw: str | None) -> str:
    grade = (raw or "6").strip() or "6"
    if len(grade) != 1 or grade not in CREDIBILITY_GRADES:
        raise ValidationError(f"credibility {raw!r} is not a grade 1-6", "credibility")
    return grade


def check_rank(raw: str) -> str:
    rank = raw.strip().lower()
    if rank not in RANKS:
        raise ValidationError(f"rank {raw!r} is not one of {', '.join(RANKS)}", "rank")
    return rank


def build_claim(
    fields_in: Mapping[str, str | None],
    catalogue: Catalogue,
    source_id: str,
    legacy: bool = False,
) -> Claim:
    """Validate and normalise one claim's fields (from a CLI call or an import row).

    Every problem is raised as a ValidationError naming its field. With `legacy`, the value is
    taken as schema 0003 took it (`legacy_spelling`), refusing nothing: how an import row
    the value grammar refuses is matched with a claim recorded before it.
    """
    return _claim(fields_in.get, catalogue, source_id, "legacy" if legacy else "raise")[0]


def build_row_claim(
    fields_in: Mapping[str, str | None], catalogue: Catalogue, source_id: str
) -> tuple[Claim, str | None]:
    """An import row's claim, and why the value grammar refuses its value (None if it does
    not): such a claim is built with its value as schema 0003 took it (`legacy_spelling`),
    to be matched with a claim recorded before the grammar. Any other problem raises, and
    the refusal is what `build_claim` raises for a row with no problem before it."""
    return _claim(fields_in.get, catalogue, source_id, "defer")


def _claim(
    get: Callable[[str], str | None], catalogue: Catalogue, source_id: str, values: str
) -> tuple[Claim, str | None]:
    """One pass over a claim's fields, each folded once, checked in the order the errors
    have always been found in (type, date, attribute and value, subject, summary, the
    value's grammar, credibility, lengths). `values`: "raise" refuses a value the grammar
    does not take, "legacy" takes any value as schema 0003 did, "defer" takes such a value
    as "legacy" does and returns the refusal. An import calls this for every row: the
    folding is inlined rather than a call a field."""
    raw = get("type")
    text = " ".join(raw.split()) if raw is not None else ""
    if not text:
        raise ValidationError("type is required", "type")
    type_code = catalogue.check(text)
    raw = get("date")
    date_text = " ".join(raw.split()) if raw is not None else ""
    if not date_text:
        raise ValidationError("date is required", "date")
    try:
        parse_date(date_text)
    except ValidationError as error:
        raise ValidationError(error.message, "date") from None
    raw = get("attribute")
    attribute = " ".join(raw.split()) or None if raw is not None else None
    raw = get("value")
    value = " ".join(raw.split()) or None if raw is not None else None
    if attribute is not None and value is None:
        raise ValidationError("value is required with attribute", "value")
    if attribute is None and value is not None:
        raise ValidationError("value needs an attribute (an occurrence has no value)", "attribute")
    raw = get("subject")
    subject = " ".join(raw.split()) if raw is not None else ""
    if not subject:
        raise ValidationError("subject is required", "subject")
    raw = get("summary")
    summary = " ".join(raw.split()) if raw is not None else ""
    if not summary:
        raise ValidationError("summary is required", "summary")
    refused = None
    stored = value
    if value is not None:
        if values == "legacy":
            stored = legacy_spelling(value)
        else:
            try:
                short = len(value) <= _CACHED_VALUE
                stored = _canonical(value) if short else canonical_value(value)
            except ValidationError as error:
                if values == "raise":
                    raise
                stored, refused = legacy_spelling(value), error.message
    credibility = check_credibility(get("credibility"))
    raw = get("id")
    claim_id = " ".join(raw.split()) if raw is not None else ""
    quote = get("quote")
    unit, actor, target, place, originator = [
        " ".join(raw.split()) or None if raw is not None else None for raw in map(get, _FOLDED)
    ]
    claim = Claim(
        claim_id,
        type_code,
        date_text,
        subject,
        summary,
        source_id,
        attribute,
        stored,
        unit,
        actor,
        target,
        place,
        quote.strip() or None if quote is not None else None,
        originator,
        credibility,
    )
    check_lengths(claim)
    if claim_id:  # built once with its id when the row gives one: `replace` costs a build
        return claim, refused
    spelled = legacy_spelling(value) if value is not None else None
    return replace(claim, id=derive_claim_id(claim, spelled)), refused


# The optional fields that are only folded, in `_claim`'s order.
_FOLDED = ("unit", "actor", "target", "place", "originator")
# A feed's values repeat (a few figures and states): the short ones are normalised once.
_CACHED_VALUE = 64
_canonical = lru_cache(maxsize=4096)(canonical_value)


# What both backends can store and index, so SQLite refuses what PostgreSQL cannot hold: ids
# are varchar(200), and a btree entry of `ix_claims_slot` (folded subject, attribute, id, a
# few numbers) must stay under ~2.7 KB. Subjects and attributes are measured in UTF-8 bytes.
MAX_ID_CHARACTERS = 200
MAX_SUBJECT_BYTES = 1000
MAX_ATTRIBUTE_BYTES = 500


def check_lengths(claim: Claim) -> None:
    if len(claim.id) > MAX_ID_CHARACTERS:
        raise ValidationError(
            f"id is {len(claim.id)} characters long; at most {MAX_ID_CHARACTERS}", "id"
        )
    size = len(subject_key(claim.subject).encode("utf-8", "surrogatepass"))
    if size > MAX_SUBJECT_BYTES:
        raise ValidationError(
            f"subject is {size} bytes long in UTF-8; at most {MAX_SUBJECT_BYTES}", "subject"
        )
    if claim.attribute is not None:
        size = len(claim.attribute.encode("utf-8", "surrogatepass"))
        if size > MAX_ATTRIBUTE_BYTES:
            raise ValidationError(
                f"attribute is {size} bytes long in UTF-8; at most {MAX_ATTRIBUTE_BYTES}",
                "attribute",
            )


def build_source(fields_in: Mapping[str, str | None]) -> Source:
    """Validate and normalise a source from `source`, `source_url`, … fields."""
    get = fields_in.get
    return _build_source(
        get("source"),
        get("source_url"),
        get("source_title"),
        get("published"),
        get("retrieved"),
        get("reliability"),
    )


@lru_cache(maxsize=4096)  # a feed has few sources and many rows; a bad one raises every time
def _build_source(
    name_raw: str | None,
    url_raw: str | None,
    title_raw: str | None,
    published_raw: str | None,
    retrieved_raw: str | None,
    reliability_raw: str | None,
) -> Source:
    # One pass, folding inlined: a feed citing an article a row misses the cache every row.
    name = " ".join(name_raw.split()) if name_raw is not None else ""
    if not name:
        raise ValidationError("source is required (no claim without provenance)", "source")
    published = " ".join(published_raw.split()) or None if published_raw is not None else None
    if published is not None:
        try:
            parse_date(published)
        except ValidationError as error:
            raise ValidationError(error.message, "published") from None
    retrieved = " ".join(retrieved_raw.split()) or None if retrieved_raw is not None else None
    if retrieved is not None:
        check_retrieved(retrieved)
    reliability = check_reliability(reliability_raw)
    url = " ".join(url_raw.split()) or None if url_raw is not None else None
    title = " ".join(title_raw.split()) or None if title_raw is not None else None
    return Source(
        Source.identity(name, url, title, published, reliability),
        name,
        url,
        title,
        published,
        retrieved,
        reliability,
    )


def check_retrieved(text: str) -> None:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"retrieved {text!r} is not an ISO datetime", "retrieved") from None


def claim_fields(claim: Claim, source: Source) -> dict[str, str | None]:
    """A claim and its source as the flat fields of `add` and of an import row."""
    fields: dict[str, str | None] = {k: v for k, v in vars(claim).items() if k != "source_id"}
    fields.update(
        source=source.name,
        source_url=source.url,
        source_title=source.title,
        published=source.published,
        retrieved=source.retrieved,
        reliability=source.reliability,
    )
    return fields
