"""A product page (a URL, a saved HTML file or a materials manifest) as facts and media.

Structured data is trusted before markup: schema.org Product JSON-LD, then microdata, then
OpenGraph / product meta tags, then the visible HTML (<title>, the first <h1>, list items that
read like selling points, <img> and <video>). Facts keep the page's own words (whitespace
normalised) so that no caption can claim what the page does not; they come most trusted source
first and in page order within a source, so ``facts[0]`` is the best title. Every product
that reads a page (video today, detail pages next) uses this one parser.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vitrina import keys
from vitrina.errors import InputError, NoUsableMedia, UnsafeName, describe
from vitrina.fetch import fetch


@dataclass(frozen=True)
class Fact:
    kind: str  # "title" | "price" | "bullet" | "description" | "brand" | "attribute" | "rating"
    text: str  # the page's own words, whitespace normalised
    source: str  # where it was found, e.g. "json-ld:Product.name", "og:title", "html:li"


@dataclass(frozen=True)
class Media:
    kind: str  # "image" | "video"
    ref: str  # absolute URL; a local path (CLI), or relative to the folder read from storage
    source: str  # "json-ld:Product.image", "og:image", "html:img", "html:video", "manifest"
    alt: str = ""


@dataclass(frozen=True)
class ProductPage:
    title: str
    language: str  # "zh" or "en"
    facts: tuple[Fact, ...]  # de-duplicated, most trusted source first
    media: tuple[Media, ...]  # images then videos, each ref once
    price: str | None  # the page's number, e.g. "199.00" or "1.299,00"
    currency: str | None  # as the page gives it, usually ISO 4217 ("CNY", "USD")
    music: str | None = None
    url: str | None = None


def parse_html(html: str, base: str) -> ProductPage:
    """The product on ``html``; ``base`` is the page URL, or a file:// URL or a local path
    (file or directory) that relative references of a local page resolve against.

    Raises NoUsableMedia when the page shows no product image or video at all.
    """
    return _require_media(_parse(html, base), base)


def from_url(url: str) -> ProductPage:
    """Fetch ``url`` through the SSRF-safe fetcher (never directly) and parse it."""
    fetched = fetch(url)
    mime = fetched.content_type.split(";")[0].strip().lower()
    if mime and not (mime.startswith("text/") or "html" in mime or "xml" in mime):
        raise InputError(f"{url} is not a web page (the server says it is {mime})")
    return parse_html(_decode(fetched.content, fetched.content_type), fetched.url)


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
    page = _parse(_decode(content, ""), path.as_uri())
    media = tuple(replace(m, ref=ref) for m in page.media
                  if (ref := _local_ref(m.ref, root)) is not None)
    return _require_media(replace(page, media=media), path.name)


def _local_ref(ref: str, root: Path | None) -> str | None:
    """A media ref as the stages read it: URLs as they are; a local file as an absolute path
    (CLI), or relative to ``root`` when it lies inside it; None for a missing or outside file."""
    if "://" in ref:
        return ref
    try:
        if root is None:
            return str(Path(ref).resolve()) if Path(ref).is_file() else None
        target = keys.local_path(root, ref)
        return target.relative_to(Path(root).resolve()).as_posix() if target.is_file() else None
    except (UnsafeName, ValueError, OSError):
        return None


class _Manifest(BaseModel):
    """What a user writes when there is no page: the only untrusted-shape edge, so pydantic."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(pattern=r"\S")  # some words, not just blanks
    images: list[str] = []
    clips: list[str] = []
    texts: list[str] = []
    music: str | None = None
    price: str | int | Decimal | None = None
    currency: str | None = None


