"""Which <img> and <video> elements show the product: not icons, badges, sprites, spacers or
tracking pixels (by declared size and by file name), and from a srcset the largest picture."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from vitrina.product_page.model import Media
from vitrina.product_page.refs import Resolve, is_svg
from vitrina.product_page.walker import Img, Walker

_ICON_NAME = re.compile(
    r"(?<![a-z])(?:fav)?(?:sprites?|icons?|pixel|spacer|blank|transparent|loader|loading"
    r"|placeholder)(?![a-z])|(?<!\d)1x1(?!\d)"
)
_MIN_SIDE = 64  # pixels; smaller declared images are icons, badges or tracking pixels
_SRCSET_SPLIT = re.compile(r"(?<=\d[wx]),\s*|,\s+")


def page_media(walker: Walker, resolve: Resolve) -> list[Media]:
    """The product's images and videos in the order the page shows them (with a <main>,
    only those inside it)."""
    images = [(img.order, Media("image", ref, "html:img", img.alt)) for img in walker.images
              if (img.main or not walker.has_main) and (ref := image_ref(img, resolve))]
    videos = [(video.order, Media("video", ref, "html:video")) for video in walker.videos
              if (ref := resolve(video.src))]
    return [media for _, media in sorted(images + videos, key=lambda pair: pair[0])]


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
    """The image's best reference (largest srcset entry, lazy-loading data-src, src), or
    None for an icon, a pixel or a picture of a declared size too small to show a product."""
    if any(side is not None and side < _MIN_SIDE for side in (img.width, img.height)):
        return None
    for candidate in (_largest(img.srcset), _largest(img.data_srcset), img.data_src, img.src):
        ref = resolve(candidate) if candidate else None
        name = unquote(urlsplit(ref).path.rsplit("/", 1)[-1].lower()) if ref else ""
        if ref and not is_svg(ref) and not _ICON_NAME.search(name):
            return ref
    return None
