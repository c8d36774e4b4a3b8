"""What a product page says, as plain frozen dataclasses that serialise with
``dataclasses.asdict`` (the video stages store a page as JSON between Lambda steps).

Every fact and medium carries its ``source``: the syntax and the path or selector it came
from, so that a caption or a database row can always be traced back to the page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    kind: str  # "title" | "price" | "bullet" | "description" | "brand" | "attribute" | "rating"
    text: str  # the page's own words, whitespace normalised
    source: str  # where it was found, e.g. "json-ld:Product.name", "og:title", "html:li"


@dataclass(frozen=True)
class Media:
    kind: str  # "image" | "video"
    ref: str  # absolute URL; a local path (CLI), or relative to the folder read from storage
    source: str  # "json-ld:Product.image", "og:image", "html:img", "html:video", "manifest"
    alt: str = ""


@dataclass(frozen=True)
class ProductPage:
    title: str
    language: str  # "zh" or "en"
    facts: tuple[Fact, ...]  # de-duplicated, most trusted source first
    media: tuple[Media, ...]  # images then videos, each ref once
    price: str | None  # the page's number, e.g. "199.00" or "1.299,00"
    currency: str | None  # as the page gives it, usually ISO 4217 ("CNY", "USD")
    music: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Found:
    """What one kind of source (JSON-LD, microdata, meta tags, visible HTML) says."""

    facts: tuple[Fact, ...] = ()
    media: tuple[Media, ...] = ()
    price: str | None = None
    currency: str | None = None