def from_manifest(path: Path, root: Path | None = None) -> ProductPage:
    """A JSON manifest; relative paths resolve beside it and must exist, URLs stay URLs.

    With ``root`` (a manifest read from storage) its files must lie inside ``root``: a
    manifest sent over HTTP names files of its own upload, never the server's disk.
    """
    path = Path(path).resolve()
    try:
        # Decimal keeps "199.00" as written instead of the float 199.0.
        raw = json.loads(path.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except OSError as err:
        raise InputError(f"cannot read the manifest {path.name}: {err.strerror or err}") from err
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise InputError(f"the manifest {path.name} is not valid JSON: {err}") from err
    try:
        manifest = _Manifest.model_validate(raw)
    except ValidationError as err:
        raise InputError(f"the manifest {path.name} is not usable: {describe(err)}") from err

    def local(ref: str) -> str:
        if urlsplit(ref).scheme in ("http", "https"):
            return ref
        found = _local_ref(str(path.parent / ref), root)
        if found is None:
            where = "does not exist" if root is None else "is not a file of its upload"
            raise InputError(f"the manifest {path.name} lists {ref!r}, which {where}")
        return found

    price = _price(str(manifest.price)) if manifest.price is not None else None
    facts = [Fact("title", _squash(manifest.title), "manifest")]
    facts += [Fact("bullet", _squash(t), "manifest") for t in manifest.texts if _squash(t)]
    if price:
        facts.append(Fact("price", price, "manifest"))
    media = [Media("image", local(r), "manifest") for r in manifest.images]
    media += [Media("video", local(r), "manifest") for r in manifest.clips]
    page = ProductPage(
        title=_squash(manifest.title),
        language=_language(f.text for f in facts),
        facts=_unique_facts(facts),
        media=_unique_media(media),
        price=price,
        currency=_currency(manifest.currency),
        music=local(manifest.music) if manifest.music else None,
    )
    return _require_media(page, path.name)


# --- assembling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """What one kind of source says about the product."""

    facts: tuple[Fact, ...] = ()
    media: tuple[Media, ...] = ()
    price: str | None = None
    currency: str | None = None


_LONG_DESCRIPTION = 120  # characters; shorter descriptions already read as one selling point


def _parse(html: str, base: str) -> ProductPage:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.finish()
    page_url = _base_url(base)
    base = urljoin(page_url, parser.base_href.strip()) if parser.base_href else page_url
    resolve = _resolver(base)
    found = [
        _from_jsonld(parser.jsonld, resolve),
        _from_microdata(parser.microdata, resolve),
        _from_meta(parser.metas, resolve),
        _from_html(parser, resolve),
    ]
    facts = [f for part in found for f in part.facts]
    if not any(f.kind == "bullet" for f in facts):
        description = next((f for f in facts if f.kind == "description"), None)
        if description and len(description.text) > _LONG_DESCRIPTION:
            facts += [Fact("bullet", s, description.source) for s in _sentences(description.text)]
    unique = _unique_facts(facts)
    priced = next((part for part in found if part.price), _Found())
    media = [m for part in found for m in part.media]
    return ProductPage(
        title=next((f.text for f in unique if f.kind == "title"), ""),
        language=_language(f.text for f in unique),
        facts=unique,
        media=_unique_media([m for m in media if m.kind == "image"] +
                            [m for m in media if m.kind == "video"]),
        price=priced.price,
        currency=priced.currency or next((p.currency for p in found if p.currency), None),
        url=page_url if urlsplit(page_url).scheme in ("http", "https") else None,
    )


def _require_media(page: ProductPage, where: str) -> ProductPage:
    if not page.media:
        raise NoUsableMedia(
            f"{where} has no usable product image or video (icons, tracking pixels and SVGs "
            "do not count); use a page that shows the product, or a manifest listing images"
        )
    return page


def _unique_facts(facts: Iterable[Fact]) -> tuple[Fact, ...]:
    """Each fact once: by its words, ignoring case, and by amount for prices ("109.00" is
    "109"), so that sources agreeing are not repeated and sources disagreeing both show."""
    seen: set[object] = set()
    unique = []
    for fact in facts:
        key = (_amount(fact.text) or fact.text) if fact.kind == "price" else fact.text.casefold()
        if fact.text and key not in seen:
            seen.add(key)
            unique.append(fact)
    return tuple(unique)


def _unique_media(media: Iterable[Media]) -> tuple[Media, ...]:
    seen: set[str] = set()
    unique = []
    for item in media:
        if item.ref not in seen:
            seen.add(item.ref)
            unique.append(item)
    return tuple(unique)


# --- text helpers -----------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_NUMBER = re.compile(r"\d(?:[\d.,'\u00a0\u202f ]*\d)?")
# Sentence ends, CJK full stops (no space follows them), bullet glyphs and " - " lists (but
# not "5 - 7 days").
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])\s+|(?<=[。！？；])|\s*[•●▪■◆★✓✔]\s*|(?<!\d)\s+[-–]\s+(?=[^\W\d_])|^[-–]\s+"
)


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _clean(text: str) -> str:
    """Structured-data text often carries entities and markup of its own."""
    return _squash(_TAG.sub(" ", unescape(text)))


