"""Prices as pages write them ("1.299,00", "¥199", "最低價$99元起", "30,000원~") and as values.

Structured data states a price in a field; the visible page states many numbers, and the
product's price is the one a shopper reads as it: written with a currency, in an element
whose class says price or after a word that says price, near the product's title, not
crossed out, not "was", "RRP" or "per month", not inside a link to another product.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from vitrina.product_page.model import Price
from vitrina.product_page.text import squash
from vitrina.product_page.walker import Line

_NUMBER = re.compile(r"\d(?:[\d.,'\u00a0\u202f ]*\d)?")
# ISO 4217 codes common enough on shop pages to be read as a currency when written out.
_CODES = frozenset({
    "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "RMB", "HKD", "TWD", "KRW", "INR", "PKR", "IDR",
    "MYR", "SGD", "THB", "VND", "PHP", "AUD", "NZD", "CAD", "MXN", "BRL", "ARS", "CLP", "COP",
    "PEN", "UYU", "RUB", "UAH", "BYN", "PLN", "CZK", "HUF", "RON", "BGN", "HRK", "RSD", "SEK",
    "NOK", "DKK", "ISK", "TRY", "ILS", "SAR", "AED", "QAR", "KWD", "EGP", "ZAR", "NGN", "KES",
    "MAD"})
# A symbol or word that fixes the currency; None where it depends on the country.
_SYMBOLS: dict[str, str | None] = {
    "€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "원": "KRW", "₽": "RUB", "руб": "RUB",
    "₪": "ILS", "₺": "TRY", "₫": "VND", "฿": "THB", "₴": "UAH", "zł": "PLN", "kč": "CZK",
    "lei": "RON", "ft": "HUF", "₦": "NGN", "₱": "PHP", "r$": "BRL", "us$": "USD",
    "nt$": "TWD", "hk$": "HKD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD",
    "s$": "SGD", "nz$": "NZD", "mx$": "MXN", "円": "JPY", "ر.س": "SAR", "د.إ": "AED",
    "лв": "BGN", "б.р.": "BYN", "$": None, "¥": None, "元": None, "kr": None, "rs": None,
    "rs.": None, "₨": None,
}
# The currency of an ambiguous symbol in a country (from the page's language or its domain).
_LOCAL = {
    "$": {"ca": "CAD", "au": "AUD", "nz": "NZD", "sg": "SGD", "hk": "HKD", "tw": "TWD",
          "mx": "MXN", "ar": "ARS", "cl": "CLP", "co": "COP", "uy": "UYU", "": "USD"},
    "¥": {"cn": "CNY", "jp": "JPY", "": "JPY"},
    "元": {"tw": "TWD", "hk": "HKD", "": "CNY"},
    "kr": {"se": "SEK", "no": "NOK", "dk": "DKK", "is": "ISK", "": "SEK"},
    "rs": {"pk": "PKR", "lk": "LKR", "np": "NPR", "": "INR"},
}
_SYMBOL = "|".join(re.escape(s) for s in sorted([*_SYMBOLS, *_CODES], key=len, reverse=True))
# Thousands grouped by a separator (a plain space only before exactly three digits), or not.
_AMOUNT = (r"\d{1,3}(?:(?:[.,'\u00a0\u202f]|\s(?=\d{3}(?!\d)))\d{3})+(?:[.,]\d{1,2})?"
           r"|\d+(?:[.,]\d{1,2})?")
# A price is a number with a currency before it or after it (a range "502,20 – 558,00 б.р."
# is its first number); "70$229.99" holds both readings, so both are searched.
_PRICED = (
    re.compile(rf"(?<![A-Za-z])(?P<symbol>{_SYMBOL})\s?(?P<num>{_AMOUNT})(?!\d)", re.I),
    re.compile(rf"(?<![0-9A-Za-z.,])(?P<num>{_AMOUNT})(?:\s?[–-]\s?(?:{_AMOUNT}))?\s?"
               rf"(?P<symbol>{_SYMBOL})(?![a-z])", re.I),
)
# Words before a number that say it is the price, or that it is some other amount.
_SAYS_PRICE = re.compile(r"\b(?:price|preis|prix|precio|preço|prezzo|cena|цена|fiyat|harga|giá"
                         r"|now|sale|deal)|價|价|가격|판매가|価格", re.I)
_SAYS_OTHER = re.compile(
    r"\b(?:was|before|rrp|uvp|msrp|list\s+price|regular|original|compare|statt|vorher|ehemals"
    r"|antes|prima|avant|save|saving|ahorra|spare|économisez|estimate|shipping|delivery"
    r"|versand|per\s+month|monthly|a\s+month|/\s*mo|installments?|starting\s+(?:bid|price))\b"
    r"|原價|原价|建議售價|建议售价|市價|市价|參考價|参考价|定價|定价|정가|省|每期|運費|运费", re.I)
# Words just after a number that make it a threshold or a rate, not the price.
_OTHER_AFTER = re.compile(r"\s*(?:/\s*(?:mo|month)\b|per\s+month|a\s+month|off\b|以上|免運|免运)",
                          re.I)
_LABEL_REACH = 40  # characters before a number in which a word labels it
_MAX_LINE = 400  # characters; a longer line is running text, not a price
_MAX_FIELD = 100  # characters of a price field read; a longer one is not a price
_NEAR = 30  # lines after the title within which a price is near it


def price(text: str) -> str | None:
    """The number in a price as the page writes it ("1.299,00"), or None for none or zero
    (shops put 0 where they have no price)."""
    match = _NUMBER.search(text)
    if not match or not any(c in "123456789" for c in match.group()):
        return None
    return match.group().strip()


def amount(price: str) -> Decimal | None:
    """The value of a price written either way ("1,299.00", "1.299,00", "1 299"): the last
    separator is the decimal one unless it is repeated or three digits follow it."""
    digits = re.sub(r"[^\d.,]", "", price)
    last = max(digits.rfind("."), digits.rfind(","))
    if last >= 0:
        sep = digits[last]
        decimal = digits.count(sep) == 1 and len(digits) - last - 1 != 3
        whole = re.sub(r"[.,]", "", digits[:last])
        digits = f"{whole}.{digits[last + 1:]}" if decimal else re.sub(r"[.,]", "", digits)
    try:
        return Decimal(digits) if digits else None
    except ArithmeticError:
        return None


def currency(text: str | None) -> str | None:
    """A currency a field names, upper-cased when it is a code ("usd" is "USD")."""
    code = squash(text or "")
    return (code.upper() if code.isascii() else code) or None


def stated(value: object, currency_code: str | None, source: str) -> Price | None:
    """A price a structured field states: a JSON number exactly as it is ("19.5" is 19.5,
    never 195), a string as a page writes one."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        try:
            exact = Decimal(value)
        except InvalidOperation:
            return None
        return Price(str(value), exact, currency(currency_code), source) if exact > 0 else None
    shown = price(value) if isinstance(value, str) else None
    value_of = amount(shown) if shown else None
    return Price(shown, value_of, currency(currency_code), source) if shown and value_of else None


