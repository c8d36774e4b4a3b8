"""The layout document: every element's box, text, font, size and colour.

It is both the solver's output and the renderer's only input, so the JSON written beside each
banner re-renders the same image, and the evaluate stage checks the same geometry it drew.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

Box = tuple[int, int, int, int]  # left, top, right, bottom (right/bottom exclusive)

TEXT, UNDERLAY, PRODUCT, LOGO, DECOR = "text", "underlay", "product", "logo", "decor"


@dataclass
class Element:
    id: str
    kind: str  # text | underlay | product | logo | decor
    box: Box
    z: int
    color: str | None = None
    opacity: float = 1.0
    # rect | circle | burst | ribbon | ring | stripes | dots | confetti | frame; for the
    # product: its shadow (contact | drop)
    shape: str | None = None
    radius: int = 0
    text: dict[str, Any] | None = None  # a serialised vitrina.typesetting.TextBlock
    style: dict[str, Any] | None = None  # a serialised vitrina.typesetting.TextStyle
    strike: bool = False
    seed: int = 0

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


@dataclass
class BackgroundSpec:
    kind: str  # solid | gradient | radial | split | scene
    colors: list[str]
    angle: float = 90.0
    center: tuple[int, int] | None = None  # radial
    panels: list[Box] = field(default_factory=list)  # split: one box per colour
    crop: Box | None = None  # scene: the region of the scene photo shown
    scene_box: Box | None = None  # scene: where it is drawn (None: the whole canvas)


@dataclass
class Layout:
    template: str
    width: int
    height: int
    background: BackgroundSpec
    elements: list[Element]
    palette: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layout:
        bg = dict(data["background"])
        bg["panels"] = [tuple(p) for p in bg.get("panels", [])]
        for key in ("center", "crop", "scene_box"):
            if bg.get(key) is not None:
                bg[key] = tuple(bg[key])
        elements = [Element(**{**e, "box": tuple(e["box"])}) for e in data["elements"]]
        return cls(
            template=data["template"],
            width=int(data["width"]),
            height=int(data["height"]),
            background=BackgroundSpec(**bg),
            elements=elements,
            palette=data["palette"],
            warnings=list(data.get("warnings", [])),
        )

    def by_kind(self, *kinds: str) -> list[Element]:
        return [e for e in self.elements if e.kind in kinds]


@dataclass
class Assets:
    """The pixels a layout refers to: the product cutout, a scene photo, a logo."""

    product: np.ndarray | None = None  # RGBA uint8, cropped to the subject's tight box
    scene: np.ndarray | None = None  # RGB uint8
    scene_saliency: np.ndarray | None = None  # float32 [0,1], any size (resized to the scene)
    logo: np.ndarray | None = None  # RGBA uint8