def _language(texts: Iterable[str]) -> str:
    """"zh" when Han characters are over a fifth of the letters: pages mix in Latin model
    numbers and brand names, so a plain majority would call many Chinese pages English."""
    letters = han = 0
    for text in texts:
        letters += sum(ch.isalpha() for ch in text)
        han += len(_HAN.findall(text))
    return "zh" if letters and han / letters > 0.2 else "en"


def _weight(text: str) -> int:
    """Length in Latin-letter terms: a Han character says about as much as two letters."""
    return len(text) + len(_HAN.findall(text))


def _sentences(text: str) -> list[str]:
    return [s for s in (_squash(p) for p in _SENTENCE_BREAK.split(text)) if _weight(s) >= 8]


def _price(text: str) -> str | None:
    """The number in a price as the page writes it ("1.299,00"), or None for none or zero
    (shops put 0 where they have no price)."""
    match = _NUMBER.search(text)
    if not match or not any(c in "123456789" for c in match.group()):
        return None
    return match.group().strip()


def _amount(price: str) -> Decimal | None:
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


def _currency(text: str | None) -> str | None:
    code = _squash(text or "")
    return (code.upper() if code.isascii() else code) or None


def _decode(content: bytes, content_type: str) -> str:
    """Text by the header's charset, else a BOM, else the page's <meta> charset, else UTF-8."""
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


# --- references -------------------------------------------------------------------------------

_ICON_NAME = re.compile(
    r"(?<![a-z])(?:fav)?(?:sprites?|icons?|pixel|spacer|blank|transparent|loader|loading"
    r"|placeholder)(?![a-z])|(?<!\d)1x1(?!\d)"
)
_VIDEO_FILE = re.compile(r"\.(?:mp4|m4v|mov|webm|ogv|mkv|m3u8)$", re.I)


def _base_url(base: str) -> str:
    """A URL to resolve against: http(s) and file URLs as given, local paths as file URLs
    (a directory with a trailing slash, so that its files resolve inside it)."""
    if "://" in base:
        return base
    path = Path(base).resolve()
    return path.as_uri() + "/" if base.endswith("/") or path.is_dir() else path.as_uri()


def _resolver(base: str) -> Callable[[str], str | None]:
    """Absolute refs: web URLs for a web page (a local path there would read the server's
    own disk), web URLs or absolute paths for a local page; None for data:, blob:, ..."""
    local = urlsplit(base).scheme == "file"

    def resolve(ref: str) -> str | None:
        ref = ref.strip()
        if ref.startswith("//") and local:
            ref = "https:" + ref
        parts = urlsplit(urljoin(base, ref))
        if parts.scheme in ("http", "https") and parts.netloc:
            return parts._replace(fragment="").geturl()
        if parts.scheme == "file" and local and parts.path:
            return unquote(parts.path)
        return None

    return resolve


