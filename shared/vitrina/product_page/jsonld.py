"""schema.org JSON-LD: the Product a page declares in <script type="application/ld+json">.

Trusted before anything else on the page: shops write it for search engines, in a schema
with a name for every field. Real blocks are often broken (CDATA wrappers, raw newlines,
trailing junk, @graph with @id references), so loading is forgiving and one bad block never
loses the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from vitrina.product_page import availability, identifiers, prices
from vitrina.product_page.model import Attribute, Fact, Found, Media, Price, Sourced
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
    """Whether a node's @type (a name, a URL or a list of them) is a kind of Product."""
    types = node.get("@type", [])
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str) and kind.rsplit("/", 1)[-1].lower() in _PRODUCT_TYPES:
            return True
    return False


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a document, depth first (documents are checked shallow first)."""
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


def _get(node: dict[str, Any], key: str) -> Any:
    """``node[key]``, or under another spelling of it ("lowprice", "productId"): shops'
    generators get the case of schema.org names wrong often enough to matter."""
    if key in node:
        return node[key]
    folded = key.casefold()
    return next((v for k, v in node.items() if k.casefold() == folded), None)


def _items(value: Any) -> list[Any]:
    """A property's values as a list: JSON-LD writes one value bare, several as a list."""
    return value if isinstance(value, list) else [] if value is None else [value]


def _text(value: Any) -> str:
    """A property's text: a value object's @value, a thing's name, the first of a list."""
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


# schema.org Product properties that are attributes in themselves, and those naming a GTIN
# (microdata reads the same names).
SIMPLE_PROPERTIES = ("color", "material", "pattern", "size", "weight", "width", "height",
                     "depth")
GTIN_KEYS = ("gtin", "gtin14", "gtin13", "gtin12", "gtin8", "isbn")
_SRC = "json-ld:Product"


class _Graph:
    """The page's JSON-LD documents, with {"@id": ...} references resolved on reading."""

    def __init__(self, blocks: list[str]) -> None:
        self.documents = [doc for doc in map(_load_json, blocks) if doc is not None]
        self.by_id = {n["@id"]: n for n in _walk(self.documents)
                      if isinstance(n.get("@id"), str) and len(n) > 2}

    def deref(self, value: Any) -> Any:
        """A {"@id": ...} reference as the node it names (a @graph splits Product/Offer)."""
        if isinstance(value, list):
            return [self.deref(v) for v in value]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.by_id.get(value["@id"], value)
        return value

    def get(self, node: dict[str, Any], key: str) -> Any:
        return self.deref(_get(node, key))

    def nodes(self, node: dict[str, Any], key: str) -> list[dict[str, Any]]:
        return [n for n in map(self.deref, _items(_get(node, key))) if isinstance(n, dict)]


def from_jsonld(blocks: list[str], resolve: Resolve) -> Found:
    """What the page's first Product says; its variants (a ProductGroup's hasVariant, or
    further Products of the same name: one per size or colour) count for its offers."""
    graph = _Graph(blocks)
    products = list(_products(graph.documents))
    if not products:
        return Found()
    product = products[0]
    name = _text(graph.get(product, "name"))
    variants = graph.nodes(product, "hasVariant") + [
        p for p in products[1:] if name and _text(graph.get(p, "name")) == name]
    offers = [o for p in (product, *variants) for o in _offers(graph, p)]
    found_prices = tuple(_prices(graph, offers))
    currency = next((c for o in offers if (c := _text(_get(o, "priceCurrency")))), "")
    brand = _text(graph.get(product, "brand"))  # a Brand's (or Organization's) name, or text
    description = _text(graph.get(product, "description"))
    attributes = _attributes(graph, product)
    rating = rating_text(graph.get(product, "aggregateRating"))
    facts = [Fact("title", name, f"{_SRC}.name"), Fact("brand", brand, f"{_SRC}.brand")]
    if found_prices:
        facts.append(Fact("price", found_prices[0].shown, f"{_SRC}.offers.price"))
    facts.append(Fact("description", description, f"{_SRC}.description"))
    if rating:
        facts.append(Fact("rating", rating, f"{_SRC}.aggregateRating"))
    facts += [Fact("attribute", f"{a.name}: {a.value}", a.source) for a in attributes
              if a.source.endswith("additionalProperty")]
    media = [Media("image", ref, f"{_SRC}.image")
             for ref in map(resolve, _urls(graph.get(product, "image"))) if ref and not is_svg(ref)]
    videos = [v.get("contentUrl") if isinstance(v, dict) else v
              for v in _items(graph.get(product, "video"))]
    media += [Media("video", ref, f"{_SRC}.video") for ref in map(resolve, _urls(videos)) if ref]
    return Found(
        facts=tuple(f for f in facts if f.text),
        media=tuple(media),
        prices=found_prices,
        currency=Sourced(prices.currency(currency) or "", f"{_SRC}.offers.priceCurrency")
        if currency else None,
        brand=Sourced(brand, f"{_SRC}.brand") if brand else None,
        availability=availability.combined(
            (_text(_get(o, "availability")) for o in offers), f"{_SRC}.offers.availability"),
        skus=tuple(_codes(graph, product, offers)),
        gtins=tuple(Sourced(g, f"{_SRC}.{key}") for node in (product, *offers)
                    for key in GTIN_KEYS if (g := identifiers.gtin(_text(_get(node, key))))),
        mpns=tuple(Sourced(m, f"{_SRC}.mpn") for m in [_text(graph.get(product, "mpn"))] if m),
        attributes=tuple(attributes),
        descriptions=(Sourced(description, f"{_SRC}.description"),) if description else (),
    )


