"""Putting the sources together: structured data before markup, each fact once."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from vitrina.errors import NoUsableMedia
from vitrina.product_page import prices
from vitrina.product_page.jsonld import from_jsonld
from vitrina.product_page.meta import from_meta
from vitrina.product_page.microdata import from_microdata
from vitrina.product_page.model import Fact, Found, Media, ProductPage
from vitrina.product_page.refs import base_url, resolver
from vitrina.product_page.text import language, sentences
from vitrina.product_page.visible import from_html
from vitrina.product_page.walker import Walker

_LONG_DESCRIPTION = 120  # characters; shorter descriptions already read as one selling point


def parse(html: str, base: str) -> ProductPage:
    """The page's product from every source, most trusted first (media are not required)."""
    parser = Walker()
    parser.feed(html)
    parser.close()
    parser.finish()
    page_url = base_url(base)
    base = urljoin(page_url, parser.base_href.strip()) if parser.base_href else page_url
    resolve = resolver(base)
    found = [
        from_jsonld(parser.jsonld, resolve),
        from_microdata(parser.microdata, resolve),
        from_meta(parser.metas, resolve),
        from_html(parser, resolve),
    ]
    facts = [f for part in found for f in part.facts]
    if not any(f.kind == "bullet" for f in facts):
        description = next((f for f in facts if f.kind == "description"), None)
        if description and len(description.text) > _LONG_DESCRIPTION:
            facts += [Fact("bullet", s, description.source) for s in sentences(description.text)]
    unique = unique_facts(facts)
    priced = next((part for part in found if part.price), Found())
    media = [m for part in found for m in part.media]
    return ProductPage(
        title=next((f.text for f in unique if f.kind == "title"), ""),
        language=language(f.text for f in unique),
        facts=unique,
        media=unique_media([m for m in media if m.kind == "image"] +
                           [m for m in media if m.kind == "video"]),
        price=priced.price,
        currency=priced.currency or next((p.currency for p in found if p.currency), None),
        url=page_url if urlsplit(page_url).scheme in ("http", "https") else None,
    )


def require_media(page: ProductPage, where: str) -> ProductPage:
    if not page.media:
        raise NoUsableMedia(
            f"{where} has no usable product image or video (icons, tracking pixels and SVGs "
            "do not count); use a page that shows the product, or a manifest listing images"
        )
    return page


def unique_facts(facts: Iterable[Fact]) -> tuple[Fact, ...]:
    """Each fact once: by its words, ignoring case, and by amount for prices ("109.00" is
    "109"), so that sources agreeing are not repeated and sources disagreeing both show."""
    seen: set[object] = set()
    unique = []
    for fact in facts:
        key = (prices.amount(fact.text) or fact.text) if fact.kind == "price" \
            else fact.text.casefold()
        if fact.text and key not in seen:
            seen.add(key)
            unique.append(fact)
    return tuple(unique)


def unique_media(media: Iterable[Media]) -> tuple[Media, ...]:
    seen: set[str] = set()
    unique = []
    for item in media:
        if item.ref not in seen:
            seen.add(item.ref)
            unique.append(item)
    return tuple(unique)
