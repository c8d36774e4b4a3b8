"""The layout solver: a template's roles placed on any canvas from 300x250 to 3000x3000.

Guarantees, by construction and re-checked by :mod:`vitrina.banner.evaluate`: text elements
never overlap each other, text fits its box (it shrinks to a minimum size, wraps, then follows
the role's overflow rule), everything stays inside the safe margins, and every text reaches
4.5:1 contrast against what is drawn behind it (a plate is added where no ink colour does).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from vitrina import typesetting as textlayout
from vitrina.banner import render
from vitrina.banner.document import (
    DECOR,
    LOGO,
    PRODUCT,
    TEXT,
    UNDERLAY,
    Assets,
    BackgroundSpec,
    Box,
    Element,
    Layout,
)
from vitrina.banner.templates import Template, TextRole
from vitrina.color import INK, MIN_CONTRAST, WHITE, Palette, best_ink, rgb_to_hex

MIN_SIDE, MAX_SIDE = 250, 3000
MIN_ASPECT, MAX_ASPECT = 0.25, 4.0
MARGIN = 0.05  # safe margin, fraction of the short side
# Most of the product's salient area that text may cover (the evaluate stage's limit is 5%).
SALIENT_COVER_LIMIT = 0.04
BURST_INSET = 0.58  # the square a starburst's inner circle holds, as a share of its side


@dataclass(frozen=True)
class Copy:
    title: str
    subtitle: str = ""
    price: str = ""
    original_price: str = ""
    cta: str = ""
    badge: str = ""


@dataclass
class _Item:
    """One row of the text stack while it is being fitted."""

    id: str
    text: str
    role: TextRole
    max_width: float
    optional: bool
    block: textlayout.TextBlock | None = None
    pad: tuple[float, float] = (0.0, 0.0)  # horizontal, vertical padding of an underlay
    burst: bool = False  # drawn inside a starburst: the text gets its inscribed square
    companion: _Item | None = None  # the original price, beside the price


@dataclass
class _Plan:
    elements: list[Element] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    roles: dict[str, TextRole] = field(default_factory=dict)


def check_size(width: int, height: int) -> None:
    from vitrina.errors import InputError, UnsupportedSize

    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise InputError(f"size {width}x{height} is outside {MIN_SIDE}..{MAX_SIDE} pixels a side")
    if not MIN_ASPECT <= width / height <= MAX_ASPECT:
        raise UnsupportedSize(f"size {width}x{height} has an aspect ratio outside 1:4..4:1: "
                              "the layouts fill such a strip badly")


def safe_margin(width: int, height: int) -> int:
    """The safe margin of a canvas in pixels: text, logo and product stay this far inside
    its edges."""
    return max(8, round(min(width, height) * MARGIN))


def style_of(role: TextRole, align: str) -> textlayout.TextStyle:
    return textlayout.TextStyle(
        family=role.family,
        cjk_family=role.cjk_family,
        weight=role.weight,
        line_spacing=role.line_spacing,
        uppercase=role.uppercase,
        align=align,
    )


def solve(
    template: Template, width: int, height: int, copy: Copy, palette: Palette, assets: Assets
) -> Layout:
    return solve_with_backdrop(template, width, height, copy, palette, assets)[0]


def solve_with_backdrop(
    template: Template, width: int, height: int, copy: Copy, palette: Palette, assets: Assets
) -> tuple[Layout, Image.Image]:
    """The layout, and its rendering without text (which the colour pass had to draw)."""
    check_size(width, height)
    short = min(width, height)
    margin = safe_margin(width, height)
    inner: Box = (margin, margin, width - margin, height - margin)
    gap = round(short * template.gap)
    plan = _Plan()
    bg = BackgroundSpec(kind=template.background.kind, colors=[
        rgb_to_hex(palette.resolve(c)) for c in template.background.colors])

    scene_mode = template.arrangement == "scene" or assets.product is None
    if scene_mode and assets.scene is not None:
        text_region, product_region = _scene_regions(bg, assets, width, height, inner, gap)
    else:
        if bg.kind == "scene":  # a scene template without a scene: a plain stage instead
            bg = BackgroundSpec(kind="solid", colors=[rgb_to_hex(palette.light)])
            plan.warnings.append("no scene photo: the scene template used a plain background")
        text_region, product_region = _split_regions(template, width, height, inner, gap)
        if bg.kind == "split":
            bg.panels = _panels(product_region, text_region, width, height)

    if assets.logo is not None:
        text_region = _place_logo(plan, template, assets.logo, text_region, short, gap)
    _place_text(plan, template, copy, text_region, short, gap)
    product_box = None
    if product_region is not None and assets.product is not None:
        product_box = _place_product(plan, template, assets.product, product_region,
                                     on_floor=bg.kind == "scene")
    if copy.badge.strip():
        _place_badge(plan, template, copy.badge, product_region or text_region,
                     product_box, assets, short, inner)
    _place_decor(plan, template, palette, product_box, inner, width, height)
    if bg.kind == "radial":
        box = product_box or inner
        bg.center = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)

    layout = Layout(template=template.name, width=width, height=height, background=bg,
                    elements=plan.elements, palette=palette.to_dict(), warnings=plan.warnings)
    return layout, _resolve_colors(layout, template, palette, assets)


# regions ---------------------------------------------------------------------------------
def _split_regions(
    template: Template, width: int, height: int, inner: Box, gap: int
) -> tuple[Box, Box]:
    left, top, right, bottom = inner
    aspect = width / height
    side = aspect >= 1.3 or (template.arrangement == "side" and aspect >= 0.8)
    if side:
        share = template.product_share * (0.8 if aspect >= 2.5 else 1.0)
        cut = round((right - left) * share)
        if template.product_side == "right":
            return (left, top, right - cut - gap, bottom), (right - cut, top, right, bottom)
        return (left + cut + gap, top, right, bottom), (left, top, left + cut, bottom)
    share = template.product_share * (0.85 if aspect <= 0.4 else 1.0)
    cut = round((bottom - top) * share)
    if template.text_first:
        return (left, top, right, bottom - cut - gap), (left, bottom - cut, right, bottom)
    return (left, top + cut + gap, right, bottom), (left, top, right, top + cut)


def _panels(product: Box, text: Box, width: int, height: int) -> list[Box]:
    """Split panels run to the canvas edges and meet halfway across the gap."""
    if product[0] != text[0]:  # side by side
        mid = (min(product[2], text[2]) + max(product[0], text[0])) // 2
        first = (0, 0, mid, height)
        second = (mid, 0, width, height)
        return [first, second] if product[0] < text[0] else [second, first]
    mid = (min(product[3], text[3]) + max(product[1], text[1])) // 2
    first, second = (0, 0, width, mid), (0, mid, width, height)
    return [first, second] if product[1] < text[1] else [second, first]


def _scene_regions(
    bg: BackgroundSpec, assets: Assets, width: int, height: int, inner: Box, gap: int
) -> tuple[Box, Box | None]:
    """Crop the scene around its subject and put the text where it is calm.

    When every candidate text region would cover the subject (a photo filled by its
    subject), the scene becomes a panel beside the text instead of the full frame.
    """
    from vitrina.banner import scene

    assert assets.scene is not None
    saliency = scene.scene_saliency(assets)
    crop = scene.smart_crop(saliency, assets.scene.shape[1], assets.scene.shape[0],
                            width / height)
    bg.kind, bg.crop = "scene", crop
    text_region, cost = scene.calm_region(assets.scene, saliency, crop, width, height, inner)
    product_region = None
    if assets.product is not None and cost.cover <= SALIENT_COVER_LIMIT:
        product_region = scene.opposite_region(text_region, inner, gap)
    if cost.cover > SALIENT_COVER_LIMIT:
        text_region, panel = scene.panel_regions(width, height, inner, gap)
        product_region = panel if assets.product is not None else None
        bg.scene_box = _bleed(panel, inner, width, height)
        x0, y0, x1, y1 = bg.scene_box
        bg.crop = scene.smart_crop(saliency, assets.scene.shape[1], assets.scene.shape[0],
                                   (x1 - x0) / (y1 - y0))
    return text_region, product_region


def _bleed(box: Box, inner: Box, width: int, height: int) -> Box:
    """A panel touching the safe margin runs on to the canvas edge."""
    left, top, right, bottom = box
    return (0 if left <= inner[0] else left, 0 if top <= inner[1] else top,
            width if right >= inner[2] else right, height if bottom >= inner[3] else bottom)


# text stack --------------------------------------------------------------------------------
def _fit(item: _Item, short: int, max_height: float, max_size: int | None = None,
         align: str = "left") -> textlayout.TextBlock | None:
    role = item.role
    nominal = max(role.min_px, round(role.size * short))
    top = nominal if max_size is None else max(role.min_px, min(nominal, max_size))
    inner_w = item.max_width - 2 * item.pad[0]
    inner_h = max_height - 2 * item.pad[1]
    if item.burst:
        inner_w = inner_h = min(item.max_width, max_height) * BURST_INSET
    if inner_w <= 0 or inner_h <= 0:
        return None
    return textlayout.fit_text(
        item.text, style_of(role, align), inner_w, inner_h,
        max_size=top, min_size=min(role.min_px, top), max_lines=role.max_lines,
        overflow="ellipsis" if role.overflow == "ellipsis" else "shrink-only")


def _outer_height(item: _Item) -> float:
    if item.block is None:
        return 0.0
    if item.burst:
        return max(item.block.width, item.block.height) / BURST_INSET
    height = item.block.height + 2 * item.pad[1]
    if item.companion is not None and item.companion.block is not None:
        companion = item.companion.block
        if _side_by_side(item):
            height = _row(item.block, companion)[2]
        else:
            height += companion.height + item.block.size * 0.2
    return height


def _row(price: textlayout.TextBlock, original: textlayout.TextBlock) -> tuple[float, float, float]:
    """Top offsets of the price and the original price sharing one baseline, and the row height."""
    baseline = max(price.lines[-1].baseline, original.lines[-1].baseline)
    price_top = baseline - price.lines[-1].baseline
    original_top = baseline - original.lines[-1].baseline
    return price_top, original_top, max(price_top + price.height, original_top + original.height)


def _side_by_side(item: _Item) -> bool:
    assert item.block is not None and item.companion is not None
    assert item.companion.block is not None
    spacing = item.block.size * 0.4
    return item.block.width + spacing + item.companion.block.width <= item.max_width


def _stack_items(template: Template, copy: Copy, region_w: float, short: int) -> list[_Item]:
    items = [_Item("headline", copy.title, template.headline, region_w, optional=False)]
    if copy.subtitle.strip():
        items.append(_Item("subheadline", copy.subtitle, template.subheadline, region_w, True))
    if copy.price.strip():
        price_text = _money(copy.price, template.price.prefix)
        price = _Item("price", price_text, template.price.price, region_w, True)
        if copy.original_price.strip():
            price.companion = _Item("original_price",
                                    _money(copy.original_price, template.price.prefix),
                                    template.price.original, region_w, True)
        price.burst = template.price.burst and price.companion is None
        items.append(price)
    if copy.cta.strip():
        role = template.cta.text
        items.append(_Item("cta", copy.cta, role, min(region_w, region_w * 0.9), True,
                           pad=(role.size * short * 0.9, role.size * short * 0.5)))
    return items


def _money(value: str, prefix: str) -> str:
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        return value
    shown = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
    return f"{prefix}{shown}"


def _place_text(plan: _Plan, template: Template, copy: Copy, region: Box, short: int,
                gap: int) -> None:
    from vitrina.errors import InputError

    if not copy.title.strip():
        raise InputError("a banner needs a title")
    left, top, right, bottom = region
    region_w, region_h = right - left, bottom - top
    items = _stack_items(template, copy, region_w, short)
    align = template.text_align

    def fit_all(limits: dict[str, float], sizes: dict[str, int]) -> None:
        for item in items:
            item.block = _fit(item, short, limits.get(item.id, region_h), sizes.get(item.id),
                              align)
            if item.companion is not None:
                companion = item.companion
                companion.block = _fit(companion, short, limits.get(item.id, region_h),
                                       sizes.get(companion.id), align)

    fit_all({}, {})
    for _ in range(8):
        _drop_unfitted(plan, items)
        gaps = gap * (len(items) - 1)
        total = sum(_outer_height(i) for i in items) + gaps
        if total <= region_h:
            break
        factor = max(0.05, (region_h - gaps) / max(total - gaps, 1)) * 0.97
        before = [(i.block.size if i.block else 0) for i in items]
        limits = {i.id: _outer_height(i) * factor for i in items}
        sizes = {i.id: i.block.size for i in items if i.block}
        sizes.update({i.companion.id: i.companion.block.size for i in items
                      if i.companion and i.companion.block})
        fit_all(limits, sizes)
        after = [(i.block.size if i.block else 0) for i in items]
        if after == before:
            _drop_last_optional(plan, items)
    _drop_unfitted(plan, items)
    if not items or items[0].id != "headline":
        raise InputError(f"the title does not fit a {region_w}x{region_h} text area")
    gaps = gap * (len(items) - 1)
    total = sum(_outer_height(i) for i in items) + gaps
    y = {"top": top, "center": top + (region_h - total) / 2, "bottom": bottom - total}[
        template.text_valign]
    for item in items:
        _emit(plan, template, item, region, y, short, align)
        y += _outer_height(item) + gap


def _drop_unfitted(plan: _Plan, items: list[_Item]) -> None:
    for item in list(items):
        if item.block is None:
            items.remove(item)
            plan.warnings.append(f"{item.id} dropped: it does not fit at its minimum size")
        elif item.block.truncated:
            plan.warnings.append(f"{item.id} shortened with an ellipsis to fit")
        if item.block is not None and item.block.dropped:
            plan.warnings.append(f"{item.id}: characters no font can draw were left out: "
                                 + "".join(sorted(set(item.block.dropped))))
        if item.companion is not None and item.companion.block is None:
            plan.warnings.append("original_price dropped: it does not fit at its minimum size")
            item.companion = None
    plan.warnings[:] = list(dict.fromkeys(plan.warnings))


def _drop_last_optional(plan: _Plan, items: list[_Item]) -> None:
    for item in reversed(items):
        if item.companion is not None:
            item.companion = None
            plan.warnings.append("original_price dropped: no room")
            return
    for wanted in ("subheadline", "cta", "price"):
        for item in items:
            if item.id == wanted:
                items.remove(item)
                plan.warnings.append(f"{item.id} dropped: no room")
                return


def _x(align: str, left: float, right: float, width: float) -> float:
    if align == "center":
        return left + (right - left - width) / 2
    if align == "right":
        return right - width
    return left


def _text_element(item: _Item, block: textlayout.TextBlock, x: float, y: float, align: str,
                  z: int) -> Element:
    box = (round(x), round(y), round(x) + int(np.ceil(block.width)),
           round(y) + int(np.ceil(block.height)))
    return Element(id=item.id, kind=TEXT, box=box, z=z, color=item.role.color,
                   text=textlayout.block_to_dict(block),
                   style=textlayout.style_to_dict(style_of(item.role, align)),
                   strike=item.id == "original_price")


def _emit(plan: _Plan, template: Template, item: _Item, region: Box, y: float, short: int,
          align: str) -> None:
    assert item.block is not None
    left, _, right, _ = region
    block = item.block
    plan.roles[item.id] = item.role
    if item.id == "cta":
        w = block.width + 2 * item.pad[0]
        h = block.height + 2 * item.pad[1]
        x = _x(align, left, right, w)
        button = (round(x), round(y), round(x + w), round(y + h))
        radius = round(template.cta.radius * (button[3] - button[1]))
        plan.elements.append(Element(id="cta.button", kind=UNDERLAY, box=button, z=30,
                                     color=template.cta.fill, shape="rect", radius=radius))
        plan.elements.append(_text_element(item, block, x + item.pad[0], y + item.pad[1],
                                           "left", 50))
        return
    if item.id == "price" and item.companion is not None and item.companion.block is not None:
        companion = item.companion.block
        plan.roles["original_price"] = item.companion.role
        if _side_by_side(item):
            spacing = block.size * 0.4
            x = _x(align, left, right, block.width + spacing + companion.width)
            price_top, original_top, _ = _row(block, companion)
            plan.elements.append(_text_element(item, block, x, y + price_top, align, 50))
            plan.elements.append(_text_element(item.companion, companion,
                                               x + block.width + spacing, y + original_top,
                                               align, 50))
        else:
            plan.elements.append(_text_element(item, block, _x(align, left, right, block.width),
                                               y, align, 50))
            y2 = y + block.height + block.size * 0.2
            plan.elements.append(_text_element(item.companion, companion,
                                               _x(align, left, right, companion.width), y2,
                                               align, 50))
        return
    x = _x(align, left, right, block.width)
    if item.burst:
        side = min(_outer_height(item), right - left)
        cx = x + block.width / 2
        bx = min(max(cx - side / 2, left), right - side)
        burst = (round(bx), round(y), round(bx + side), round(y + side))
        x = bx + (side - block.width) / 2
        plan.elements.append(Element(id="price.burst", kind=UNDERLAY, box=burst, z=30,
                                     color=template.price.burst_fill, shape="burst"))
        plan.elements.append(_text_element(item, block, x, y + (side - block.height) / 2,
                                           align, 50))
        return
    plan.elements.append(_text_element(item, block, x, y, align, 50))


# product, logo, badge, decoration ------------------------------------------------------------
def _fit_box(aspect: float, region: Box, fill: float, anchor: str = "center") -> Box:
    """The largest box of ``aspect`` (w/h) inside ``region`` scaled by ``fill``."""
    left, top, right, bottom = region
    rw, rh = (right - left) * fill, (bottom - top) * fill
    w, h = (rw, rw / aspect) if rw / aspect <= rh else (rh * aspect, rh)
    x = left + (right - left - w) / 2
    y = top + (bottom - top - h) / 2 if anchor == "center" else bottom - h
    return round(x), round(y), round(x + w), round(y + h)


def _place_product(plan: _Plan, template: Template, product: np.ndarray, region: Box,
                   on_floor: bool = False) -> Box:
    """Fit the cutout in its region; composited into a scene it stands on the region's
    bottom edge, smaller, as an object in the room rather than a poster on the wall."""
    aspect = product.shape[1] / product.shape[0]
    if on_floor:
        box = _fit_box(aspect, region, template.product_fill * 0.8, anchor="bottom")
    else:
        box = _fit_box(aspect, region, template.product_fill)
    shadow = None if template.shadow == "none" else template.shadow
    plan.elements.append(Element(id="product", kind=PRODUCT, box=box, z=20, shape=shadow))
    return box


def _place_logo(plan: _Plan, template: Template, logo: np.ndarray, region: Box, short: int,
                gap: int) -> Box:
    left, top, right, bottom = region
    h = max(12, round(short * 0.08))
    w = min(round(h * logo.shape[1] / logo.shape[0]), round((right - left) * 0.5))
    h = round(w * logo.shape[0] / logo.shape[1])
    x = round(_x(template.text_align, left, right, w))
    plan.elements.append(Element(id="logo", kind=LOGO, box=(x, top, x + w, top + h), z=40))
    return left, top + h + gap, right, bottom


def _alpha_cover(box: Box, product_box: Box, product: np.ndarray) -> float:
    """Share of the placed product's alpha mass that lies inside ``box``."""
    pl, pt, pr, pb = product_box
    small = cv2.resize(product[..., 3], (max(1, (pr - pl) // 4), max(1, (pb - pt) // 4)),
                       interpolation=cv2.INTER_AREA).astype(np.float32)
    total = float(small.sum())
    if total <= 0:
        return 0.0
    sx, sy = small.shape[1] / max(1, pr - pl), small.shape[0] / max(1, pb - pt)
    x0, x1 = int(max(0, (box[0] - pl) * sx)), int(min(small.shape[1], np.ceil((box[2] - pl) * sx)))
    y0, y1 = int(max(0, (box[1] - pt) * sy)), int(min(small.shape[0], np.ceil((box[3] - pt) * sy)))
    if x1 <= x0 or y1 <= y0:
        return 0.0
    return float(small[y0:y1, x0:x1].sum()) / total


def _place_badge(plan: _Plan, template: Template, label: str, region: Box, product_box: Box | None,
                 assets: Assets, short: int, inner: Box) -> None:
    style = template.badge
    left, top, right, bottom = region
    side = round(min(style.size * short, (right - left) * 0.45, (bottom - top) * 0.45))
    wide = style.shape in ("pill", "ribbon")
    w, h = (round(side * 1.6), round(side * 0.55)) if wide else (side, side)
    taken = [e.box for e in plan.elements if e.kind in (TEXT, UNDERLAY, LOGO)]
    corners = [(right - w, top), (left, top), (right - w, bottom - h), (left, bottom - h)]
    best: tuple[float, Box] | None = None
    for x, y in corners:
        box = (max(inner[0], x), max(inner[1], y), 0, 0)
        box = (box[0], box[1], box[0] + w, box[1] + h)
        if any(_intersects(box, other) for other in taken):
            continue
        cover = (_alpha_cover(box, product_box, assets.product)
                 if product_box is not None and assets.product is not None else 0.0)
        if best is None or cover < best[0]:
            best = (cover, box)
    if best is None:
        plan.warnings.append("badge dropped: no free corner")
        return
    cover, box = best
    if product_box is not None and assets.product is not None and cover > SALIENT_COVER_LIMIT:
        _shrink_product_away(plan, box, assets.product)
    inset = 0.62 if style.shape in ("burst", "circle") else 0.8
    item = _Item("badge", label, style.text, (box[2] - box[0]) * inset, optional=True)
    block = _fit(item, short, (box[3] - box[1]) * inset, None, "center")
    if block is None:
        plan.warnings.append("badge dropped: its text does not fit")
        return
    plan.roles["badge"] = style.text
    radius = (box[3] - box[1]) // 2 if style.shape == "pill" else 0
    plan.elements.append(Element(id="badge.shape", kind=UNDERLAY, box=box, z=60, color=style.fill,
                                 shape="rect" if style.shape == "pill" else style.shape,
                                 radius=radius))
    cx = (box[0] + box[2]) / 2 + (box[3] - box[1]) * (0.12 if style.shape == "ribbon" else 0)
    cy = (box[1] + box[3]) / 2
    plan.elements.append(_text_element(item, block, cx - block.width / 2, cy - block.height / 2,
                                       "center", 70))


def _shrink_product_away(plan: _Plan, badge: Box, product: np.ndarray) -> None:
    """Scale the product about its far corner until the badge covers little of it."""
    element = next(e for e in plan.elements if e.kind == PRODUCT)
    left, top, right, bottom = element.box
    bx, by = (badge[0] + badge[2]) / 2, (badge[1] + badge[3]) / 2
    ax = left if bx > (left + right) / 2 else right
    ay = top if by > (top + bottom) / 2 else bottom
    for _ in range(8):
        if _alpha_cover(badge, element.box, product) <= SALIENT_COVER_LIMIT:
            return
        left, top, right, bottom = element.box
        element.box = (round(ax + (left - ax) * 0.9), round(ay + (top - ay) * 0.9),
                       round(ax + (right - ax) * 0.9), round(ay + (bottom - ay) * 0.9))


def _intersects(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place_decor(plan: _Plan, template: Template, palette: Palette, product_box: Box | None,
                 inner: Box, width: int, height: int) -> None:
    for i, decor in enumerate(template.decor):
        color = rgb_to_hex(palette.resolve(decor.color))
        if decor.anchor == "product":
            if product_box is None:
                continue
            left, top, right, bottom = product_box
            cx, cy = (left + right) / 2, (top + bottom) / 2
            r = max(right - left, bottom - top) / 2 * decor.scale
            box = (round(cx - r), round(cy - r), round(cx + r), round(cy + r))
        elif decor.shape == "frame":
            half = (inner[0] // 2, inner[1] // 2)
            box = (half[0], half[1], width - half[0] - 1, height - half[1] - 1)
        else:
            box = (0, 0, width, height)
        plan.elements.append(Element(id=f"decor.{i}", kind=DECOR, box=box, z=10, color=color,
                                     opacity=decor.opacity, shape=decor.shape, seed=i + 1))


# colour ------------------------------------------------------------------------------------
def _resolve_colors(layout: Layout, template: Template, palette: Palette,
                    assets: Assets) -> Image.Image:
    """Pick each ink for contrast against the real pixels behind it; plate what cannot reach."""
    for element in layout.elements:
        if element.kind != TEXT and element.color is not None and not element.color.startswith(
                "#"):
            element.color = rgb_to_hex(palette.resolve(element.color))
    texts = [e for e in layout.elements if e.kind == TEXT]
    base = render.backdrop(layout, assets)
    backdrop = np.asarray(base)
    plated: list[Element] = []
    for element in texts:
        if not _choose_ink(element, backdrop, palette):
            plated.append(element)
    if not plated:
        return base
    short = min(layout.width, layout.height)
    for element in plated:
        pad = max(4, round(short * 0.02))
        left, top, right, bottom = element.box
        plate = (max(0, left - pad), max(0, top - pad), min(layout.width, right + pad),
                 min(layout.height, bottom + pad))
        layout.elements.append(Element(id=f"{element.id}.plate", kind=UNDERLAY, box=plate,
                                       z=element.z - 1, color=rgb_to_hex(palette.resolve(
                                           template.plate)), opacity=0.88, shape="rect",
                                       radius=pad))
    base = render.backdrop(layout, assets)
    for element in plated:
        if not _choose_ink(element, np.asarray(base), palette):
            plate = next(e for e in layout.elements if e.id == f"{element.id}.plate")
            plate.opacity = 1.0
            layout.warnings.append(f"{element.id}: opaque plate added for contrast")
            base = render.backdrop(layout, assets)
            _choose_ink(element, np.asarray(base), palette)
    return base


def _choose_ink(element: Element, backdrop: np.ndarray, palette: Palette) -> bool:
    left, top, right, bottom = element.box
    region = backdrop[max(0, top):bottom, max(0, left):right]
    wanted = element.color or "auto"
    candidates = [] if wanted == "auto" else [palette.resolve(wanted)]
    candidates += [palette.dark, INK, WHITE, palette.light, (0, 0, 0)]
    color, ratio = best_ink(region, candidates)
    element.color = rgb_to_hex(color)
    return ratio >= MIN_CONTRAST

