"""Text as pages write it: whitespace, entities, markup inside structured data, scripts.

Every source (JSON-LD, microdata, meta tags, visible HTML) hands its words through these
helpers, so that the same words from two sources compare equal and no caption or database
field carries stray markup.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from html import unescape

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[a-zA-Z/!][^<>]*>")  # not across "<": linear on "<a<a<a..."
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
# Sentence ends, CJK full stops (no space follows them), bullet glyphs and " - " lists (but
# not "5 - 7 days").
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])\s+|(?<=[。！？；])|\s*[•●▪■◆★✓✔]\s*|(?<!\d)\s+[-–]\s+(?=[^\W\d_])|^[-–]\s+"
)


def squash(text: str) -> str:
    """One space wherever the page has any run of whitespace, none at the ends."""
    return _SPACE.sub(" ", text).strip()


def clean(text: str) -> str:
    """Structured-data text often carries entities and markup of its own."""
    return squash(_TAG.sub(" ", unescape(text)))


def after_label(text: str) -> str:
    """The value in a "Label: value" text ("See more by brand: Acme" is "Acme")."""
    return squash(re.split(r"[:：]", text)[-1]) or squash(text)


def language(texts: Iterable[str]) -> str:
    """"zh" when Han characters are over a fifth of the letters: pages mix in Latin model
    numbers and brand names, so a plain majority would call many Chinese pages English."""
    letters = han = 0
    for text in texts:
        letters += sum(ch.isalpha() for ch in text)
        han += len(_HAN.findall(text))
    return "zh" if letters and han / letters > 0.2 else "en"


def weight(text: str) -> int:
    """Length in Latin-letter terms: a Han character says about as much as two letters."""
    return len(text) + len(_HAN.findall(text))


def sentences(text: str) -> list[str]:
    """The sentences of a description long enough to stand as selling points."""
    return [s for s in (squash(p) for p in _SENTENCE_BREAK.split(text)) if weight(s) >= 8]


def decode_html(content: bytes, content_type: str) -> str:
    """Text by the header's charset, else a BOM, else the page's <meta> charset, else UTF-8;
    bytes that do not decode become U+FFFD rather than failing the page."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return content.decode(name, errors="replace")
    declared = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I) or re.search(
        rb"<meta[^>]+charset=[\"']?([\w.:-]+)", content[:4096], re.I
    )
    name = "utf-8"
    if declared:
        label = declared.group(1)
        label = (label.decode("ascii") if isinstance(label, bytes) else label).lower()
        try:
            name = codecs.lookup(label).name
        except LookupError:
            name = "utf-8"
    # Pages labelled GB2312/GBK routinely use characters only GB18030 (their superset) has.
    if name in ("gb2312", "gbk"):
        name = "gb18030"
    return content.decode(name, errors="replace")
