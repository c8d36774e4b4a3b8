"""schema.org JSON-LD: the Product a page declares in <script type="application/ld+json">.

Trusted before anything else on the page: shops write it for search engines, in a schema
with a name for every field. Real blocks are often broken (CDATA wrappers, raw newlines,
trailing junk, @graph with @id references), so loading is forgiving and one bad block never
loses the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from vitrina.product_page import prices
from vitrina.product_page.model import Fact, Found, Media
from vitrina.product_page.refs import Resolve, is_svg
from vitrina.product_page.text import clean

_PRODUCT_TYPES = frozenset(
    {"product", "productgroup", "productmodel", "individualproduct", "someproducts"}
)
_CDATA = re.compile(r"^\s*(?:/\*\s*<!\[CDATA\[\s*\*/|//\s*<!\[CDATA\[|<!\[CDATA\[|<!--)|"
                    r"(?:/\*\s*\]\]>\s*\*/|//\s*\]\]>|\]\]>|-->)\s*$")


_MAX_JSON_DEPTH = 64  # real JSON-LD nests a dozen levels; deeper is built to exhaust the stack


def _load_json(block: str) -> Any:
    """The block's JSON, tolerating CDATA/comment wrappers, raw newlines in strings and
    trailing junk; None when it is still not JSON (one broken block must not lose the page)."""
    text = _CDATA.sub("", block).strip()
    try:
        document = json.JSONDecoder(strict=False, parse_float=Decimal).raw_decode(text)[0]
    except (ValueError, RecursionError):
        return None
    return document if _shallow(document) else None


def _shallow(document: Any) -> bool:
    """Whether nothing nests deeper than _MAX_JSON_DEPTH (checked without recursion)."""
    pending = [(document, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > _MAX_JSON_DEPTH:
            return False
        children = node.values() if isinstance(node, dict) else node if isinstance(
            node, list) else ()
        pending += [(child, depth + 1) for child in children]
    return True


def _is_product(node: dict[str, Any]) -> bool:
    types = node.get("@type", [])
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str) and kind.rsplit("/", 1)[-1].lower() in _PRODUCT_TYPES:
            return True
    return False


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)


def _products(node: Any) -> Iterator[dict[str, Any]]:
    """Products in document order, not looking inside one (its isRelatedTo etc. are others)."""
    if isinstance(node, list):
        for item in node:
            yield from _products(item)
    elif isinstance(node, dict):
        if _is_product(node):
            yield node
        else:
            for value in node.values():
                yield from _products(value)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), "")
    if isinstance(value, dict):
        return _text(value.get("@value", value.get("name")))
    if value is None or isinstance(value, bool):
        return ""
    return clean(str(value))


def _urls(value: Any) -> list[str]:
    """Image/video URLs from a string, an ImageObject/VideoObject, or a list of either."""
    urls = []
    for item in _items(value):
        if isinstance(item, dict):
            item = item.get("contentUrl") or item.get("url")
            urls += _urls(item)
        elif isinstance(item, str) and item.strip():
            urls.append(item.strip())
    return urls


def from_jsonld(blocks: list[str], resolve: Resolve) -> Found:
    documents = [doc for doc in map(_load_json, blocks) if doc is not None]
    by_id = {n["@id"]: n for n in _walk(documents) if isinstance(n.get("@id"), str) and len(n) > 2}

    def deref(value: Any) -> Any:
        """A {"@id": ...} reference as the node it names (a @graph splits Product/Offer)."""
        if isinstance(value, list):
            return [deref(v) for v in value]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return by_id.get(value["@id"], value)
        return value

    product = next(_products(documents), None)
    if product is None:
        return Found()

    def get(key: str) -> Any:
        return deref(product.get(key))

    facts = [Fact("title", _text(get("name")), "json-ld:Product.name"),
             Fact("brand", _text(get("brand")), "json-ld:Product.brand")]
    price, currency = _offer(deref, get("offers"))
    if price:
        facts.append(Fact("price", price, "json-ld:Product.offers.price"))
    facts.append(Fact("description", _text(get("description")), "json-ld:Product.description"))
    rating = rating_text(get("aggregateRating"))
    if rating:
        facts.append(Fact("rating", rating, "json-ld:Product.aggregateRating"))
    for prop in _items(get("additionalProperty")):
        prop = deref(prop)
        if isinstance(prop, dict) and _text(prop.get("name")) and _text(prop.get("value")):
            text = f"{_text(prop.get('name'))}: {_text(prop.get('value'))}"
            unit = _text(prop.get("unitText"))
            facts.append(Fact("attribute", f"{text} {unit}" if unit else text,
                              "json-ld:Product.additionalProperty"))
    media = [Media("image", ref, "json-ld:Product.image")
             for ref in map(resolve, _urls(get("image"))) if ref and not is_svg(ref)]
    videos = [v.get("contentUrl") if isinstance(v, dict) else v for v in _items(get("video"))]
    media += [Media("video", ref, "json-ld:Product.video") for ref in map(resolve, _urls(videos))
              if ref]
    return Found(tuple(f for f in facts if f.text), tuple(media), price, currency)


def _offer(deref: Callable[[Any], Any], offers: Any) -> tuple[str | None, str | None]:
    """The first priced Offer/AggregateOffer (price or lowPrice, or its priceSpecification)."""
    for offer in _items(offers):
        offer = deref(offer)
        if not isinstance(offer, dict):
            continue
        for source in [offer, *map(deref, _items(offer.get("priceSpecification")))]:
            if not isinstance(source, dict):
                continue
            price = prices.price(_text(source.get("price") or source.get("lowPrice")))
            if price:
                currency = source.get("priceCurrency", offer.get("priceCurrency"))
                return price, prices.currency(_text(currency))
        nested = _offer(deref, offer.get("offers"))
        if nested[0]:
            return nested
    return None, None


def rating_text(rating: Any) -> str:
    """ "4.4/5 (89)": the value, out of what, and how many people gave it."""
    if not isinstance(rating, dict) or not _text(rating.get("ratingValue")):
        return ""
    text = _text(rating.get("ratingValue"))
    best = _text(rating.get("bestRating"))
    count = _text(rating.get("reviewCount", rating.get("ratingCount")))
    return text + (f"/{best}" if best else "") + (f" ({count})" if count else "")