def _is_svg(ref: str) -> bool:
    return urlsplit(ref).path.lower().endswith((".svg", ".svgz"))


# --- schema.org JSON-LD -----------------------------------------------------------------------

_PRODUCT_TYPES = frozenset(
    {"product", "productgroup", "productmodel", "individualproduct", "someproducts"}
)
_CDATA = re.compile(r"^\s*(?:/\*\s*<!\[CDATA\[\s*\*/|//\s*<!\[CDATA\[|<!\[CDATA\[|<!--)|"
                    r"(?:/\*\s*\]\]>\s*\*/|//\s*\]\]>|\]\]>|-->)\s*$")


_MAX_JSON_DEPTH = 64  # real JSON-LD nests a dozen levels; deeper is built to exhaust the stack


def _load_json(block: str) -> Any:
    """The block's JSON, tolerating CDATA/comment wrappers, raw newlines in strings and
    trailing junk; None when it is still not JSON (one broken block must not lose the page)."""
    text = _CDATA.sub("", block).strip()
    try:
        document = json.JSONDecoder(strict=False, parse_float=Decimal).raw_decode(text)[0]
    except (ValueError, RecursionError):
        return None
    return document if _shallow(document) else None


def _shallow(document: Any) -> bool:
    """Whether nothing nests deeper than _MAX_JSON_DEPTH (checked without recursion)."""
    pending = [(document, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > _MAX_JSON_DEPTH:
            return False
        children = node.values() if isinstance(node, dict) else node if isinstance(
            node, list) else ()
        pending += [(child, depth + 1) for child in children]
    return True


def _is_product(node: dict[str, Any]) -> bool:
    types = node.get("@type", [])
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str) and kind.rsplit("/", 1)[-1].lower() in _PRODUCT_TYPES:
            return True
    return False


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)


def _products(node: Any) -> Iterator[dict[str, Any]]:
    """Products in document order, not looking inside one (its isRelatedTo etc. are others)."""
    if isinstance(node, list):
        for item in node:
            yield from _products(item)
    elif isinstance(node, dict):
        if _is_product(node):
            yield node
        else:
            for value in node.values():
                yield from _products(value)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), "")
    if isinstance(value, dict):
        return _text(value.get("@value", value.get("name")))
    if value is None or isinstance(value, bool):
        return ""
    return _clean(str(value))


def _urls(value: Any) -> list[str]:
    """Image/video URLs from a string, an ImageObject/VideoObject, or a list of either."""
    urls = []
    for item in _items(value):
        if isinstance(item, dict):
            item = item.get("contentUrl") or item.get("url")
            urls += _urls(item)
        elif isinstance(item, str) and item.strip():
            urls.append(item.strip())
    return urls


def _from_jsonld(blocks: list[str], resolve: Callable[[str], str | None]) -> _Found:
    documents = [doc for doc in map(_load_json, blocks) if doc is not None]
    by_id = {n["@id"]: n for n in _walk(documents) if isinstance(n.get("@id"), str) and len(n) > 2}

    def deref(value: Any) -> Any:
        """A {"@id": ...} reference as the node it names (a @graph splits Product/Offer)."""
        if isinstance(value, list):
            return [deref(v) for v in value]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return by_id.get(value["@id"], value)
        return value

    product = next(_products(documents), None)
    if product is None:
        return _Found()

    def get(key: str) -> Any:
        return deref(product.get(key))

    facts = [Fact("title", _text(get("name")), "json-ld:Product.name"),
             Fact("brand", _text(get("brand")), "json-ld:Product.brand")]
    price, currency = _offer(deref, get("offers"))
    if price:
        facts.append(Fact("price", price, "json-ld:Product.offers.price"))
    facts.append(Fact("description", _text(get("description")), "json-ld:Product.description"))
    rating = _rating(get("aggregateRating"))
    if rating:
        facts.append(Fact("rating", rating, "json-ld:Product.aggregateRating"))
    for prop in _items(get("additionalProperty")):
        prop = deref(prop)
        if isinstance(prop, dict) and _text(prop.get("name")) and _text(prop.get("value")):
            text = f"{_text(prop.get('name'))}: {_text(prop.get('value'))}"
            unit = _text(prop.get("unitText"))
            facts.append(Fact("attribute", f"{text} {unit}" if unit else text,
                              "json-ld:Product.additionalProperty"))
    media = [Media("image", ref, "json-ld:Product.image")
             for ref in map(resolve, _urls(get("image"))) if ref and not _is_svg(ref)]
    videos = [v.get("contentUrl") if isinstance(v, dict) else v for v in _items(get("video"))]
    media += [Media("video", ref, "json-ld:Product.video") for ref in map(resolve, _urls(videos))
              if ref]
    return _Found(tuple(f for f in facts if f.text), tuple(media), price, currency)


