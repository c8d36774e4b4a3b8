"""What one HTML element means for everything inside it, read from its tag and attributes
once, when it opens: navigation or product, visible or hidden, a current price or a
crossed-out one (or shipping), a Product scope of microdata or RDFa, a code or a brand by
its class name.

Class names are read as words ("product-price__old" is product, price, old; "oldPrice" is
old, price), so "bold" is never "old". The word lists are shop-neutral vocabulary in the
languages pages use for their class names (English, mostly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "menu", "menubar"})
SECTIONING = frozenset({"main", "article", "section"})
STRUCK_TAGS = frozenset({"del", "s", "strike"})
_PRICE_WORDS = frozenset({"price", "prices", "pricing", "preis", "prix", "precio", "preco",
                          "prezzo", "cena", "amount"})
# Class words that make a price some other amount: a former one, shipping, an instalment.
_ASIDE_WORDS = frozenset({"old", "was", "before", "compare", "strike", "strikethrough",
                          "crossed", "rrp", "uvp", "msrp", "previous", "original", "initial",
                          "del", "shipping", "delivery", "installment", "instalment", "monthly",
                          "unit", "save", "saving", "savings"})
_CODE_NOUNS = frozenset({"product", "item", "article", "style", "catalog", "catalogue"})
_CODE_WORDS = frozenset({"code", "ref", "reference", "number", "no", "nr", "id"})
_HINT_WORDS = {"sku": "sku", "mpn": "mpn", "gtin": "gtin", "ean": "gtin", "upc": "gtin",
               "barcode": "gtin", "isbn": "gtin", "brand": "brand", "manufacturer": "brand",
               "description": "description"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SCHEMA_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:)", re.I)
PRODUCT_TYPE = re.compile(r"(?:^|[\s/:])(?:Product|ProductGroup|ProductModel|IndividualProduct"
                          r"|SomeProducts)(?:$|\s)", re.I)
OFFER_TYPE = re.compile(r"(?:^|[\s/:])(?:Offer|AggregateOffer)(?:$|\s)", re.I)


@dataclass(frozen=True)
class Node:
    """One open element and what it means for its content (inherited down the stack)."""

    tag: str
    selector: str = ""  # "span.price", "div#sku", "table": to name where a value came from
    chrome: bool = False  # inside navigation, a site header or footer: not about the product
    main: bool = False  # inside <main> / role=main
    sectioning: bool = False  # inside main/article/section: <header>/<footer> are not site-wide
    link: bool = False  # inside <a>
    video: bool = False  # inside <video>
    svg: bool = False  # inside <svg>
    hidden: bool = False  # hidden attribute, display:none, <template>, <noscript>
    aside: bool = False  # <del>/<s>, or a class saying old price, shipping...: not the price
    priced: bool = False  # inside an element whose class or id says "price"
    hint: str = ""  # "sku" | "mpn" | "gtin" | "brand" | "description": this element holds one
    path: tuple[str, ...] | None = None  # props of the scopes from the first Product down


@lru_cache(maxsize=4096)
def words(value: str) -> tuple[str, ...]:
    """The lower-case words of class names or ids ("oldPrice" -> old, price)."""
    return tuple(w.lower() for w in _WORD.findall(value))


def _hint(names: tuple[str, ...]) -> str:
    for i, word in enumerate(names):
        if word in _HINT_WORDS:
            return _HINT_WORDS[word]
        if word in _CODE_WORDS and i and names[i - 1] in _CODE_NOUNS:
            return "sku"
    return ""


def selector(tag: str, attrs: dict[str, str]) -> str:
    """A short CSS selector for provenance: the tag with its id, else its first class."""
    if attrs.get("id", "").strip():
        return f"{tag}#{attrs['id'].split()[0]}"
    classes = attrs.get("class", "").split()
    return f"{tag}.{classes[0]}" if classes else tag


def _hidden(attrs: dict[str, str]) -> bool:
    style = attrs.get("style", "").replace(" ", "").lower()
    return "hidden" in attrs or "display:none" in style or "visibility:hidden" in style


def prop_names(attrs: dict[str, str]) -> list[str]:
    """The itemprop (microdata) or property (RDFa) names of an element, without a schema.org
    prefix; OpenGraph's "og:"/"product:" properties are not schema.org properties."""
    raw = attrs.get("itemprop") or attrs.get("property") or ""
    return [_SCHEMA_PREFIX.sub("", name) for name in raw.split() if ":" not in
            _SCHEMA_PREFIX.sub("", name)]


def child(tag: str, attrs: dict[str, str], parent: Node, path: tuple[str, ...] | None) -> Node:
    """The node for an element opening inside ``parent``."""
    role = attrs.get("role", "").lower()
    names = words(" ".join((attrs.get("class", ""), attrs.get("id", ""),
                            *(v for k, v in attrs.items() if k.startswith("data-qa")))))
    own_price = bool(_PRICE_WORDS.intersection(names))
    return Node(
        tag,
        selector=selector(tag, attrs),
        chrome=parent.chrome or tag == "nav" or role in CHROME_ROLES or (
            tag in ("header", "footer") and not parent.sectioning),
        main=parent.main or tag == "main" or role == "main",
        sectioning=parent.sectioning or tag in SECTIONING or role == "main",
        link=parent.link or tag == "a",
        video=parent.video or tag == "video",
        svg=parent.svg or tag == "svg",
        hidden=parent.hidden or tag in ("template", "noscript", "title") or _hidden(attrs),
        aside=parent.aside or tag in STRUCK_TAGS or (
            bool(_ASIDE_WORDS.intersection(names)) and (own_price or parent.priced)),
        priced=parent.priced or own_price,
        hint=_hint(names),
        path=path,
    )


def size(attrs: dict[str, str], side: str) -> int | None:
    """An image's declared width or height in pixels, from its attribute or inline style
    (tracking pixels use either); None when it is not given in pixels."""
    match = re.fullmatch(r"\s*(\d+)(?:\.\d*)?\s*(?:px)?\s*", attrs.get(side, "")) or re.search(
        rf"(?:^|;)\s*{side}\s*:\s*(\d+)(?:\.\d*)?px", attrs.get("style", ""), re.I)
    return int(match.group(1)) if match else None
