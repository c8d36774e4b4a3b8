"""Product codes: the shop's SKU, the GTIN (EAN/UPC/ISBN barcode number) and the
manufacturer's part number, wherever a page states them.

Structured data often fills ``sku`` with whatever internal id the platform has (a variant, an
image or a catalogue id), while the code a page prints beside a label ("SKU:", "Item #",
"Art.-Nr.", "商品編號") is the one its shoppers and staff use; a page that prints none still
names its product in its own URL ("/p/12345", "?pid=12345"), and its analytics scripts
("sku": "12345") repeat it. These rules know labels in many languages and no single shop.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

from vitrina.product_page.model import Sourced

# A code: letters, digits and a few joiners, at least one digit, no spaces.
_CODE = r"[A-Za-z0-9][A-Za-z0-9._/#-]{0,38}[A-Za-z0-9]|[0-9]"
_CODE_SHAPE = re.compile(rf"(?=[^\d]*\d)(?:{_CODE})")

# Labels, written as shops write them, lower-cased; "#", "no", "nr" and "number" variants.
_NO = r"(?:\s*(?:#|no\.?|nr\.?|number|num\.?|code|id)\b|\s*#)"
_SKU_LABELS = (
    r"sku", rf"item{_NO}", rf"product{_NO}", rf"article{_NO}", r"art(?:ikel)?\.?\s*-?\s*nr\.?",
    r"artikelnummer", r"bestellnummer", r"best\.?-nr\.?", rf"(?:ad|post|listing|lot|offer){_NO}",
    r"stock\s*code", r"asin", r"ref(?:erence|\.)", r"référence",
    r"c[oó]digo(?:\s+de)?(?:\s+(?:producto|produto|artículo|articulo|item))?",
    r"cod(?:ice)?\s+(?:produs|articolo|prodotto)", r"numer\s+katalogowy", r"varenummer",
    r"k[oó]d(?:\s+(?:produktu|tovaru|zboží|zbozi|towaru))?", r"artikelnr\.?", r"tuotenumero",
    r"商品編號", r"商品编号", r"商品番号", r"商品代碼", r"商品代码", r"货号", r"貨號", r"品番",
    r"상품번호", r"품번", r"артикул", r"код(?:\s+товара)?", r"tootekood", r"קוד\s+מוצר", r"מק\"ט",
)
_MPN_LABELS = (
    r"mpn", rf"model{_NO}", r"model", r"manufacturer\s+part\s+(?:number|no\.?)",
    rf"part{_NO}", r"herstellernummer", r"hersteller-?artikelnummer", r"型号", r"型號", r"모델명",
)
_GTIN_LABELS = (r"gtin(?:-?\d{1,2})?", r"ean(?:-?1[34])?", r"upc", r"isbn(?:-?1[03])?",
                r"barcode", r"jan(?:\s*code)?")


def _labelled(labels: Iterable[str]) -> re.Pattern[str]:
    """A label where a line or a list entry starts (one word may come before it: "eBay item
    number"), its punctuation, and the code after it on the same line or the next."""
    gap = r"[ \t]{0,8}\n?[ \t]{0,8}"  # bounded: a run of blanks never costs quadratic time
    return re.compile(
        rf"(?:^|[〈(\[【|·•,;])[ \t]{{0,8}}(?:[^\s:：]{{1,24}}[ \t]+)?(?P<label>{'|'.join(labels)})"
        rf"(?:[ \t]*\([^)\n]{{1,12}}\))?{gap}(?:[:：#.]{gap})?(?:[:：]{gap})?"
        rf"(?P<code>{_CODE})(?=[ \t]*(?:$|[〉)\]】|,;]))", re.I | re.M)


_LABELLED = {"sku": _labelled(_SKU_LABELS), "mpn": _labelled(_MPN_LABELS),
             "gtin": _labelled(_GTIN_LABELS)}
_ID_PARAM = re.compile(r"^(?:p|pid|id|sku|item|itemid|item_id|product|productid|product_id"
                       r"|prod|article|articleid|goods_id|goodsid|offer|offerid)$", re.I)
_PAGE_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.I)
_SCRIPT_SKU = re.compile(
    r"""\b(?:sku|productSku|product_sku)["']?\s*:\s*["']([^"'<>\s]{1,40})["']""", re.I)


def code(text: str) -> str | None:
    """``text`` when it is one product code (letters, digits, joiners, a digit somewhere)."""
    text = text.strip()
    return text if _CODE_SHAPE.fullmatch(text) else None


def stated_code(text: str) -> str | None:
    """A code a structured field states: one word of up to 60 characters; a field holding
    several words ("OPTIPLEX 9010 TOWER") holds a name, not a code."""
    text = text.strip()
    return text if text and len(text) <= 60 and not re.search(r"\s", text) else None


def gtin(text: str) -> str | None:
    """The GTIN in ``text`` (spaces and dashes dropped) when it has 8, 12, 13 or 14 digits
    and a valid check digit; all zeros, a placeholder some shops write, is none."""
    digits = re.sub(r"[\s-]", "", text)
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14) or not digits.strip("0"):
        return None
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return digits if (10 - total % 10) % 10 == check else None


def from_labels(text: str, kind: str) -> tuple[str, str] | None:
    """The first code a label of ``kind`` ("sku", "mpn" or "gtin") introduces in ``text``
    (the page's visible lines, joined by newlines), and the label as the page writes it."""
    for match in _LABELLED[kind].finditer(text):
        value = gtin(match.group("code")) if kind == "gtin" else code(match.group("code"))
        if value:
            return value, match.group("label")
    return None


def from_url(url: str | None) -> Sourced | None:
    """The product id a URL carries: an id-like query parameter (?pid=123), else the last
    id-like token of the path ("/item/93133869_pillows", "-p400105394.html", "/dp/B07…").

    An id-like token has five to twenty letters and digits, at least half of them digits, so
    that words and model names in a slug ("k35hwmebg", "800w") are not taken for it. The
    "p" of the common "-p12345.html" is the path's word for product, not part of the id.
    """
    if not url:
        return None
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if _ID_PARAM.match(key) and _id_like(value):
            return Sourced(value, f"url:?{key}")
    segments = [s for s in unquote(parts.path).split("/") if s]
    for segment in reversed(segments):
        for token in reversed(re.split(r"[-_.,+]", _PAGE_EXTENSION.sub("", segment))):
            if _id_like(token):
                return Sourced(re.sub(r"^p(?=\d{5,}$)", "", token), "url:path")
    return None


def _id_like(token: str) -> bool:
    """Five to twenty ASCII letters and digits, at least half of them digits."""
    return (5 <= len(token) <= 20 and token.isalnum() and token.isascii()
            and sum(ch.isdigit() for ch in token) * 2 >= len(token))


def from_scripts(html: str) -> Sourced | None:
    """The "sku" most often named in the page's scripts (analytics data layers, shop
    platforms' product JSON), when one is named more often than any other."""
    counts = Counter(m.group(1) for m in _SCRIPT_SKU.finditer(html)
                     if _CODE_SHAPE.fullmatch(m.group(1)))
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return Sourced(ranked[0][0], 'script:"sku"')
    return None
