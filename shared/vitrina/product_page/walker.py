"""One pass over the page's HTML that collects every raw ingredient; judging them is left to
the source modules (jsonld, microdata, meta, visible, prices, availability, tables).

The standard library's tolerant HTMLParser does the tokenising; this walk keeps its own
element stack because real pages leave tags open, and what each element means for its
content (navigation, <main>, a link, a crossed-out price, a Product scope) is inherited down
the stack (see nodes), never searched for, so the walk stays linear in the page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from vitrina.product_page.nodes import (
    OFFER_TYPE,
    PRODUCT_TYPE,
    Node,
    child,
    prop_names,
    size,
)
from vitrina.product_page.text import squash

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
# Elements that start a new line of text where a browser would.
_BLOCK = frozenset({"address", "article", "aside", "blockquote", "br", "button", "dd", "details",
                    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
                    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
                    "nav", "ol", "option", "p", "pre", "section", "select", "summary", "table",
                    "tbody", "td", "tfoot", "th", "thead", "tr", "ul"})
_TEXTLESS = frozenset({"script", "style", "template", "noscript"})
# An open element of the key closes when a sibling opens, unless one of the value opens first.
_IMPLIED_END = {"li": frozenset({"ul", "ol", "menu"}), "dt": frozenset({"dl"}),
                "dd": frozenset({"dl"}), "td": frozenset({"tr", "table"}),
                "th": frozenset({"tr", "table"}), "tr": frozenset({"table"})}
_SIBLINGS = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd"), "td": ("td", "th"),
             "th": ("td", "th"), "tr": ("tr",)}
_MAX_OPENINGS = 16  # "<" before one ">"; more cannot all be markup
# Fed last: closes a quote, then a comment or a tag, left open at the end of the page.
_SENTINEL = "'\"-->"


def defuse(html: str) -> str:
    """The page with every "<" that cannot open a tag written as text: where many "<" come
    before the next ">" (unclosed "<a <a <a", "<!--<!--"), only the last can be a tag's start.
    The standard library's parser rescans the rest of the page from each such "<", so a
    few hundred kilobytes of them would take it hours; browsers read them as text too."""
    segments = html.split(">")
    if all(segment.count("<") <= _MAX_OPENINGS for segment in segments):
        return html
    return ">".join(
        segment if segment.count("<") <= _MAX_OPENINGS else
        segment[:(last := segment.rfind("<"))].replace("<", "&lt;") + segment[last:]
        for segment in segments)


_MICRODATA_ATTR = {"meta": "content", "img": "src", "audio": "src", "video": "src",
                   "source": "src", "embed": "src", "iframe": "src", "a": "href", "link": "href",
                   "area": "href", "object": "data", "time": "datetime", "data": "value",
                   "meter": "value"}


@dataclass(frozen=True)
class Item:
    """A list item's text, to judge as a selling point or a name/value pair."""

    text: str
    link_chars: int  # how much of the text is link text
    main: bool


@dataclass(frozen=True)
class Img:
    """An <img> as written, to judge as a product picture."""

    src: str
    data_src: str
    srcset: str
    data_srcset: str
    width: int | None
    height: int | None
    alt: str
    main: bool
    order: int  # position among the page's images and videos


@dataclass(frozen=True)
class Video:
    """A <video> (or its <source>) reference."""

    src: str
    order: int


@dataclass
class Line:
    """Visible text between two block boundaries, with the element each part came from."""

    parts: list[str] = field(default_factory=list)
    nodes: list[tuple[int, Node]] = field(default_factory=list)  # (offset, node) per part
    length: int = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def node_at(self, offset: int) -> Node:
        return next(node for start, node in reversed(self.nodes) if start <= offset)


@dataclass(frozen=True)
class Hinted:
    """An element whose class or id says what it holds (a code, a brand, a description)."""

    kind: str
    text: str
    selector: str
    main: bool
    link: bool


@dataclass(frozen=True)
class Button:
    """A button's words: "Add to cart" says the product can be ordered."""

    text: str
    disabled: bool
    main: bool


@dataclass
class Capture:
    """Text or rows being gathered until ``depth``'s element closes (mutable: it grows)."""

    kind: str  # "title" | "h1" | "li" | "jsonld" | "microdata" | "cell" | "tr" | "table" | ...
    depth: int
    node: Node
    path: tuple[str, ...] = ()
    parts: list[str] = field(default_factory=list)  # text; a row's cells
    rows: list[list[str]] = field(default_factory=list)  # a table's rows
    link_chars: int = 0
    nested: bool = False  # an <li> holding another list: a menu section, not a point
    disabled: bool = False


