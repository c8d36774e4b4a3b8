"""OpenGraph and product meta tags (og:title, product:price:amount, og:image, ...): less
precise than schema.org, but nearly every shop writes them for link previews and catalogue
feeds (Facebook's product:retailer_item_id, product:availability, ...)."""

from __future__ import annotations

from urllib.parse import urlsplit

from vitrina.product_page import availability, identifiers, prices
from vitrina.product_page.model import Fact, Found, Media, Sourced
from vitrina.product_page.refs import VIDEO_FILE, Resolve, is_svg
from vitrina.product_page.text import clean

# The current price first: a sale price, when a page gives one, is what the product costs.
_PRICE_KEYS = ("product:sale_price:amount", "product:price:amount", "og:price:amount",
               "og:price", "product:price")
_CURRENCY_KEYS = ("product:sale_price:currency", "product:price:currency", "og:price:currency")
_SKU_KEYS = ("product:retailer_item_id", "product:sku", "og:sku", "sku")
_GTIN_KEYS = ("product:gtin", "product:ean", "product:upc", "product:isbn", "og:ean", "og:upc")
_MPN_KEYS = ("product:mfr_part_no", "product:mpn")


def from_meta(metas: list[tuple[str, str]], resolve: Resolve, country: str = "") -> Found:
    """What the meta tags say; ``country`` decides what a "$" in a price field means."""
    def values(*keys: str) -> list[str]:
        return [v for k, v in metas if k in keys and v.strip()]

    def first(*keys: str) -> tuple[str, str]:
        """The first of ``keys`` the page fills, and its value."""
        return next(((k, v) for k, v in metas if k in keys and v.strip()), ("", ""))

    currency = first(*_CURRENCY_KEYS)
    found_prices = [p for key in _PRICE_KEYS for value in values(key)[:1]
                    if (p := prices.written(value, currency[1], country, key))]
    brand = clean(first("product:brand", "og:brand", "brand")[1])
    facts = [
        Fact("title", clean(first("og:title")[1]), "og:title"),
        Fact("brand", brand, "product:brand"),
        Fact("price", found_prices[0].shown if found_prices else "", "product:price:amount"),
        Fact("description", clean(first("og:description")[1]), "og:description"),
        Fact("description", clean(first("description")[1]), "meta:description"),
    ]
    media = [Media("image", ref, "og:image")
             for ref in map(resolve, values("og:image", "og:image:url", "og:image:secure_url"))
             if ref and not is_svg(ref)]
    # og:video is often a player page (YouTube, Flash): only a video file or type will do.
    typed = any(t.lower().startswith("video/") for t in values("og:video:type"))
    media += [Media("video", ref, "og:video")
              for ref in map(resolve, values("og:video", "og:video:url", "og:video:secure_url"))
              if ref and (typed or VIDEO_FILE.search(urlsplit(ref).path))]
    stock = first("product:availability", "og:availability", "availability")
    return Found(
        facts=tuple(f for f in facts if f.text),
        media=tuple(media),
        prices=tuple(found_prices),
        currency=Sourced(prices.currency(currency[1]) or "", currency[0]) if currency[1]
        else None,
        brand=Sourced(brand, "product:brand") if brand else None,
        availability=availability.combined([stock[1]], stock[0]),
        skus=tuple(Sourced(c, k) for k in _SKU_KEYS for v in values(k)[:1]
                   if (c := identifiers.stated_code(v))),
        gtins=tuple(Sourced(g, k) for k in _GTIN_KEYS for v in values(k)[:1]
                    if (g := identifiers.gtin(v))),
        mpns=tuple(Sourced(c, k) for k in _MPN_KEYS for v in values(k)[:1]
                   if (c := identifiers.stated_code(v))),
        descriptions=tuple(Sourced(d, k) for k in ("og:description", "description")
                           for v in values(k)[:1] if (d := clean(v))),
    )
