"""A product page (a URL, a saved HTML file or a materials manifest) as facts and media.

Structured data is trusted before markup: schema.org Product JSON-LD, then microdata, then
OpenGraph / product meta tags, then the visible HTML (<title>, the first <h1>, list items that
read like selling points, <img> and <video>). Facts keep the page's own words (whitespace
normalised) so that no caption can claim what the page does not; they come most trusted source
first and in page order within a source, so ``facts[0]`` is the best title. Every product
that reads a page (video today, detail pages next) uses this one parser.

The modules: ``walker`` reads the HTML once; ``jsonld``, ``microdata``, ``meta`` and
``visible`` each say what their kind of source states; ``assemble`` puts them together;
``manifest`` reads a user's materials list; ``text``, ``prices`` and ``refs`` are helpers.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from vitrina.errors import InputError, NoUsableMedia
from vitrina.fetch import fetch
from vitrina.product_page.assemble import parse, require_media
from vitrina.product_page.manifest import from_manifest
from vitrina.product_page.model import Attribute, Fact, Media, ProductPage, Sourced, Table
from vitrina.product_page.refs import local_ref
from vitrina.product_page.text import decode_html

__all__ = ["Attribute", "Fact", "Media", "NoUsableMedia", "ProductPage", "Sourced", "Table",
           "decode_html", "from_file", "from_manifest", "from_url", "parse_html", "parse_page"]


def parse_page(html: str, base: str) -> ProductPage:
    """Everything ``html`` says about its product, whether or not it shows a usable image;
    ``base`` is the page URL, or a file:// URL or a local path (file or directory) that
    relative references of a local page resolve against."""
    return parse(html, base)


def parse_html(html: str, base: str) -> ProductPage:
    """The product on ``html`` (see parse_page), for products that need its pictures.

    Raises NoUsableMedia when the page shows no product image or video at all.
    """
    return require_media(parse(html, base), base)


def from_url(url: str) -> ProductPage:
    """Fetch ``url`` through the SSRF-safe fetcher (never directly) and parse it."""
    fetched = fetch(url)
    mime = fetched.content_type.split(";")[0].strip().lower()
    if mime and not (mime.startswith("text/") or "html" in mime or "xml" in mime):
        raise InputError(f"{url} is not a web page (the server says it is {mime})")
    return parse_html(decode_html(fetched.content, fetched.content_type), fetched.url)


def from_file(path: Path, root: Path | None = None) -> ProductPage:
    """A saved page; its relative image and video references become local paths, and those
    whose file is missing are dropped (a page saved without its assets).

    With ``root`` (a page read from storage, never from the server's own disk) only files
    inside ``root`` count, and their refs are given relative to it.
    """
    path = Path(path).resolve()
    try:
        content = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read the page {path.name}: {err.strerror or err}") from err
    page = parse(decode_html(content, ""), path.as_uri())
    media = tuple(replace(m, ref=ref) for m in page.media
                  if (ref := local_ref(m.ref, root)) is not None)
    return require_media(replace(page, media=media), path.name)
