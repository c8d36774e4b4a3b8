"""A detail page as the database keeps it: every fact with where it came from.

A record is what the product is for: the structured information of a page (its product
fields, modules, texts, tables, attributes and images), searchable and the source of every
rebuilt page. Each fact carries its provenance (a JSON-LD path, a selector, "ocr:module 3"), so
a rebuilt page can say where each line came from and never states what the page did not.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from vitrina.product_page.prices import amount

ANALYSIS_VERSION = "1"  # bumped when analysis changes what a record holds

ModuleKind = Literal["photo", "text", "selling_points", "table", "size_chart", "banner", "other"]


class Sourced(BaseModel):
    """A value and where it came from."""

    value: str
    source: str


class Attribute(BaseModel):
    key: str
    value: str
    source: str


class Line(BaseModel):
    """A line of text read from an image, in page coordinates."""

    text: str
    score: float = Field(description="recognition confidence, 0..1")
    box: tuple[int, int, int, int] = Field(description="left, top, right, bottom")
    on_photo: bool = Field(False, description="printed on a product photo, not the page's copy")


class TableData(BaseModel):
    rows: list[list[str]]
    source: str


class Module(BaseModel):
    """One horizontal block of a long image, between blank or uniform bands."""

    index: int
    image: int = Field(0, description="which of the page's long images (0-based)")
    kind: ModuleKind
    box: tuple[int, int, int, int] = Field(description="left, top, right, bottom in the image")
    crop: str = Field(description="storage key of the module's crop (PNG)")
    lines: list[Line] = Field(default_factory=list)
    table: TableData | None = None
    why: str = Field("", description="what decided the kind")


class MediaRef(BaseModel):
    kind: Literal["image", "video"]
    ref: str
    source: str
    alt: str = ""


class PageRecord(BaseModel):
    """One analysed page, one version. Fields the page does not state stay None/empty."""

    page_id: str
    version: int = 0
    analysis_version: str = ANALYSIS_VERSION
    created_at: int = 0
    source: str = Field(description="the URL, file names or manifest it was read from")
    language: str = "und"
    title: Sourced | None = None
    brand: Sourced | None = None
    category: Sourced | None = None
    price: Sourced | None = None
    currency: Sourced | None = None
    availability: Sourced | None = None
    sku: Sourced | None = None
    gtin: Sourced | None = None
    mpn: Sourced | None = None
    attributes: list[Attribute] = Field(default_factory=list)
    selling_points: list[Sourced] = Field(default_factory=list)
    description: list[Sourced] = Field(default_factory=list)
    tables: list[TableData] = Field(default_factory=list)
    media: list[MediaRef] = Field(default_factory=list)
    modules: list[Module] = Field(default_factory=list)
    image_sizes: list[tuple[int, int]] = Field(default_factory=list,
                                               description="(width, height) of each long image")
    evaluation: dict[str, float | int | str] = Field(default_factory=dict)

    def texts(self) -> list[Sourced]:
        """Every text of the page in reading order: fields, then each module's lines."""
        found = [f for f in (self.title, self.brand, self.category) if f is not None]
        found += self.selling_points + self.description
        found += [Sourced(value=f"{a.key}: {a.value}", source=a.source) for a in self.attributes]
        found += [Sourced(value=" | ".join(row), source=t.source)
                  for t in self.tables for row in t.rows]
        for module in self.modules:
            found += [Sourced(value=line.text, source=f"ocr:module {module.index}")
                      for line in module.lines]
        return found

    def price_value(self) -> float | None:
        """The price as a number for range queries (the page's own text stays in ``price``),
        read by the page parser's rule for either way of writing it."""
        value = amount(self.price.value) if self.price is not None else None
        return float(value) if value is not None else None