def _offer(deref: Callable[[Any], Any], offers: Any) -> tuple[str | None, str | None]:
    """The first priced Offer/AggregateOffer (price or lowPrice, or its priceSpecification)."""
    for offer in _items(offers):
        offer = deref(offer)
        if not isinstance(offer, dict):
            continue
        for source in [offer, *map(deref, _items(offer.get("priceSpecification")))]:
            if not isinstance(source, dict):
                continue
            price = _price(_text(source.get("price") or source.get("lowPrice")))
            if price:
                currency = source.get("priceCurrency", offer.get("priceCurrency"))
                return price, _currency(_text(currency))
        nested = _offer(deref, offer.get("offers"))
        if nested[0]:
            return nested
    return None, None


def _rating(rating: Any) -> str:
    """ "4.4/5 (89)": the value, out of what, and how many people gave it."""
    if not isinstance(rating, dict) or not _text(rating.get("ratingValue")):
        return ""
    text = _text(rating.get("ratingValue"))
    best = _text(rating.get("bestRating"))
    count = _text(rating.get("reviewCount", rating.get("ratingCount")))
    return text + (f"/{best}" if best else "") + (f" ({count})" if count else "")


# --- microdata --------------------------------------------------------------------------------


def _from_microdata(
    props: list[tuple[tuple[str, ...], str]], resolve: Callable[[str], str | None]
) -> _Found:
    """Values of the page's first itemtype=Product, keyed by itemprop path ("offers",
    "price"); anything under a nested Product has that Product's prop in its path and is
    ignored."""
    first: dict[tuple[str, ...], str] = {}
    for path, value in props:
        first.setdefault(path, _squash(value))

    def pick(*paths: tuple[str, ...]) -> str:
        return next((first[p] for p in paths if first.get(p)), "")

    price = _price(pick(("offers", "price"), ("offers", "lowPrice"), ("price",)))
    currency = _currency(pick(("offers", "priceCurrency"), ("priceCurrency",)))
    rating = _rating({k: pick(("aggregateRating", k))
                      for k in ("ratingValue", "bestRating", "reviewCount")})
    facts = [
        Fact("title", pick(("name",)), "microdata:Product.name"),
        Fact("brand", pick(("brand",), ("brand", "name")), "microdata:Product.brand"),
        Fact("price", price or "", "microdata:Product.offers.price"),
        Fact("description", pick(("description",)), "microdata:Product.description"),
        Fact("rating", rating, "microdata:Product.aggregateRating"),
    ]
    media = [Media("image", ref, "microdata:Product.image")
             for path, value in props if path == ("image",)
             if (ref := resolve(value)) and not _is_svg(ref)]
    media += [Media("video", ref, "microdata:Product.video")
              for path, value in props if path in (("video", "contentUrl"), ("video",))
              if (ref := resolve(value))]
    return _Found(tuple(f for f in facts if f.text), tuple(media), price, currency)


# --- OpenGraph and product meta tags ----------------------------------------------------------


