"""What a product page says, as plain frozen dataclasses that serialise with
``dataclasses.asdict`` (the video stages store a page as JSON between Lambda steps) and come
back with ``ProductPage.from_dict``.

Every value carries its ``source``: the syntax and the path or selector it came from
("json-ld:Product.offers.price", "microdata:Product.sku", "og:price:amount",
"html:span.price", "html:label 'SKU'", "url:path"), so that a caption or a database row can
always be traced back to the page, and a wrong value to the rule that chose it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Fact:
    """A statement of the page that a caption may repeat."""

    kind: str  # "title" | "price" | "bullet" | "description" | "brand" | "attribute" | "rating"
    text: str  # the page's own words, whitespace normalised
    source: str  # where it was found, e.g. "json-ld:Product.name", "og:title", "html:li"


@dataclass(frozen=True)
class Media:
    """A picture or a clip of the product."""

    kind: str  # "image" | "video"
    ref: str  # absolute URL; a local path (CLI), or relative to the folder read from storage
    source: str  # "json-ld:Product.image", "og:image", "html:img", "html:video", "manifest"
    alt: str = ""


@dataclass(frozen=True)
class Sourced:
    """One value the page states, and where it states it."""

    value: str
    source: str


@dataclass(frozen=True)
class Attribute:
    """A named property of the product ("Material": "Oak"), as the page names it."""

    name: str
    value: str
    source: str  # "json-ld:Product.additionalProperty", "html:table", "html:dl", "html:li"


@dataclass(frozen=True)
class Table:
    """A <table> of the page as rows of cell texts (header rows included, as written)."""

    rows: tuple[tuple[str, ...], ...]
    source: str  # the table's selector, e.g. "html:table#specs"


@dataclass(frozen=True)
class ProductPage:
    """Everything a page says about its product (the fields a video needs come first)."""

    title: str
    language: str  # "zh" or "en"
    facts: tuple[Fact, ...]  # de-duplicated, most trusted source first
    media: tuple[Media, ...]  # images then videos, each ref once
    price: str | None  # the page's number, e.g. "199.00" or "1.299,00"
    currency: str | None  # ISO 4217 where known ("CNY", "USD"), else as the page writes it
    music: str | None = None
    url: str | None = None
    # What a detail-page database stores, each value with its source; None or () when the
    # page does not say. ``price_amount`` is the chosen price as a plain decimal ("1299.00",
    # what Decimal() reads) and ``price`` above is the same price in the page's own writing.
    brand: Sourced | None = None
    price_amount: Sourced | None = None
    price_currency: Sourced | None = None  # ISO 4217
    availability: Sourced | None = None  # a schema.org ItemAvailability term: "InStock", ...
    sku: Sourced | None = None  # the shop's own code for the product
    gtin: Sourced | None = None  # 8, 12, 13 or 14 digits with a valid check digit
    mpn: Sourced | None = None  # the manufacturer's part or model number
    attributes: tuple[Attribute, ...] = ()
    selling_points: tuple[Sourced, ...] = ()
    descriptions: tuple[Sourced, ...] = ()
    tables: tuple[Table, ...] = ()
    page_media: tuple[Media, ...] = ()  # images and videos in the page's order

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ProductPage:
        """The page ``dataclasses.asdict`` (and a JSON round trip) turned into a dict."""

        def one(value: dict[str, str] | None) -> Sourced | None:
            return Sourced(**value) if value else None

        known = {f.name for f in fields(cls)}
        return cls(**{
            **{k: v for k, v in raw.items() if k in known},
            "facts": tuple(Fact(**f) for f in raw["facts"]),
            "media": tuple(Media(**m) for m in raw["media"]),
            **{name: one(raw.get(name)) for name in (
                "brand", "price_amount", "price_currency", "availability", "sku", "gtin", "mpn")},
            "attributes": tuple(Attribute(**a) for a in raw.get("attributes", ())),
            "selling_points": tuple(Sourced(**s) for s in raw.get("selling_points", ())),
            "descriptions": tuple(Sourced(**s) for s in raw.get("descriptions", ())),
            "tables": tuple(Table(tuple(map(tuple, t["rows"])), t["source"])
                            for t in raw.get("tables", ())),
            "page_media": tuple(Media(**m) for m in raw.get("page_media", ())),
        })


@dataclass(frozen=True)
class Price:
    """A price one source states: as written, as a value, in which currency (when said)."""

    shown: str  # "1.299,00"
    amount: Decimal  # Decimal("1299.00")
    currency: str | None
    source: str


@dataclass(frozen=True)
class Found:
    """What one kind of source (JSON-LD, microdata, meta tags, visible HTML) says; each
    tuple holds that source's candidates, best first."""

    facts: tuple[Fact, ...] = ()
    media: tuple[Media, ...] = ()
    prices: tuple[Price, ...] = ()
    currency: Sourced | None = None
    brand: Sourced | None = None
    availability: Sourced | None = None
    skus: tuple[Sourced, ...] = ()
    gtins: tuple[Sourced, ...] = ()
    mpns: tuple[Sourced, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    descriptions: tuple[Sourced, ...] = ()
