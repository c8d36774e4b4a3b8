"""Selling-point captions built from the page's own facts, in the page's language.

Every caption keeps the facts it came from (``sources``), so a claim can always be traced
back to the page. The default generator only selects, shortens and labels the page's words
(deterministic and grounded); a text backend may rewrite them, but a rewrite that brings in a
number the sources do not contain is refused and the original kept.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from typing import Protocol

from vitrina.product_page import Fact, ProductPage
from vitrina.video.analyse import ImageInfo

CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£",
                    "KRW": "₩", "HKD": "HK$", "TWD": "NT$"}
CTA = {"zh": "立即购买", "en": "Shop now"}
RECOMMEND = {"zh": "为你推荐", "en": "Recommended"}
_CLAUSE = re.compile(r"[，。；;！!？?、]|(?<=\w)[,.:](?=\s)|\s[-–—|]\s")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Line:
    text: str
    kind: str  # headline | point | price | recommendation | cta
    sources: tuple[str, ...]  # "<fact kind>@<where on the page>" of every fact used


def _limit(language: str) -> int:
    return 16 if language == "zh" else 38


def shorten(text: str, language: str) -> str:
    """The first clause that carries meaning, cut at a word (or character) boundary."""
    text = " ".join(text.split())
    limit = _limit(language)
    if len(text) <= limit:
        return text
    first = _CLAUSE.split(text, maxsplit=1)[0].strip()
    if 3 <= len(first) <= limit:
        return first
    if language == "zh":
        return text[:limit]
    cut = text[:limit + 1].rsplit(" ", 1)[0]
    return cut if len(cut) >= 3 else text[:limit]


def _ref(fact: Fact) -> str:
    return f"{fact.kind}@{fact.source}"


def price_text(page: ProductPage) -> str | None:
    if not page.price:
        return None
    symbol = CURRENCY_SYMBOLS.get((page.currency or "").upper(), "")
    try:
        value = float(page.price.replace(",", ""))
        shown = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    except ValueError:
        shown = page.price
    suffix = "" if symbol or not page.currency else f" {page.currency}"
    return f"{symbol}{shown}{suffix}"


def generate(page: ProductPage, points: int = 4) -> list[Line]:
    """Headline, up to ``points`` selling points, the price, a recommendation, the CTA."""
    language = page.language
    title_fact = next((f for f in page.facts if f.kind == "title"), None)
    lines = [Line(shorten(page.title, language), "headline",
                  (_ref(title_fact),) if title_fact else ("title@page",))]
    candidates = [f for f in page.facts if f.kind == "bullet"]
    candidates += [f for f in page.facts if f.kind == "ocr"]
    candidates += [f for f in page.facts if f.kind == "attribute"]
    candidates += [f for f in page.facts if f.kind == "description"]
    seen = {lines[0].text}
    for fact in candidates:
        text = shorten(fact.text, language)
        if len(lines) - 1 >= points:
            break
        if text and text not in seen:
            seen.add(text)
            lines.append(Line(text, "point", (_ref(fact),)))
    price = price_text(page)
    if price:
        fact = next((f for f in page.facts if f.kind == "price"), None)
        lines.append(Line(price, "price", (_ref(fact),) if fact else ("price@page",)))
    brand = next((f for f in page.facts if f.kind == "brand"), None)
    subject = f"{brand.text} {lines[0].text}" if brand and brand.text not in lines[0].text \
        else lines[0].text
    sources = lines[0].sources + ((_ref(brand),) if brand else ())
    separator = "：" if language == "zh" else ": "
    lines.append(Line(f"{RECOMMEND[language]}{separator}{subject}", "recommendation", sources))
    lines.append(Line(CTA[language], "cta", ("cta@vitrina",)))
    return lines


def with_printed_text(page: ProductPage, infos: list[ImageInfo], per_image: int = 2
                      ) -> ProductPage:
    """The page plus the most prominent lines printed on its usable images, as facts that
    name the image they were read from."""
    known = {f.text for f in page.facts}
    extra = []
    for index, info in enumerate(infos):
        if not info.usable:
            continue
        for text in info.text[:per_image]:
            if text not in known and not _NUMBER.fullmatch(text):
                known.add(text)
                extra.append(Fact("ocr", text, f"ocr:image{index}"))
    return replace(page, facts=page.facts + tuple(extra))


class TextBackend(Protocol):
    def rewrite(self, line: Line, language: str) -> str: ...


def grounded(original: Line, rewritten: str, page: ProductPage) -> bool:
    """A rewrite may rephrase, never add: every number in it must be on the page."""
    page_numbers = set(_NUMBER.findall(" ".join(f.text for f in page.facts) + " " +
                                       (page.price or "")))
    return bool(rewritten.strip()) and set(_NUMBER.findall(rewritten)) <= (
        page_numbers | set(_NUMBER.findall(original.text)))


class BedrockBackend:
    """Amazon Bedrock's Converse API rewrites each line in the same language, same facts."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def rewrite(self, line: Line, language: str) -> str:
        from vitrina import storage

        prompt = ("Rewrite this e-commerce video caption to be punchier, in the same language"
                  f" ({language}), at most {_limit(language)} characters, adding no claim, "
                  f"number or feature that is not in it. Reply with the caption only.\n"
                  f"{json.dumps(line.text, ensure_ascii=False)}")
        reply = storage.client("bedrock-runtime").converse(
            modelId=self.model_id,
            messages=[{"role": "user", "content": [{"text": prompt}]}],
            inferenceConfig={"maxTokens": 60, "temperature": 0.3},
        )
        return reply["output"]["message"]["content"][0]["text"].strip().strip('"')


def backend_from_env() -> TextBackend | None:
    """``VITRINA_TEXT_BACKEND=bedrock`` with ``VITRINA_BEDROCK_MODEL_ID``; unset: none."""
    if os.environ.get("VITRINA_TEXT_BACKEND", "").lower() == "bedrock":
        return BedrockBackend(os.environ.get("VITRINA_BEDROCK_MODEL_ID",
                                             "amazon.nova-lite-v1:0"))
    return None


def rewrite(lines: list[Line], page: ProductPage, backend: TextBackend | None) -> list[Line]:
    """Headline and points through the backend when there is one; prices and the CTA never."""
    if backend is None:
        return lines
    out = []
    for line in lines:
        if line.kind in ("headline", "point"):
            text = backend.rewrite(line, page.language)
            if grounded(line, text, page):
                line = replace(line, text=shorten(text, page.language))
        out.append(line)
    return out
