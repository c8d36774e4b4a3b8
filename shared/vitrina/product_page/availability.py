"""Whether the product can be bought, as a schema.org ItemAvailability term.

Structured data names a term ("http://schema.org/InStock", "instock", "out of stock"); a
page without it still says so to its shoppers: an add-to-cart button that works means the
product can be ordered, and a line that only says "Sold out" or "Currently unavailable",
with no such button, means it cannot. Several offers (sizes, colours, sellers) make the
product available when any of them is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from vitrina.product_page.model import Sourced
from vitrina.product_page.walker import Button, Line

TERMS = ("InStock", "InStoreOnly", "OnlineOnly", "LimitedAvailability", "PreOrder", "PreSale",
         "BackOrder", "MadeToOrder", "OutOfStock", "SoldOut", "Discontinued", "Reserved")
# Terms under which the product cannot be ordered now.
UNAVAILABLE = frozenset({"OutOfStock", "SoldOut", "Discontinued", "Reserved"})
_BY_KEY = {t.lower(): t for t in TERMS}
# The words shops write instead of a term (OpenGraph's product:availability among them).
_SYNONYMS = {"in stock": "InStock", "available": "InStock", "available for order": "InStock",
             "oos": "OutOfStock", "out of stock": "OutOfStock", "sold out": "SoldOut",
             "preorder": "PreOrder", "pre-order": "PreOrder", "pending": "PreOrder",
             "backorder": "BackOrder", "in_stock": "InStock", "out_of_stock": "OutOfStock",
             "limited": "LimitedAvailability", "unavailable": "OutOfStock"}
_ADD_TO_CART = re.compile(
    r"^(?:add\s+to\s+(?:cart|bag|basket|trolley)|buy\s+(?:it\s+)?now|order\s+now|add\s+to\s+your"
    r"\s+(?:basket|bag|cart)|in\s+den\s+warenkorb|jetzt\s+kaufen|ajouter\s+au\s+panier"
    r"|añadir\s+al\s+carrito|agregar\s+al\s+carro|adicionar\s+ao\s+carrinho|comprar"
    r"|aggiungi\s+al\s+carrello|in\s+winkelwagen|do\s+košíka|do\s+koszyka|adaug[ăa]\s+[îi]n\s+co[șs]"
    r"|sepete\s+ekle|в\s+корзину|купить|加入購物車|加入购物车|立即購買|立即购买|馬上搶購|立即搶購"
    r"|カートに入れる|장바구니|구매하기|바로구매|put\s+it\s+in\s+your\s+basket|add)$", re.I)
_GONE = re.compile(
    r"^(?:(?:this\s+item\s+is\s+|currently\s+)?(?:out\s+of\s+stock|sold\s+out|unavailable)"
    r"|no\s+longer\s+available|not\s+available|ausverkauft|nicht\s+(?:verfügbar|lieferbar)"
    r"|agotado|esgotado|épuisé|indisponible|esaurito|uitverkocht|vyprodáno|vypredané"
    r"|brak\s+w\s+magazynie|stoc\s+epuizat|нет\s+в\s+наличии|缺貨|缺货|售完|已售完|已售罄|品切れ"
    r"|在庫切れ|품절|일시품절)[.!]?$", re.I)


def term(value: str) -> str | None:
    """The schema.org term a structured value names: a URL, a term, or a shop's words."""
    key = re.split(r"[/:]", value.strip())[-1].strip().lower()
    return _BY_KEY.get(key.replace(" ", "").replace("_", "")) or _SYNONYMS.get(key)


def combined(values: Iterable[str], source: str) -> Sourced | None:
    """One term for several offers: the first that can be ordered, else the first named."""
    terms = [t for t in map(term, values) if t]
    if not terms:
        return None
    return Sourced(next((t for t in terms if t not in UNAVAILABLE), terms[0]), source)


def visible(buttons: Sequence[Button], lines: Sequence[Line], has_main: bool) -> Sourced | None:
    """InStock when an enabled add-to-cart button shows, OutOfStock when a line says only
    that the product is gone and no such button shows; None when the page says neither."""
    for button in buttons:
        if (button.main or not has_main) and not button.disabled and _ADD_TO_CART.match(
                button.text):
            return Sourced("InStock", f"html:button '{button.text}'")
    for line in lines:
        text = line.text.strip()
        node = line.nodes[0][1] if line.nodes else None
        if node and (node.main or not has_main) and len(text) <= 60 and _GONE.match(text):
            return Sourced("OutOfStock", f"html:{node.selector} '{text}'")
    return None
