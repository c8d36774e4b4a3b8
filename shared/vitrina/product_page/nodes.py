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
from functools import lru_cache
from typing import NamedTuple

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
               "barcode": "gtin", "isbn": "gtin", "brand": "brand", "description": "description"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SCHEMA_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:)", re.I)
PRODUCT_TYPE = re.compile(r"(?:^|[\s/:])(?:Product|ProductGroup|ProductModel|IndividualProduct"
                          r"|SomeProducts)(?:$|\s)", re.I)
OFFER_TYPE = re.compile(r"(?:^|[\s/:])(?:Offer|AggregateOffer)(?:$|\s)", re.I)


class Node(NamedTuple):
    """One open element and what it means for its content (inherited down the stack); a
    named tuple because a page opens tens of thousands of them."""

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


@lru_cache(maxsize=8192)
def _named(names: str) -> tuple[bool, bool, str]:
    """What class names and ids say ("oldPrice" is the words old, price): whether they
    name a price, another amount, and what the element holds ("sku", "brand", ...)."""
    found = [w.lower() for w in _WORD.findall(names)]
    hint = ""
    for i, word in enumerate(found):
        if word in _HINT_WORDS:
            hint = _HINT_WORDS[word]
            break
        if word in _CODE_WORDS and i and found[i - 1] in _CODE_NOUNS:
            hint = "sku"
            break
    return bool(_PRICE_WORDS.intersection(found)), bool(_ASIDE_WORDS.intersection(found)), hint


def selector(tag: str, attrs: dict[str, str]) -> str:
    """A short CSS selector for provenance: the tag with its id, else its first class."""
    if attrs.get("id", "").strip():
        return f"{tag}#{attrs['id'].split()[0]}"
    classes = attrs.get("class", "").split()
    return f"{tag}.{classes[0]}" if classes else tag


def _hidden(attrs: dict[str, str]) -> bool:
    """Whether an element is hidden by its own attributes (stylesheets are not read)."""
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def prop_names(attrs: dict[str, str]) -> list[str]:
    """The itemprop (microdata) or property (RDFa) names of an element, without a schema.org
    prefix; OpenGraph's "og:"/"product:" properties are not schema.org properties."""
    raw = attrs.get("itemprop") or attrs.get("property")
    if not raw:
        return []
    return [_SCHEMA_PREFIX.sub("", name) for name in raw.split() if ":" not in
            _SCHEMA_PREFIX.sub("", name)]


def child(tag: str, attrs: dict[str, str], parent: Node, path: tuple[str, ...] | None) -> Node:
    """The node for an element opening inside ``parent``."""
    role = attrs.get("role", "").lower()
    names = [v for k, v in attrs.items() if k in ("class", "id") or k.startswith("data-qa")]
    own_price, aside, hint = _named(" ".join(names)) if names else (False, False, "")
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
        aside=parent.aside or tag in STRUCK_TAGS or (aside and (own_price or parent.priced)),
        priced=parent.priced or own_price,
        hint=hint,
        path=path,
    )


def size(attrs: dict[str, str], side: str) -> int | None:
    """An image's declared width or height in pixels, from its attribute or inline style
    (tracking pixels use either); None when it is not given in pixels."""
    match = re.fullmatch(r"\s*(\d+)(?:\.\d*)?\s*(?:px)?\s*", attrs.get(side, "")) or re.search(
        rf"(?:^|;)\s*{side}\s*:\s*(\d+)(?:\.\d*)?px", attrs.get("style", ""), re.I)
    return int(match.group(1)) if match else None
