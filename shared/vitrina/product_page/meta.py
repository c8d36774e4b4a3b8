"""OpenGraph and product meta tags (og:title, product:price:amount, og:image, ...): less
precise than schema.org, but nearly every shop writes them for link previews."""

from __future__ import annotations

from urllib.parse import urlsplit

from vitrina.product_page import prices
from vitrina.product_page.model import Fact, Found, Media
from vitrina.product_page.refs import VIDEO_FILE, Resolve, is_svg
from vitrina.product_page.text import clean


def from_meta(metas: list[tuple[str, str]], resolve: Resolve) -> Found:
    def values(*keys: str) -> list[str]:
        return [v for k, v in metas if k in keys and v.strip()]

    def first(*keys: str) -> str:
        return next(iter(values(*keys)), "")

    price = prices.price(first("product:price:amount", "og:price:amount"))
    currency = prices.currency(first("product:price:currency", "og:price:currency"))
    facts = [
        Fact("title", clean(first("og:title")), "og:title"),
        Fact("brand", clean(first("product:brand", "og:brand")), "product:brand"),
        Fact("price", price or "", "product:price:amount"),
        Fact("description", clean(first("og:description")), "og:description"),
        Fact("description", clean(first("description")), "meta:description"),
    ]
    media = [Media("image", ref, "og:image")
             for ref in map(resolve, values("og:image", "og:image:url", "og:image:secure_url"))
             if ref and not is_svg(ref)]
    # og:video is often a player page (YouTube, Flash): only a video file or type will do.
    typed = any(t.lower().startswith("video/") for t in values("og:video:type"))
    media += [Media("video", ref, "og:video")
              for ref in map(resolve, values("og:video", "og:video:url", "og:video:secure_url"))
              if ref and (typed or VIDEO_FILE.search(urlsplit(ref).path))]
    return Found(tuple(f for f in facts if f.text), tuple(media), price, currency)
