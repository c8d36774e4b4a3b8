"""Designer templates: data files that name roles, relations and typography, never pixel boxes.

A template says *what* goes where relative to what ("product on the right, a serif headline
above a struck-through price, a gold frame"); :mod:`vitrina.banner.layout` turns that into
boxes for any canvas size. Templates live in ``templates/*.json`` beside this module, so a
designer adds a style without touching code.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Align = Literal["left", "center", "right"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextRole(_Spec):
    """Typography of one text role; sizes are fractions of the canvas's short side."""

    family: str = "inter"
    cjk_family: str = "noto-sans-sc"
    weight: int = Field(700, ge=100, le=900)
    size: float = Field(0.1, gt=0, le=0.5)
    min_px: int = Field(11, ge=6)
    max_lines: int = Field(2, ge=1, le=12)
    line_spacing: float = Field(1.15, ge=0.9, le=2.0)
    uppercase: bool = False
    color: str = "auto"
    overflow: Literal["ellipsis", "drop"] = "ellipsis"


class ButtonStyle(_Spec):
    fill: str = "palette.vivid"
    radius: float = Field(0.5, ge=0, le=0.5)  # fraction of the button's height
    text: TextRole = TextRole(size=0.055, weight=700, max_lines=1)


class BadgeStyle(_Spec):
    shape: Literal["burst", "circle", "pill", "ribbon"] = "burst"
    fill: str = "palette.vivid"
    size: float = Field(0.22, gt=0.05, le=0.4)  # fraction of the short side
    text: TextRole = TextRole(size=0.05, weight=800, max_lines=2, min_px=9)


class PriceStyle(_Spec):
    prefix: str = "¥"
    price: TextRole = TextRole(size=0.11, weight=800, max_lines=1, color="palette.vivid")
    original: TextRole = TextRole(size=0.05, weight=400, max_lines=1, color="auto")
    burst: bool = False
    burst_fill: str = "palette.vivid"


class Background(_Spec):
    kind: Literal["solid", "gradient", "radial", "split", "scene"] = "solid"
    colors: tuple[str, ...] = ("white",)
    angle: float = 90.0  # gradient direction in degrees, 90 = top to bottom


class Decor(_Spec):
    shape: Literal["circle", "ring", "stripes", "dots", "confetti", "frame", "floor"]
    color: str = "palette.light"
    opacity: float = Field(1.0, ge=0, le=1)
    anchor: Literal["product", "canvas"] = "product"
    scale: float = Field(1.0, gt=0, le=3)


class Template(_Spec):
    name: str
    title: str
    description: str
    tags: tuple[str, ...] = ()
    background: Background = Background()
    arrangement: Literal["side", "stack", "scene"] = "side"
    product_side: Literal["left", "right"] = "right"
    text_first: bool = True  # in a stacked layout, text above the product
    product_share: float = Field(0.5, ge=0.2, le=0.75)
    product_fill: float = Field(0.9, ge=0.4, le=1.0)
    shadow: Literal["none", "contact", "drop"] = "contact"
    text_align: Align = "left"
    text_valign: Literal["top", "center", "bottom"] = "center"
    gap: float = Field(0.03, ge=0, le=0.1)
    headline: TextRole = TextRole(size=0.11, weight=800, max_lines=3)
    subheadline: TextRole = TextRole(size=0.05, weight=400, max_lines=3)
    price: PriceStyle = PriceStyle()
    cta: ButtonStyle = ButtonStyle()
    badge: BadgeStyle = BadgeStyle()
    plate: str = "palette.dark"  # behind text wherever no ink colour reaches the contrast floor
    decor: tuple[Decor, ...] = ()


@functools.lru_cache(maxsize=1)
def load_templates() -> dict[str, Template]:
    folder = resources.files("vitrina.banner") / "templates"
    found: dict[str, Template] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            template = Template.model_validate(json.loads(entry.read_text(encoding="utf-8")))
            found[template.name] = template
    return found


def get_template(name: str) -> Template:
    from vitrina.errors import InputError

    templates = load_templates()
    if name not in templates:
        raise InputError(f"unknown template {name!r}; available: {', '.join(templates)}")
    return templates[name]