def _from_meta(metas: list[tuple[str, str]], resolve: Callable[[str], str | None]) -> _Found:
    def values(*keys: str) -> list[str]:
        return [v for k, v in metas if k in keys and v.strip()]

    def first(*keys: str) -> str:
        return next(iter(values(*keys)), "")

    price = _price(first("product:price:amount", "og:price:amount"))
    currency = _currency(first("product:price:currency", "og:price:currency"))
    facts = [
        Fact("title", _clean(first("og:title")), "og:title"),
        Fact("brand", _clean(first("product:brand", "og:brand")), "product:brand"),
        Fact("price", price or "", "product:price:amount"),
        Fact("description", _clean(first("og:description")), "og:description"),
        Fact("description", _clean(first("description")), "meta:description"),
    ]
    media = [Media("image", ref, "og:image")
             for ref in map(resolve, values("og:image", "og:image:url", "og:image:secure_url"))
             if ref and not _is_svg(ref)]
    # og:video is often a player page (YouTube, Flash): only a video file or type will do.
    typed = any(t.lower().startswith("video/") for t in values("og:video:type"))
    media += [Media("video", ref, "og:video")
              for ref in map(resolve, values("og:video", "og:video:url", "og:video:secure_url"))
              if ref and (typed or _VIDEO_FILE.search(urlsplit(ref).path))]
    return _Found(tuple(f for f in facts if f.text), tuple(media), price, currency)


# --- visible HTML -----------------------------------------------------------------------------

_MIN_SIDE = 64  # pixels; smaller declared images are icons, badges or tracking pixels
_SRCSET_SPLIT = re.compile(r"(?<=\d[wx]),\s*|,\s+")


def _from_html(parser: _Parser, resolve: Callable[[str], str | None]) -> _Found:

    def in_scope(main: bool) -> bool:
        """With a <main>, only it holds the product; without, the whole page may."""
        return main or not parser.has_main

    facts = [Fact("title", parser.h1, "html:h1"), Fact("title", parser.title, "html:title")]
    facts += [Fact("bullet", item.text, "html:li") for item in parser.items
              if in_scope(item.main) and _selling_point(item)]
    media = [Media("image", ref, "html:img", img.alt) for img in parser.images
             if in_scope(img.main) and (ref := _image_ref(img, resolve))]
    media += [Media("video", ref, "html:video")
              for ref in map(resolve, parser.videos) if ref]
    return _Found(tuple(f for f in facts if f.text), tuple(media))


def _selling_point(item: _Item) -> bool:
    """A list item that says something about the product: not a menu entry or link (most
    of its text is a link), not a size or colour swatch (too short), not a whole block."""
    weight = _weight(item.text)
    return (8 <= weight <= 400 and item.link_chars * 2 < len(item.text)
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


def _image_ref(img: _Img, resolve: Callable[[str], str | None]) -> str | None:
    if any(side is not None and side < _MIN_SIDE for side in (img.width, img.height)):
        return None
    for candidate in (_largest(img.srcset), _largest(img.data_srcset), img.data_src, img.src):
        ref = resolve(candidate) if candidate else None
        name = unquote(urlsplit(ref).path.rsplit("/", 1)[-1].lower()) if ref else ""
        if ref and not _is_svg(ref) and not _ICON_NAME.search(name):
            return ref
    return None


# --- the HTML walk ----------------------------------------------------------------------------

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "menu", "menubar"})
_SECTIONING = frozenset({"main", "article", "section"})
_MICRODATA_ATTR = {"meta": "content", "img": "src", "audio": "src", "video": "src",
                   "source": "src", "embed": "src", "iframe": "src", "a": "href", "link": "href",
                   "area": "href", "object": "data", "time": "datetime", "data": "value",
                   "meter": "value"}


