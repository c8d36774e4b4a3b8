"""Drawing a layout document with Pillow (and numpy for the backgrounds and shadows).

Everything drawn is read from the :class:`~vitrina.banner.document.Layout`: re-rendering a saved
layout JSON with the same assets gives the same pixels.
"""

from __future__ import annotations

import io
import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vitrina import typesetting as textlayout
from vitrina.banner.document import DECOR, LOGO, PRODUCT, TEXT, UNDERLAY, Assets, Element, Layout
from vitrina.color import hex_to_rgb

FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP"}
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg",
                 "webp": "image/webp"}
SHADOW_OPACITY = 0.32


def render(layout: Layout, assets: Assets) -> Image.Image:
    """The banner as an RGB image: its :func:`backdrop` with the text drawn on it."""
    return add_text(backdrop(layout, assets), layout)


def backdrop(layout: Layout, assets: Assets) -> Image.Image:
    """Everything but the text, in z order. Text is always drawn last, on top, so a banner
    is exactly its backdrop plus its text: the colour pass and the evaluation reuse it."""
    canvas = Image.fromarray(background(layout, assets)).convert("RGBA")
    for element in sorted(layout.elements, key=lambda e: e.z):
        if element.kind == PRODUCT:
            _draw_product(canvas, element, assets)
        elif element.kind == LOGO and assets.logo is not None:
            _paste(canvas, assets.logo, element.box)
        elif element.kind in (UNDERLAY, DECOR):
            _draw_shape(canvas, element, layout)
    return canvas.convert("RGB")


def add_text(base: Image.Image, layout: Layout) -> Image.Image:
    image = base.copy()
    for element in sorted(layout.by_kind(TEXT), key=lambda e: e.z):
        _draw_text(image, element)
    return image


