"""The visible HTML: what a shopper reads on the page. <h1> and <title>, list items that
read like selling points, prices written with a currency, codes and brands after their
labels or in elements named for them, add-to-cart buttons, description blocks, and the
name/value pairs of specification tables and lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from vitrina.product_page import availability, identifiers, prices, tables
from vitrina.product_page.images import page_media
from vitrina.product_page.model import Fact, Found, Sourced
from vitrina.product_page.refs import Resolve
from vitrina.product_page.text import after_label, squash, weight
from vitrina.product_page.walker import Hinted, Item, Line, Walker

# A brand after its label, on the label's line after a colon or on the next line.
_BRAND_LABEL = re.compile(
    r"^(?P<label>brand(?:\s+name)?|make(?:\s*/\s*manufacturer)?|manufacturer|marke|marca|marque"
    r"|merk|märke|marchio|značka|znacka|márka|merkki|kaubamärk|tootja|producent|hersteller"
    r"|fabricant|fabricante|бренд|производитель|品牌|ブランド|브랜드|מותג)\b"
    r"(?:[ \t]*[:：][ \t]*\n?|[ \t]*\n)[ \t]*(?P<brand>[^\n:：]{1,40})$", re.I | re.M)
_TITLE_SEPARATOR = re.compile(r"\s[|｜\-–—:]\s|[|｜]")
_MIN_NAME = 6  # characters; a shorter title part is a shop's name or a word
_MENU_MARK = "\u2063"  # invisible separator: a label regex never matches after it
_MIN_DESCRIPTION = 40  # characters; shorter "description" elements are headings or tabs


def from_html(walker: Walker, resolve: Resolve, country: str = "") -> Found:
    """What the visible page says; ``country`` decides what a "$" or "元" means."""
    def in_scope(main: bool) -> bool:
        """With a <main>, only it holds the product; without, the whole page may."""
        return main or not walker.has_main

    lines = [line for line in walker.lines
             if line.nodes and in_scope(line.nodes[0][1].main) and line.text.strip()]
    text = _label_text(lines)
    hinted = [h for h in walker.hinted if in_scope(h.main)]
    facts = [Fact("title", walker.h1, "html:h1"), Fact("title", walker.title, "html:title")]
    facts += [Fact("bullet", item.text, "html:li") for item in walker.items
              if in_scope(item.main) and selling_point(item)]
    media = page_media(walker, resolve)
    page_tables = tables.tables(walker.tables)
    return Found(
        facts=tuple(f for f in facts if f.text),
        media=tuple([m for m in media if m.kind == "image"] +
                    [m for m in media if m.kind == "video"]),
        prices=tuple(prices.visible(walker.lines, title_line(walker), walker.has_main, country)),
        brand=_brand(text, hinted),
        availability=availability.visible(walker.buttons, lines, walker.has_main),
        skus=tuple(_codes(text, hinted, "sku", identifiers.code)),
        gtins=tuple(_codes(text, hinted, "gtin", identifiers.gtin)),
        mpns=tuple(_codes(text, hinted, "mpn", identifiers.code)),
        attributes=tuple(tables.attributes(
            page_tables, walker.pairs, [i for i in walker.items if in_scope(i.main)])),
        descriptions=tuple(Sourced(h.text, f"html:{h.selector}") for h in hinted
                           if h.kind == "description" and len(h.text) >= _MIN_DESCRIPTION),
    )


def _label_text(lines: list[Line]) -> str:
    """The visible lines joined by newlines; a line that is all link text (a menu entry) is
    marked so that it never reads as a label ("Brands" in a menu is not a product's brand)."""
    return "\n".join(_MENU_MARK * all(node.link for _, node in line.nodes) + squash(line.text)
                     for line in lines)


def title_line(walker: Walker) -> int:
    """The line that names the product: its <h1>, else the first line that repeats the
    <title>'s first part ("Name | Shop"); -1 when neither is found."""
    if walker.h1_line >= 0:
        return walker.h1_line
    name = squash(_TITLE_SEPARATOR.split(walker.title)[0])
    if len(name) < _MIN_NAME:
        return -1
    return next((i for i, line in enumerate(walker.lines) if name in squash(line.text)), -1)


def selling_point(item: Item) -> bool:
    """A list item that says something about the product: not a menu entry or link (most
    of its text is a link), not a size or colour swatch (too short), not a whole block."""
    size = weight(item.text)
    return (8 <= size <= 400 and item.link_chars * 2 < len(item.text)
            and any(ch.isalpha() for ch in item.text))


def _codes(text: str, hinted: list[Hinted], kind: str, shape: Callable[[str], str | None]
           ) -> list[Sourced]:
    """A code after its label in the visible text, then one in an element named for it."""
    found = []
    labelled = identifiers.from_labels(text, kind)
    if labelled:
        found.append(Sourced(labelled[0], f"html:label '{labelled[1]}'"))
    found += [Sourced(value, f"html:{h.selector}") for h in hinted
              if h.kind == kind and not h.link and (value := shape(h.text))]
    return found


def _brand(text: str, hinted: list[Hinted]) -> Sourced | None:
    """A brand after its label, else in an element named for it (a short name, not a date
    or a number)."""
    match = _BRAND_LABEL.search(text)
    brand = squash(match.group("brand").replace(_MENU_MARK, "")) if match else ""
    if match and brand:
        return Sourced(brand, f"html:label '{match.group('label')}'")
    for hint in hinted:
        name = after_label(hint.text)
        letters = sum(ch.isalpha() for ch in name)
        if hint.kind == "brand" and len(name) <= 40 and letters >= 2 and letters > sum(
                ch.isdigit() for ch in name):
            return Sourced(name, f"html:{hint.selector}")
    return None