@dataclass(frozen=True)
class _Node:
    """One open element and what it means for everything inside it."""

    tag: str
    chrome: bool = False  # inside navigation, a site header or footer: not about the product
    main: bool = False  # inside <main> / role=main
    sectioning: bool = False  # inside main/article/section: <header>/<footer> are not site-wide
    link: bool = False  # inside <a>
    video: bool = False  # inside <video>
    svg: bool = False  # inside <svg>
    path: tuple[str, ...] | None = None  # itemprops of the scopes from the first Product down


@dataclass(frozen=True)
class _Item:
    text: str
    link_chars: int  # how much of the text is link text
    main: bool


@dataclass(frozen=True)
class _Img:
    src: str
    data_src: str
    srcset: str
    data_srcset: str
    width: int | None
    height: int | None
    alt: str
    main: bool


@dataclass
class _Capture:
    """Text being gathered until ``depth``'s element closes (mutable: it grows)."""

    kind: str  # "title" | "h1" | "li" | "jsonld" | "microdata"
    depth: int
    main: bool = False
    path: tuple[str, ...] = ()
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    nested: bool = False  # an <li> holding another list: a menu section, not a point


def _size(attrs: dict[str, str], side: str) -> int | None:
    """An image's declared width or height in pixels, from its attribute or inline style
    (tracking pixels use either); None when it is not given in pixels."""
    match = re.fullmatch(r"\s*(\d+)(?:\.\d*)?\s*(?:px)?\s*", attrs.get(side, "")) or re.search(
        rf"(?:^|;)\s*{side}\s*:\s*(\d+)(?:\.\d*)?px", attrs.get("style", ""), re.I)
    return int(match.group(1)) if match else None


