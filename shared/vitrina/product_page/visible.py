"""The visible HTML: <h1> and <title>, list items that read like selling points, and the
<img>/<video> elements that show the product (not icons, badges or tracking pixels)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from vitrina.product_page.model import Fact, Found, Media
from vitrina.product_page.refs import Resolve, is_svg
from vitrina.product_page.text import weight
from vitrina.product_page.walker import Img, Item, Walker

_ICON_NAME = re.compile(
    r"(?<![a-z])(?:fav)?(?:sprites?|icons?|pixel|spacer|blank|transparent|loader|loading"
    r"|placeholder)(?![a-z])|(?<!\d)1x1(?!\d)"
)

_MIN_SIDE = 64  # pixels; smaller declared images are icons, badges or tracking pixels
_SRCSET_SPLIT = re.compile(r"(?<=\d[wx]),\s*|,\s+")


def from_html(parser: Walker, resolve: Resolve) -> Found:

    def in_scope(main: bool) -> bool:
        """With a <main>, only it holds the product; without, the whole page may."""
        return main or not parser.has_main

    facts = [Fact("title", parser.h1, "html:h1"), Fact("title", parser.title, "html:title")]
    facts += [Fact("bullet", item.text, "html:li") for item in parser.items
              if in_scope(item.main) and _selling_point(item)]
    media = [Media("image", ref, "html:img", img.alt) for img in parser.images
             if in_scope(img.main) and (ref := image_ref(img, resolve))]
    media += [Media("video", ref, "html:video")
              for ref in map(resolve, parser.videos) if ref]
    return Found(tuple(f for f in facts if f.text), tuple(media))


def _selling_point(item: Item) -> bool:
    """A list item that says something about the product: not a menu entry or link (most
    of its text is a link), not a size or colour swatch (too short), not a whole block."""
    size = weight(item.text)
    return (8 <= size <= 400 and item.link_chars * 2 < len(item.text)
            and any(ch.isalpha() for ch in item.text))


def _largest(srcset: str) -> str:
    """The srcset candidate with the largest width or density descriptor."""
    best, best_size = "", -1.0
    for candidate in _SRCSET_SPLIT.split(srcset.strip()):
        parts = candidate.split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1 and re.fullmatch(r"\d+(?:\.\d+)?[wx]", parts[1]):
            size = float(parts[1][:-1])
        if size > best_size:
            best, best_size = parts[0].rstrip(","), size
    return best


def image_ref(img: Img, resolve: Resolve) -> str | None:
    if any(side is not None and side < _MIN_SIDE for side in (img.width, img.height)):
        return None
    for candidate in (_largest(img.srcset), _largest(img.data_srcset), img.data_src, img.src):
        ref = resolve(candidate) if candidate else None
        name = unquote(urlsplit(ref).path.rsplit("/", 1)[-1].lower()) if ref else ""
        if ref and not is_svg(ref) and not _ICON_NAME.search(name):
            return ref
    return None