def written(text: str, currency_code: str, country: str, source: str) -> Price | None:
    """A price a field writes as a page would ("30,000원~", "$19.99", "19.99"): its currency
    from the field's own symbol when it has one, else from ``currency_code``."""
    text = text[:_MAX_FIELD]
    match = next(iter(_priced(text)), None)
    if not match:
        return stated(text, currency_code or None, source)
    shown = match.group("num")
    value = amount(shown)
    code = currency_code or symbol_currency(match.group("symbol"), country)
    return Price(shown, value, currency(code), source) if value else None


def symbol_currency(symbol: str, country: str) -> str | None:
    """The ISO code of a currency symbol or code as written beside a price."""
    key = symbol.strip().lower()
    if key.upper() in _CODES:
        return "CNY" if key.upper() == "RMB" else key.upper()
    if _SYMBOLS.get(key):
        return _SYMBOLS[key]
    local = _LOCAL.get("rs" if key in ("rs.", "₨") else key)
    return local.get(country, local[""]) if local else None


def _says_other(before: str) -> bool:
    """Whether a word before a price makes it another amount. Such a word speaks for the
    prices that follow it ("was $560 / $355") but not past a bare number ("SAVE 70 $229")."""
    bare = functools.reduce(lambda text, pattern: pattern.sub(" ", text), _PRICED, before)
    return bool(_SAYS_OTHER.search(re.split(r"\d", bare)[-1]))


def _priced(text: str) -> list[re.Match[str]]:
    """Every price written in ``text``, in order, each number once."""
    found = {m.start("num"): m for pattern in reversed(_PRICED) for m in pattern.finditer(text)}
    return [found[start] for start in sorted(found)]


def visible(lines: Sequence[Line], anchor: int, has_main: bool, country: str) -> list[Price]:
    """The prices the page shows with a currency, the likeliest to be the product's first.

    ``anchor`` is the line of the product's title (-1 when unknown): prices before it are
    the header's, a breadcrumb's or another widget's; those soon after it are the product's
    more often than those further down (recommendations, bundles, other sellers).
    """
    start = max(anchor, 0)
    ranked: list[tuple[int, int, Price]] = []
    for index, line in enumerate(lines[start:], start=start):
        text = line.text
        if not text or len(text) > _MAX_LINE:
            continue
        for match in _priced(text):
            shown = match.group("num")
            node = line.node_at(match.start("num"))
            before = text[max(0, match.start() - _LABEL_REACH):match.start()]
            value = amount(shown)
            if (not value or node.aside or (has_main and not node.main)
                    or _says_other(before) or _OTHER_AFTER.match(text[match.end():])):
                continue
            labelled = bool(_SAYS_PRICE.search(_SAYS_OTHER.sub("", before)))
            score = (2 * node.priced + 2 * labelled - 2 * node.link
                     + (anchor >= 0 and index - anchor <= _NEAR))
            code = symbol_currency(match.group("symbol"), country)
            ranked.append((-score, index, Price(shown, value, code, f"html:{node.selector}")))
    return [price_seen for _, _, price_seen in sorted(ranked, key=lambda r: (r[0], r[1]))]
