"""Claims and articles built from a user's fields (a CLI call or an import row): every
field checked and normalised, every problem a ValidationError naming its field."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

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
    fold_text,
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
    fields_in: dict[str, str | None], catalogue: Catalogue, source_id: str, legacy: bool = False
) -> Claim:
    """Validate and normalise one claim's fields (from a CLI call or an import row).

    Every problem is raised as a ValidationError naming its field. With `legacy`, the value is
    taken as schema 0003 took it (`legacy_spelling`), refusing nothing: how an import row
    the value grammar refuses is matched with a claim recorded before it.
    """

    def text(name: str) -> str | None:
        raw = fields_in.get(name)
        # fold_text inlined: this runs for a dozen fields of every imported row.
        return " ".join(raw.split()) or None if raw is not None else None

    def required(name: str) -> str:
        value = text(name)
        if value is None:
            raise ValidationError(f"{name} is required", name)
        return value

    type_code = catalogue.check(required("type"))
    date_text = required("date")
    try:
        parse_date(date_text)
    except ValidationError as error:
        raise ValidationError(error.message, "date") from None
    attribute = text("attribute")
    value = text("value")
    if attribute is not None and value is None:
        raise ValidationError("value is required with attribute", "value")
    if attribute is None and value is not None:
        raise ValidationError("value needs an attribute (an occurrence has no value)", "attribute")
    quote_raw = fields_in.get("quote")
    claim_id = text("id")
    claim = Claim(
        id=claim_id or "",
        type=type_code,
        date=date_text,
        subject=required("subject"),
        summary=required("summary"),
        source_id=source_id,
        attribute=attribute,
        value=_stored_value(value, legacy),
        unit=text("unit"),
        actor=text("actor"),
        target=text("target"),
        place=text("place"),
        quote=quote_raw.strip() or None if quote_raw is not None else None,
        originator=text("originator"),
        credibility=_field(check_credibility, fields_in.get("credibility"), "credibility"),
    )
    check_lengths(claim)
    if claim_id:  # built once with its id when the row gives one: `replace` costs a build
        return claim
    spelled = legacy_spelling(value) if value is not None else None
    return replace(claim, id=derive_claim_id(claim, spelled))


def _stored_value(value: str | None, legacy: bool) -> str | None:
    if value is None:
        return None
    return legacy_spelling(value) if legacy else canonical_value(value)


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


SOURCE_FIELDS = ("source", "source_url", "source_title", "published", "retrieved", "reliability")


def build_source(fields_in: dict[str, str | None]) -> Source:
    """Validate and normalise a source from `source`, `source_url`, … fields."""
    return _build_source(*map(fields_in.get, SOURCE_FIELDS))


@lru_cache(maxsize=4096)  # a feed has few sources and many rows; a bad one raises every time
def _build_source(
    name_raw: str | None,
    url_raw: str | None,
    title_raw: str | None,
    published_raw: str | None,
    retrieved_raw: str | None,
    reliability_raw: str | None,
) -> Source:
    def text(raw: str | None) -> str | None:
        return fold_text(raw) or None if raw is not None else None

    name = text(name_raw)
    if name is None:
        raise ValidationError("source is required (no claim without provenance)", "source")
    published = text(published_raw)
    if published is not None:
        try:
            parse_date(published)
        except ValidationError as error:
            raise ValidationError(error.message, "published") from None
    retrieved = text(retrieved_raw)
    if retrieved is not None:
        _check_datetime(retrieved)
    reliability = _field(check_reliability, reliability_raw, "reliability")
    url, title = text(url_raw), text(title_raw)
    return Source(
        id=Source.identity(name, url, title, published, reliability),
        name=name,
        url=url,
        title=title,
        published=published,
        retrieved=retrieved,
        reliability=reliability,
    )


def _field(check: Any, raw: str | None, name: str) -> str:
    try:
        result: str = check(raw)
    except ValidationError as error:
        raise ValidationError(error.message, name) from None
    return result


def _check_datetime(text: str) -> None:
    from datetime import datetime

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