def encode(image: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    pil_format = FORMATS[fmt]
    options = {"PNG": {"compress_level": 3}, "JPEG": {"quality": 90, "optimize": True},
               "WEBP": {"quality": 88, "method": 4}}[pil_format]
    image.save(buf, pil_format, **options)
    return buf.getvalue()


# backgrounds -----------------------------------------------------------------------------
def background(layout: Layout, assets: Assets) -> np.ndarray:
    spec, w, h = layout.background, layout.width, layout.height
    colors = [np.array(hex_to_rgb(c), dtype=np.float32) for c in spec.colors]
    if spec.kind == "scene" and assets.scene is not None and spec.crop is not None:
        left, top, right, bottom = spec.crop
        x0, y0, x1, y1 = spec.scene_box or (0, 0, w, h)
        region = cv2.resize(assets.scene[top:bottom, left:right], (x1 - x0, y1 - y0),
                            interpolation=cv2.INTER_AREA)
        if (x0, y0, x1, y1) == (0, 0, w, h):
            return region
        out = np.empty((h, w, 3), dtype=np.uint8)
        out[:] = colors[0].astype(np.uint8)
        out[y0:y1, x0:x1] = region
        return out
    if spec.kind == "gradient" and len(colors) >= 2:
        angle = math.radians(spec.angle)
        xs = (np.arange(w, dtype=np.float32) - w / 2) * math.cos(angle)
        ys = (np.arange(h, dtype=np.float32) - h / 2) * math.sin(angle)
        extent = abs(w / 2 * math.cos(angle)) + abs(h / 2 * math.sin(angle))
        t = np.clip((ys[:, None] + xs[None, :]) / (2 * extent) + 0.5, 0, 1)
        return _blend(colors, t)
    if spec.kind == "radial" and len(colors) >= 2:
        cx, cy = spec.center or (w // 2, h // 2)
        reach = max(math.hypot(max(cx, w - cx), max(cy, h - cy)), 1.0)
        xs = (np.arange(w, dtype=np.float32) - cx) ** 2
        ys = (np.arange(h, dtype=np.float32) - cy) ** 2
        t = np.clip(np.sqrt(ys[:, None] + xs[None, :]) / reach, 0, 1) ** 0.8
        return _blend(colors, t)
    out = np.empty((h, w, 3), dtype=np.uint8)
    out[:] = colors[0].astype(np.uint8)
    if spec.kind == "split":
        for color, (left, top, right, bottom) in zip(colors, spec.panels, strict=False):
            out[top:bottom, left:right] = color.astype(np.uint8)
    return out


def _blend(colors: list[np.ndarray], t: np.ndarray) -> np.ndarray:
    """Two colours mixed by ``t`` (HxW in [0,1]) through a 256-step table: one lookup a pixel."""
    steps = np.linspace(0, 1, 256, dtype=np.float32)[:, None]
    table = np.round(colors[0] * (1 - steps) + colors[1] * steps).astype(np.uint8)
    return table[np.round(t * 255).astype(np.uint8)]


# elements ----------------------------------------------------------------------------------
def _rgba(color: str, opacity: float) -> tuple[int, int, int, int]:
    r, g, b = hex_to_rgb(color)
    return r, g, b, round(255 * opacity)


def _draw_text(canvas: Image.Image, element: Element) -> None:
    assert element.text is not None and element.style is not None and element.color
    block = textlayout.block_from_dict(element.text)
    style = textlayout.TextStyle(**element.style)
    color = _rgba(element.color, element.opacity)
    textlayout.draw_text(canvas, block, style, element.box, color)
    if element.strike:
        left, top, right, bottom = element.box
        y = (top + bottom) / 2
        width = max(1, round(block.size * 0.07))
        # Pillow's line includes its end point: stop at the last pixel inside the box.
        ImageDraw.Draw(canvas).line([(left, y), (right - 1, y)], fill=color[:3], width=width)


def _paste(canvas: Image.Image, rgba: np.ndarray, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    if right <= left or bottom <= top:
        return
    resized = cv2.resize(rgba, (right - left, bottom - top), interpolation=cv2.INTER_AREA)
    _composite(canvas, Image.fromarray(resized, "RGBA"), (left, top))


def _draw_product(canvas: Image.Image, element: Element, assets: Assets) -> None:
    if assets.product is None:
        return
    left, top, right, bottom = element.box
    w, h = right - left, bottom - top
    if w <= 0 or h <= 0:
        return
    cutout = cv2.resize(assets.product, (w, h), interpolation=cv2.INTER_AREA)
    if element.shape in ("contact", "drop"):
        shadow, origin = _shadow(element, cutout[..., 3])
        _composite(canvas, shadow, origin)
    _composite(canvas, Image.fromarray(cutout, "RGBA"), (left, top))


def _shadow(element: Element, alpha: np.ndarray) -> tuple[Image.Image, tuple[int, int]]:
    """A soft shadow: an ellipse where the product meets the floor, or its offset silhouette.

    Drawn on a window around the product (not the whole canvas) and clipped by Pillow when
    it is composited, so its cost follows the product's size.
    """
    left, top, right, bottom = element.box
    w, h = right - left, bottom - top
    blur = max(3, round(h * 0.05)) | 1
    pad = blur + round(h * 0.05)
    mask = np.zeros((h + 2 * pad, w + 2 * pad), dtype=np.float32)
    if element.shape == "contact":
        center = (pad + round(w / 2), pad + round(h * 0.99))
        axes = (max(1, round(w * 0.42)), max(1, round(h * 0.045)))
        cv2.ellipse(mask, center, axes, 0, 0, 360, 1.0, -1)
    else:
        dx, dy = round(h * 0.02), round(h * 0.035)
        mask[pad + dy:pad + dy + h, pad + dx:pad + dx + w] = alpha / 255
    mask = cv2.GaussianBlur(mask, (blur, blur), 0)
    shadow = np.zeros((*mask.shape, 4), dtype=np.uint8)
    shadow[..., 3] = np.clip(mask * 255 * SHADOW_OPACITY, 0, 255).astype(np.uint8)
    return Image.fromarray(shadow, "RGBA"), (left - pad, top - pad)


PATTERNS = ("stripes", "dots", "confetti", "frame")


def _draw_shape(canvas: Image.Image, element: Element, layout: Layout) -> None:
    """Shapes are drawn on a layer the size of their box (patterns on the whole canvas)."""
    shape = element.shape or "rect"
    if shape in PATTERNS:
        origin = (0, 0)
        size = canvas.size
    else:
        origin = (element.box[0] - 2, element.box[1] - 2)
        size = (element.width + 4, element.height + 4)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    fill = _rgba(element.color or "#000000", 1.0)
    left, top = element.box[0] - origin[0], element.box[1] - origin[1]
    right, bottom = left + element.width, top + element.height
    box = (left, top, right, bottom)
    short = min(layout.width, layout.height)
    if shape == "rect":
        draw.rounded_rectangle(box, radius=element.radius, fill=fill)
    elif shape == "circle":
        draw.ellipse(box, fill=fill)
    elif shape == "ring":
        draw.ellipse(box, outline=fill, width=max(2, round(short * 0.01)))
    elif shape == "burst":
        draw.polygon(burst_points(box), fill=fill)
    elif shape == "ribbon":
        notch = (bottom - top) * 0.35
        draw.polygon([(left, top), (right, top), (right, bottom), (left, bottom),
                      (left + notch, (top + bottom) / 2)], fill=fill)
    elif shape == "frame":
        draw.rectangle(box, outline=fill, width=max(1, round(short * 0.004)))
    elif shape == "stripes":
        step, width = max(8, round(short * 0.08)), max(3, round(short * 0.025))
        for x in range(left - (bottom - top), right, step):
            draw.line([(x, bottom), (x + (bottom - top), top)], fill=fill, width=width)
    elif shape == "dots":
        step, r = max(10, round(short * 0.05)), max(1, round(short * 0.004))
        for y in range(top + step // 2, bottom, step):
            for x in range(left + step // 2, right, step):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
    elif shape == "confetti":
        rng = random.Random(element.seed)
        for _ in range(60):
            x, y = rng.uniform(left, right), rng.uniform(top, bottom)
            s = short * rng.uniform(0.006, 0.016)
            angle = rng.uniform(0, math.pi)
            dx, dy = math.cos(angle) * s, math.sin(angle) * s
            draw.polygon([(x - dx, y - dy), (x + dy * 0.4, y - dx * 0.4), (x + dx, y + dy),
                          (x - dy * 0.4, y + dx * 0.4)], fill=fill)
    if element.opacity < 1:
        alpha = np.asarray(layer.getchannel("A"), dtype=np.float32) * element.opacity
        layer.putalpha(Image.fromarray(alpha.astype(np.uint8)))
    _composite(canvas, layer, origin)


def _composite(canvas: Image.Image, layer: Image.Image, origin: tuple[int, int]) -> None:
    """alpha_composite that accepts layers partly (or wholly) off the canvas."""
    x, y = origin
    crop = (max(0, -x), max(0, -y), min(layer.width, canvas.width - x),
            min(layer.height, canvas.height - y))
    if crop[2] <= crop[0] or crop[3] <= crop[1]:
        return
    canvas.alpha_composite(layer.crop(crop), (x + crop[0], y + crop[1]))


def burst_points(box: tuple[int, int, int, int], spikes: int = 18) -> list[tuple[float, float]]:
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    rx, ry = (right - left) / 2, (bottom - top) / 2
    points = []
    for i in range(spikes * 2):
        k = 1.0 if i % 2 == 0 else 0.84
        angle = math.pi * i / spikes - math.pi / 2
        points.append((cx + rx * k * math.cos(angle), cy + ry * k * math.sin(angle)))
    return points