def _offers(graph: _Graph, product: dict[str, Any]) -> list[dict[str, Any]]:
    """A product's Offers, an AggregateOffer's own offers after it."""
    offers = []
    for offer in graph.nodes(product, "offers"):
        offers.append(offer)
        offers += graph.nodes(offer, "offers")
    return offers


def _prices(graph: _Graph, offers: list[dict[str, Any]]) -> list[Price]:
    """Each offer's price (or lowPrice, or its priceSpecification's), in offer order."""
    found: list[Price] = []
    for offer in offers:
        for source in (offer, *graph.nodes(offer, "priceSpecification")):
            for key in ("price", "lowPrice"):
                value = _get(source, key)
                if isinstance(value, dict):  # {"@value": 19.5} or a {"value": ...} object
                    value = value.get("@value", value.get("value"))
                currency = _text(_get(source, "priceCurrency") or _get(offer, "priceCurrency"))
                stated = prices.stated(value, currency, f"{_SRC}.offers.{key}")
                if stated and stated.amount not in {p.amount for p in found}:
                    found.append(stated)
    return found


def _codes(graph: _Graph, product: dict[str, Any], offers: list[dict[str, Any]]
           ) -> list[Sourced]:
    """SKU candidates: the product's sku, its productID (without a "sku:" style prefix), then
    an offer's sku."""
    found = [(_text(graph.get(product, "sku")), f"{_SRC}.sku"),
             (re.sub(r"^[a-z]+:", "", _text(graph.get(product, "productID"))),
              f"{_SRC}.productID")]
    found += [(_text(_get(offer, "sku")), f"{_SRC}.offers.sku") for offer in offers[:1]]
    return [Sourced(code, source) for text, source in found
            if (code := identifiers.stated_code(text))]


def _attributes(graph: _Graph, product: dict[str, Any]) -> list[Attribute]:
    """additionalProperty name/value pairs (with their unit), then plain properties such as
    color, material or weight."""
    found = []
    for prop in graph.nodes(product, "additionalProperty"):
        name, value = _text(prop.get("name")), _text(prop.get("value"))
        unit = _text(prop.get("unitText"))
        if name and value:
            found.append(Attribute(name, f"{value} {unit}" if unit else value,
                                   f"{_SRC}.additionalProperty"))
    for key in SIMPLE_PROPERTIES:
        value = graph.get(product, key)
        if isinstance(value, dict):  # a QuantitativeValue
            value = " ".join(t for t in (_text(value.get("value")),
                                         _text(value.get("unitText") or value.get("unitCode")))
                             if t)
        text = _text(value)
        if text:
            found.append(Attribute(key, text, f"{_SRC}.{key}"))
    return found


def rating_text(rating: Any) -> str:
    """ "4.4/5 (89)": the value, out of what, and how many people gave it."""
    if not isinstance(rating, dict) or not _text(rating.get("ratingValue")):
        return ""
    text = _text(rating.get("ratingValue"))
    best = _text(rating.get("bestRating"))
    count = _text(rating.get("reviewCount", rating.get("ratingCount")))
    return text + (f"/{best}" if best else "") + (f" ({count})" if count else "")
