"""Putting the sources together into one ProductPage, each field from the source most
likely to be right about it, and each value with the source it came from.

Structured data (JSON-LD, then microdata or RDFa, then meta tags) is trusted before the
visible markup, with two exceptions the pages themselves argue for: where structured sources
name several prices, the one the page shows as its price wins (a starting bid, a list
price or a variant's price may sit in the markup too); and a code the page prints, beside a
"SKU"/"Item #" (or "MPN"/"Model #") label or in an element named for it, comes before a
structured ``sku`` (``mpn``) field, which platforms fill with internal ids. Then the page's
URL and scripts, for a SKU the page does not print.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from vitrina.errors import NoUsableMedia
from vitrina.product_page import identifiers, prices, tables
from vitrina.product_page.images import page_media
from vitrina.product_page.jsonld import from_jsonld
from vitrina.product_page.meta import from_meta
from vitrina.product_page.microdata import from_microdata
from vitrina.product_page.model import Fact, Media, Price, ProductPage, Sourced
from vitrina.product_page.refs import base_url, resolver
from vitrina.product_page.text import language, sentences
from vitrina.product_page.visible import from_html
from vitrina.product_page.walker import Walker

_LONG_DESCRIPTION = 120  # characters; shorter descriptions already read as one selling point


def parse(html: str, base: str) -> ProductPage:
    """The page's product from every source, most trusted first (media are not required)."""
    walker = Walker()
    walker.feed(html)
    walker.close()
    walker.finish()
    page_url = base_url(base)
    base = urljoin(page_url, walker.base_href.strip()) if walker.base_href else page_url
    resolve = resolver(base)
    web_url = page_url if urlsplit(page_url).scheme in ("http", "https") else None
    where = country(walker.lang, web_url)
    structured = [
        from_jsonld(walker.jsonld, resolve),
        from_microdata(walker.microdata, resolve, walker.syntax or "microdata"),
        from_meta(walker.metas, resolve, where),
    ]
    shown = from_html(walker, resolve, where)
    found = [*structured, shown]
    facts = [f for part in found for f in part.facts]
    points = [Sourced(f.text, f.source) for f in facts if f.kind == "bullet"]
    if not points:
        description = next((f for f in facts if f.kind == "description"), None)
        if description and len(description.text) > _LONG_DESCRIPTION:
            points = [Sourced(s, description.source) for s in sentences(description.text)]
            facts += [Fact("bullet", p.value, p.source) for p in points]
    unique = unique_facts(facts)
    media = [m for part in found for m in part.media]
    price = choose_price([p for part in structured for p in part.prices], shown.prices)
    currency = next((part.currency for part in found if part.currency), None)
    if price and price.currency and (not currency or currency.value != price.currency):
        currency = Sourced(price.currency, price.source)  # the price's own symbol or field
    return ProductPage(
        title=next((f.text for f in unique if f.kind == "title"), ""),
        language=language(f.text for f in unique),
        facts=unique,
        media=unique_media([m for m in media if m.kind == "image"] +
                           [m for m in media if m.kind == "video"]),
        price=price.shown if price else None,
        currency=currency.value if currency else None,
        url=web_url,
        brand=_first(part.brand for part in found),
        price_amount=Sourced(str(price.amount), price.source) if price else None,
        price_currency=currency,
        availability=_first(part.availability for part in found),
        sku=_first([*shown.skus, *(c for part in structured for c in part.skus),
                    identifiers.from_url(web_url)]) or identifiers.from_scripts(html),
        gtin=_first(g for part in found for g in part.gtins),
        mpn=_first([*shown.mpns, *(c for part in structured for c in part.mpns)]),
        attributes=tuple(a for part in found for a in part.attributes),
        selling_points=_unique_values(points),
        descriptions=_unique_values(d for part in found for d in part.descriptions),
        tables=tables.tables(walker.tables),
        page_media=unique_media(page_media(walker, resolve) + media),
    )


def choose_price(structured: list[Price], shown: list[Price]) -> Price | None:
    """The structured price the page shows most prominently, else the first structured
    price, else the most prominent price the page shows."""
    stated = {p.amount: p for p in reversed(structured)}
    return next((stated[p.amount] for p in shown if p.amount in stated),
                structured[0] if structured else shown[0] if shown else None)


def country(lang: str, url: str | None) -> str:
    """The page's country, two lower-case letters, from its language tag ("zh-TW") or its
    domain (".cl"); "" when neither says. It decides what "$" or "元" means."""
    region = lang.replace("_", "-").split("-")[1:2]
    if region and len(region[0]) == 2:
        return region[0].lower()
    host = urlsplit(url or "").hostname or ""
    tld = host.rsplit(".", 1)[-1]
    return tld if len(tld) == 2 and tld.isalpha() else ""


def _first(values: Iterable[Sourced | None]) -> Sourced | None:
    """The first value given, the candidates coming most trusted first."""
    return next((v for v in values if v and v.value), None)


def _unique_values(values: Iterable[Sourced]) -> tuple[Sourced, ...]:
    """Each text once (ignoring case), from its most trusted source."""
    seen: set[str] = set()
    unique = []
    for value in values:
        if value.value.casefold() not in seen:
            seen.add(value.value.casefold())
            unique.append(value)
    return tuple(unique)


def require_media(page: ProductPage, where: str) -> ProductPage:
    """The page, for products that show it (video): refused when it has no picture."""
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
    """Each picture or clip once, where it first appears (sources name the same ones)."""
    seen: set[str] = set()
    unique = []
    for item in media:
        if item.ref not in seen:
            seen.add(item.ref)
            unique.append(item)
    return tuple(unique)