class _Parser(HTMLParser):
    """One pass over the page collecting every raw ingredient; judging them is left to the
    _from_* functions. Keeps its own element stack because real pages leave tags open; what
    each element means for its content is inherited down the stack, never searched for."""

    _MAX_DEPTH = 256  # deeper elements are not tracked, so no page makes the walk quadratic

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Node] = []
        self.open_tags: Counter[str] = Counter()
        self.open: list[_Capture] = []
        self.jsonld: list[str] = []
        self.metas: list[tuple[str, str]] = []
        self.microdata: list[tuple[tuple[str, ...], str]] = []
        self.items: list[_Item] = []
        self.images: list[_Img] = []
        self.videos: list[str] = []
        self.title = ""
        self.h1 = ""
        self.base_href = ""
        self.has_main = False
        self.product_seen = False

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![word ...`` that is not CDATA or an IE conditional is skipped like a bogus
        comment, as browsers do, instead of failing the whole page (the base asserts)."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        if tag == "li" and self.open_tags["li"]:
            self._close_open_li()
        node = self._node(tag, attrs, self.stack[-1] if self.stack else _Node(""))
        self.has_main = self.has_main or node.main
        self._microdata(tag, attrs, node)
        self._collect(tag, attrs, node)
        if tag in _VOID or len(self.stack) >= self._MAX_DEPTH:
            return
        self.stack.append(node)
        self.open_tags[tag] += 1
        self._capture(tag, attrs, node)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags[tag]:
            return
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth].tag == tag:
                self._pop_to(depth)
                return

    def handle_data(self, data: str) -> None:
        if not self.open:
            return
        top = self.stack[-1] if self.stack else _Node("")
        for capture in self.open:
            if top.tag in ("script", "style") and capture.kind != "jsonld":
                continue
            capture.parts.append(data)
            if top.link and capture.kind == "li":
                capture.link_chars += len(data.strip())

    def finish(self) -> None:
        """Close what the page left open (a truncated page still yields its text)."""
        self._pop_to(0)

    def _node(self, tag: str, attrs: dict[str, str], parent: _Node) -> _Node:
        role = attrs.get("role", "").lower()
        path = parent.path
        if "itemscope" in attrs:
            if path is not None:
                path = (*path, next(iter(attrs.get("itemprop", "").split()), ""))
            elif not self.product_seen and re.search(
                    r"schema\.org/product\b", attrs.get("itemtype", ""), re.I):
                self.product_seen = tag not in _VOID
                path = ()
        return _Node(
            tag,
            chrome=parent.chrome or tag == "nav" or role in _CHROME_ROLES or (
                tag in ("header", "footer") and not parent.sectioning),
            main=parent.main or tag == "main" or role == "main",
            sectioning=parent.sectioning or tag in _SECTIONING or role == "main",
            link=parent.link or tag == "a",
            video=parent.video or tag == "video",
            svg=parent.svg or tag == "svg",
            path=path,
        )

    def _collect(self, tag: str, attrs: dict[str, str], node: _Node) -> None:
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
            if key and "content" in attrs:
                self.metas.append((key, attrs["content"]))
        elif tag == "base" and not self.base_href:
            self.base_href = attrs.get("href", "")
        elif node.chrome:
            return
        elif tag == "img" and attrs.get("role") not in ("presentation", "none"):  # decoration
            self.images.append(_Img(
                attrs.get("src", ""), attrs.get("data-src", ""), attrs.get("srcset", ""),
                attrs.get("data-srcset", ""), _size(attrs, "width"),
                _size(attrs, "height"), _squash(attrs.get("alt", "")), node.main))
        elif tag == "video" or (tag == "source" and node.video):
            self.videos += [v for v in (attrs.get("src"), attrs.get("data-src")) if v]

    def _capture(self, tag: str, attrs: dict[str, str], node: _Node) -> None:
        depth = len(self.stack) - 1
        if tag == "script" and "ld+json" in attrs.get("type", "").lower():
            self.open.append(_Capture("jsonld", depth))
        elif node.chrome:
            return
        elif tag == "title" and not self.title and not node.svg:
            self.open.append(_Capture("title", depth))
        elif tag == "h1" and not self.h1:
            self.open.append(_Capture("h1", depth))
        elif tag == "li":
            for capture in self.open:
                capture.nested = capture.nested or capture.kind == "li"
            self.open.append(_Capture("li", depth, node.main))

    def _microdata(self, tag: str, attrs: dict[str, str], node: _Node) -> None:
        """Record an itemprop of the first Product under its path ("offers", "price")."""
        names = attrs.get("itemprop", "").split()
        parent_path = self.stack[-1].path if self.stack else None
        if not names or parent_path is None or "itemscope" in attrs:
            return  # an itemscope's props carry its itemprop in their own path
        value = attrs.get("content") or attrs.get(_MICRODATA_ATTR.get(tag, ""), "")
        if value or tag in _VOID:
            self.microdata += [((*parent_path, name), value) for name in names]
        elif len(self.stack) < self._MAX_DEPTH:
            self.open += [_Capture("microdata", len(self.stack), path=(*parent_path, name))
                          for name in names]

    def _close_open_li(self) -> None:
        """A new <li> ends an unclosed sibling <li> (but not the <li> holding its list)."""
        for depth in range(len(self.stack) - 1, -1, -1):
            tag = self.stack[depth].tag
            if tag in ("ul", "ol", "menu"):
                return
            if tag == "li":
                self._pop_to(depth)
                return

    def _pop_to(self, depth: int) -> None:
        for node in self.stack[depth:]:
            self.open_tags[node.tag] -= 1
        del self.stack[depth:]
        while self.open and self.open[-1].depth >= depth:
            self._finish(self.open.pop())

    def _finish(self, capture: _Capture) -> None:
        text = "".join(capture.parts)
        if capture.kind == "jsonld":
            self.jsonld.append(text)
        elif capture.kind == "title":
            self.title = _squash(text)
        elif capture.kind == "h1":
            self.h1 = _squash(text)
        elif capture.kind == "microdata":
            self.microdata.append((capture.path, text))
        elif capture.kind == "li" and not capture.nested:
            self.items.append(_Item(_squash(text), capture.link_chars, capture.main))
