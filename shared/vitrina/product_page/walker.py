"""One pass over the page's HTML that collects every raw ingredient; judging them is left to
the source modules (jsonld, microdata, meta, visible).

The standard library's tolerant HTMLParser does the tokenising; this walk keeps its own
element stack because real pages leave tags open, and what each element means for its
content (navigation, <main>, a link, a Product scope) is inherited down the stack, never
searched for, so the walk stays linear in the page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from vitrina.product_page.text import squash

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "menu", "menubar"})
_SECTIONING = frozenset({"main", "article", "section"})
_MICRODATA_ATTR = {"meta": "content", "img": "src", "audio": "src", "video": "src",
                   "source": "src", "embed": "src", "iframe": "src", "a": "href", "link": "href",
                   "area": "href", "object": "data", "time": "datetime", "data": "value",
                   "meter": "value"}


@dataclass(frozen=True)
class Node:
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
class Item:
    text: str
    link_chars: int  # how much of the text is link text
    main: bool


@dataclass(frozen=True)
class Img:
    src: str
    data_src: str
    srcset: str
    data_srcset: str
    width: int | None
    height: int | None
    alt: str
    main: bool


@dataclass
class Capture:
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


class Walker(HTMLParser):
    """One pass over the page collecting every raw ingredient; judging them is left to the
    _from_* functions. Keeps its own element stack because real pages leave tags open; what
    each element means for its content is inherited down the stack, never searched for."""

    _MAX_DEPTH = 256  # deeper elements are not tracked, so no page makes the walk quadratic

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Node] = []
        self.open_tags: Counter[str] = Counter()
        self.open: list[Capture] = []
        self.jsonld: list[str] = []
        self.metas: list[tuple[str, str]] = []
        self.microdata: list[tuple[tuple[str, ...], str]] = []
        self.items: list[Item] = []
        self.images: list[Img] = []
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
        node = self._node(tag, attrs, self.stack[-1] if self.stack else Node(""))
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
        top = self.stack[-1] if self.stack else Node("")
        for capture in self.open:
            if top.tag in ("script", "style") and capture.kind != "jsonld":
                continue
            capture.parts.append(data)
            if top.link and capture.kind == "li":
                capture.link_chars += len(data.strip())

    def finish(self) -> None:
        """Close what the page left open (a truncated page still yields its text)."""
        self._pop_to(0)

    def _node(self, tag: str, attrs: dict[str, str], parent: Node) -> Node:
        role = attrs.get("role", "").lower()
        path = parent.path
        if "itemscope" in attrs:
            if path is not None:
                path = (*path, next(iter(attrs.get("itemprop", "").split()), ""))
            elif not self.product_seen and re.search(
                    r"schema\.org/product\b", attrs.get("itemtype", ""), re.I):
                self.product_seen = tag not in _VOID
                path = ()
        return Node(
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

    def _collect(self, tag: str, attrs: dict[str, str], node: Node) -> None:
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
            if key and "content" in attrs:
                self.metas.append((key, attrs["content"]))
        elif tag == "base" and not self.base_href:
            self.base_href = attrs.get("href", "")
        elif node.chrome:
            return
        elif tag == "img" and attrs.get("role") not in ("presentation", "none"):  # decoration
            self.images.append(Img(
                attrs.get("src", ""), attrs.get("data-src", ""), attrs.get("srcset", ""),
                attrs.get("data-srcset", ""), _size(attrs, "width"),
                _size(attrs, "height"), squash(attrs.get("alt", "")), node.main))
        elif tag == "video" or (tag == "source" and node.video):
            self.videos += [v for v in (attrs.get("src"), attrs.get("data-src")) if v]

    def _capture(self, tag: str, attrs: dict[str, str], node: Node) -> None:
        depth = len(self.stack) - 1
        if tag == "script" and "ld+json" in attrs.get("type", "").lower():
            self.open.append(Capture("jsonld", depth))
        elif node.chrome:
            return
        elif tag == "title" and not self.title and not node.svg:
            self.open.append(Capture("title", depth))
        elif tag == "h1" and not self.h1:
            self.open.append(Capture("h1", depth))
        elif tag == "li":
            for capture in self.open:
                capture.nested = capture.nested or capture.kind == "li"
            self.open.append(Capture("li", depth, node.main))

    def _microdata(self, tag: str, attrs: dict[str, str], node: Node) -> None:
        """Record an itemprop of the first Product under its path ("offers", "price")."""
        names = attrs.get("itemprop", "").split()
        parent_path = self.stack[-1].path if self.stack else None
        if not names or parent_path is None or "itemscope" in attrs:
            return  # an itemscope's props carry its itemprop in their own path
        value = attrs.get("content") or attrs.get(_MICRODATA_ATTR.get(tag, ""), "")
        if value or tag in _VOID:
            self.microdata += [((*parent_path, name), value) for name in names]
        elif len(self.stack) < self._MAX_DEPTH:
            self.open += [Capture("microdata", len(self.stack), path=(*parent_path, name))
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

    def _finish(self, capture: Capture) -> None:
        text = "".join(capture.parts)
        if capture.kind == "jsonld":
            self.jsonld.append(text)
        elif capture.kind == "title":
            self.title = squash(text)
        elif capture.kind == "h1":
            self.h1 = squash(text)
        elif capture.kind == "microdata":
            self.microdata.append((capture.path, text))
        elif capture.kind == "li" and not capture.nested:
            self.items.append(Item(squash(text), capture.link_chars, capture.main))