class Walker(HTMLParser):
    """Feed it a page, call ``finish``, then read the lists it filled."""

    _MAX_DEPTH = 256  # deeper elements are not tracked, so no page makes the walk quadratic
    _MAX_CAPTURES = 32  # texts gathered at once: every text node is added to each of them

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Node] = []
        self.open_tags: Counter[str] = Counter()
        self.open: list[Capture] = []
        self.jsonld: list[str] = []
        self.metas: list[tuple[str, str]] = []
        self.microdata: list[tuple[tuple[str, ...], str]] = []
        self.syntax = ""  # "microdata" or "rdfa": how the page's Product scope is written
        self.items: list[Item] = []
        self.images: list[Img] = []
        self.videos: list[Video] = []
        self.lines: list[Line] = [Line()]
        self.h1_line = -1  # the line where the first <h1> starts
        self.tables: list[tuple[tuple[tuple[str, ...], ...], str]] = []
        self.pairs: list[tuple[str, str]] = []  # <dt>, <dd>
        self.hinted: list[Hinted] = []
        self.buttons: list[Button] = []
        self.title = ""
        self.h1 = ""
        self.base_href = ""
        self.lang = ""  # <html lang>, e.g. "zh-TW"
        self.has_main = False
        self._term = ""  # the last <dt>, waiting for its <dd>
        self._closing = False
        self._media = 0

    def feed(self, data: str) -> None:
        super().feed(defuse(data))

    def close(self) -> None:
        """End the page as browsers do: an attribute value or a comment still open runs to
        the end (without the sentinel that closes them, the standard library's parser would
        rescan the rest of the page from every later "<", in quadratic time)."""
        self._closing = True
        super().feed(_SENTINEL)
        super().close()

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
        if tag in _IMPLIED_END:
            self._close_sibling(tag)
        if tag in _BLOCK:
            self._break()
        parent = self.stack[-1] if self.stack else Node("")
        node = child(tag, attrs, parent, self._scope(tag, attrs, parent))
        self.has_main = self.has_main or node.main
        self._microdata(tag, attrs, node)
        self._collect(tag, attrs, node)
        if tag in _VOID or len(self.stack) >= self._MAX_DEPTH:
            return
        self.stack.append(node)
        self.open_tags[tag] += 1
        self._capture(tag, attrs, node)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK:
            self._break()
        if not self.open_tags[tag]:
            return
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth].tag == tag:
                self._pop_to(depth)
                return

    def handle_data(self, data: str) -> None:
        if self._closing:
            data = data.removesuffix(_SENTINEL)
        top = self.stack[-1] if self.stack else Node("")
        textless = top.tag in _TEXTLESS
        for capture in self.open:
            if capture.kind in ("tr", "table") or (textless and capture.kind != "jsonld"):
                continue
            capture.parts.append(data)
            if top.link and capture.kind == "li":
                capture.link_chars += len(data.strip())
        if not (textless or top.hidden or top.chrome) and data.strip():
            line = self.lines[-1]
            if line.parts and line.parts[-1][-1:].isdigit() and data[:1].isdigit():
                # "173<sup>34</sup>" is 173.34, as shops set cents; "$200" and "2 bids" in
                # two elements are not "$2002".
                cents = top.tag == "sup" and len(data) == 2
                data = ("." if cents else " ") + data
            line.nodes.append((line.length, top))
            line.parts.append(data)
            line.length += len(data)

    def finish(self) -> None:
        """Close what the page left open (a truncated page still yields its text)."""
        self._pop_to(0)
        self._break()

    def _break(self) -> None:
        """End the current line (at a block element's start or end)."""
        if self.lines[-1].parts:
            self.lines.append(Line())

    def _scope(self, tag: str, attrs: dict[str, str], parent: Node) -> tuple[str, ...] | None:
        """The prop path of a microdata (itemscope) or RDFa (typeof) scope: the first Product
        is the root; an Offer before any Product stands for the product's offers."""
        path = parent.path
        if "itemscope" not in attrs and "typeof" not in attrs:
            return path
        if path is not None:
            return (*path, next(iter(prop_names(attrs)), ""))
        kind = attrs.get("itemtype") or attrs.get("typeof") or ""
        if not self.syntax and PRODUCT_TYPE.search(kind) and tag not in _VOID:
            self.syntax = "microdata" if "itemscope" in attrs else "rdfa"
            return ()
        if not self.syntax and OFFER_TYPE.search(kind) and tag not in _VOID:
            return ("offers",)
        return None

    def _collect(self, tag: str, attrs: dict[str, str], node: Node) -> None:
        """Record what an element says by its attributes alone (meta, base, img, video)."""
        if tag == "html":
            self.lang = attrs.get("lang", "") or attrs.get("xml:lang", "")
        elif tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
            if key and "content" in attrs:
                self.metas.append((key, attrs["content"]))
        elif tag == "base" and not self.base_href:
            self.base_href = attrs.get("href", "")
        elif node.chrome:
            return
        elif tag == "img" and attrs.get("role") not in ("presentation", "none"):  # decoration
            self._media += 1
            self.images.append(Img(
                attrs.get("src", ""), attrs.get("data-src", ""), attrs.get("srcset", ""),
                attrs.get("data-srcset", ""), size(attrs, "width"),
                size(attrs, "height"), squash(attrs.get("alt", "")), node.main, self._media))
        elif tag == "video" or (tag == "source" and node.video):
            for src in (attrs.get("src"), attrs.get("data-src")):
                if src:
                    self._media += 1
                    self.videos.append(Video(src, self._media))
        elif tag == "input" and attrs.get("type", "").lower() in ("submit", "button"):
            self.buttons.append(Button(squash(attrs.get("value", "")), "disabled" in attrs,
                                       node.main))

    def _capture(self, tag: str, attrs: dict[str, str], node: Node) -> None:
        """Start gathering the text of an element whose text is wanted when it closes."""
        depth = len(self.stack) - 1

        def start(kind: str, **extra: bool) -> None:
            if len(self.open) < self._MAX_CAPTURES:
                self.open.append(Capture(kind, depth, node, **extra))

        if tag == "script" and "ld+json" in attrs.get("type", "").lower():
            start("jsonld")
            return
        if node.chrome:
            return
        if tag == "title" and not self.title and not node.svg:
            start("title")
        elif tag == "h1" and not self.h1:
            self.h1_line = len(self.lines) - 1
            start("h1")
        elif tag == "li":
            for capture in self.open:
                capture.nested = capture.nested or capture.kind == "li"
            start("li")
        elif tag in ("table", "tr", "dt", "dd"):
            start(tag)
        elif tag == "button":
            start(tag, disabled="disabled" in attrs or attrs.get("aria-disabled") == "true")
        elif tag in ("td", "th"):
            start("cell")
        if node.hint:
            start("hint")

    def _microdata(self, tag: str, attrs: dict[str, str], node: Node) -> None:
        """Record a prop of the first Product under its path ("offers", "price")."""
        names = prop_names(attrs)
        parent_path = self.stack[-1].path if self.stack else None
        if not names or parent_path is None or "itemscope" in attrs or "typeof" in attrs:
            return  # a scope's props carry its own prop name in their path
        value = (attrs.get("content") or attrs.get(_MICRODATA_ATTR.get(tag, ""), "")
                 or attrs.get("resource", ""))
        if value or tag in _VOID:
            self.microdata += [((*parent_path, name), value) for name in names]
        elif len(self.stack) < self._MAX_DEPTH and len(self.open) < self._MAX_CAPTURES:
            self.open += [Capture("microdata", len(self.stack), node, path=(*parent_path, name))
                          for name in names]

    def _close_sibling(self, tag: str) -> None:
        """A new <li>/<td>/<tr>/<dt>/<dd> ends an unclosed sibling, not its container's."""
        for depth in range(len(self.stack) - 1, -1, -1):
            open_tag = self.stack[depth].tag
            if open_tag in _IMPLIED_END[tag]:
                return
            if open_tag in _SIBLINGS[tag]:
                self._pop_to(depth)
                return

    def _pop_to(self, depth: int) -> None:
        for node in self.stack[depth:]:
            self.open_tags[node.tag] -= 1
        del self.stack[depth:]
        while self.open and self.open[-1].depth >= depth:
            self._finish(self.open.pop())

    def _innermost(self, kind: str) -> Capture | None:
        return next((c for c in reversed(self.open) if c.kind == kind), None)

    def _finish(self, capture: Capture) -> None:
        """File a closed element's text where it belongs (a table's row, a pair, ...)."""
        text = squash("".join(capture.parts)) if capture.kind != "jsonld" else ""
        kind, node = capture.kind, capture.node
        if kind == "jsonld":
            self.jsonld.append("".join(capture.parts))
        elif kind == "title":
            self.title = text
        elif kind == "h1":
            self.h1 = text
        elif kind == "microdata":
            self.microdata.append((capture.path, text))
        elif kind == "li" and not capture.nested:
            self.items.append(Item(text, capture.link_chars, node.main))
        elif kind == "cell" and (row := self._innermost("tr")):
            row.parts.append(text)
        elif kind == "tr" and capture.parts and (table := self._innermost("table")):
            table.rows.append(capture.parts)
        elif kind == "table" and capture.rows:
            self.tables.append((tuple(map(tuple, capture.rows)), node.selector))
        elif kind == "dt":
            self._term = text
        elif kind == "dd" and self._term and text:
            self.pairs.append((self._term, text))
        elif kind == "button":
            self.buttons.append(Button(text, capture.disabled, node.main))
        elif kind == "hint" and text:
            self.hinted.append(Hinted(node.hint, text, node.selector, node.main, node.link))
