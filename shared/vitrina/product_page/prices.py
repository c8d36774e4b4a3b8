"""Prices as pages write them ("1.299,00", "¥199", "30,000원~") and as values."""

from __future__ import annotations

import re
from decimal import Decimal

from vitrina.product_page.text import squash

_NUMBER = re.compile(r"\d(?:[\d.,'\u00a0\u202f ]*\d)?")


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
    code = squash(text or "")
    return (code.upper() if code.isascii() else code) or None
