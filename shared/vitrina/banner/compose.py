"""Layout, render and evaluate composed in-process: one product in, ranked variants out.

The state machine runs the same three steps as separate stages, one Map item per
(size, template); this module is what the CLI's sheet, the benchmark and the tests call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

from vitrina.banner import evaluate, layout, render
from vitrina.banner.analyse import ProductAnalysis
from vitrina.banner.document import Assets, Layout
from vitrina.banner.templates import Template, load_templates
from vitrina.color import Palette

DEFAULT_ORDER = (
    "clean-white", "gradient-glow", "bold-promo", "split-panel", "editorial-serif",
    "dark-luxury", "festival-red-gold", "pastel-soft", "tech-night", "minimal-center",
    "sport-diagonal", "stacked-colour-block", "full-frame-scene",
)
EXTRA_CANDIDATES = 2  # rendered beyond the number asked for, so near-duplicates can be dropped


class DesignInputs(Protocol):
    """What a variant is designed from: :class:`Inputs`, or the stages' inputs that are
    fetched from storage on first use (so a design reads only what its template shows)."""

    @property
    def photo(self) -> np.ndarray: ...
    @property
    def cutout(self) -> np.ndarray | None: ...
    @property
    def saliency(self) -> np.ndarray: ...
    @property
    def palette(self) -> Palette: ...
    @property
    def scene(self) -> np.ndarray | None: ...
    @property
    def scene_saliency(self) -> np.ndarray | None: ...
    @property
    def logo(self) -> np.ndarray | None: ...


@dataclass
class Inputs:
    """Everything a variant is designed from, decoded."""

    photo: np.ndarray  # the product photo, RGB
    analysis: ProductAnalysis
    scene: np.ndarray | None = None
    scene_saliency: np.ndarray | None = None
    logo: np.ndarray | None = None

    @property
    def cutout(self) -> np.ndarray | None:
        return self.analysis.cutout

    @property
    def saliency(self) -> np.ndarray:
        return self.analysis.saliency

    @property
    def palette(self) -> Palette:
        return self.analysis.palette


@dataclass
class Variant:
    template: str
    width: int
    height: int
    layout: Layout
    image: Image.Image
    evaluation: dict
    prior: float | None = None

    def summary(self, order: int) -> dict:
        return {"template": self.template, "evaluation": self.evaluation, "prior": self.prior,
                "order": order}


def assets_for(template: Template, inputs: DesignInputs) -> Assets:
    """The scene template shows a scene (the user's, or the photo itself); the others show
    the cutout, or the photo as a scene when it has no clear subject. Only the inputs shown
    are read."""
    scene_template = template.arrangement == "scene"
    if scene_template and inputs.scene is not None:
        return Assets(product=inputs.cutout, scene=inputs.scene,
                      scene_saliency=inputs.scene_saliency, logo=inputs.logo)
    if scene_template or inputs.cutout is None:
        return Assets(scene=inputs.photo, scene_saliency=inputs.saliency, logo=inputs.logo)
    return Assets(product=inputs.cutout, logo=inputs.logo)


def design(template: Template, width: int, height: int, copy: layout.Copy,
           inputs: DesignInputs) -> Variant:
    assets = assets_for(template, inputs)
    solved, base = layout.solve_with_backdrop(template, width, height, copy, inputs.palette,
                                              assets)
    image = render.add_text(base, solved)
    checked = evaluate.evaluate(solved, np.asarray(image), assets, backdrop=np.asarray(base))
    return Variant(template=template.name, width=width, height=height, layout=solved,
                   image=image, evaluation=checked.to_dict())


def pick(names: Iterable[str], preferred: Iterable[str], count: int) -> list[str]:
    """The first ``count`` of ``names``: those in ``preferred`` first, in its order, then the
    rest in their own."""
    names = list(names)
    ordered = [n for n in preferred if n in names]
    ordered += [n for n in names if n not in ordered]
    return ordered[:count]


def candidates(order: list[str] | None, count: int) -> list[Template]:
    templates = load_templates()
    return [templates[n] for n in pick(templates, order or DEFAULT_ORDER, count)]


def compose(inputs: Inputs, copy: layout.Copy, sizes: list[tuple[int, int]], variants: int = 6,
            order: list[str] | None = None, priors: dict[str, float] | None = None
            ) -> dict[tuple[int, int], tuple[list[Variant], list[dict]]]:
    """For each size: the ranked variants kept, and what was dropped and why."""
    for width, height in sizes:
        layout.check_size(width, height)
    chosen = candidates(order, variants + EXTRA_CANDIDATES)
    out: dict[tuple[int, int], tuple[list[Variant], list[dict]]] = {}
    for width, height in sizes:
        designed = {}
        for template in chosen:
            variant = design(template, width, height, copy, inputs)
            variant.prior = (priors or {}).get(template.name)
            designed[template.name] = variant
        kept, dropped = evaluate.rank([v.summary(i) for i, v in enumerate(designed.values())],
                                      variants)
        out[(width, height)] = ([designed[k["template"]] for k in kept], dropped)
    return out
