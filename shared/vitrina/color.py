"""Colour: the product's palette, template colour names, and WCAG contrast.

Templates never hard-code the product's colours: they name palette roles (``palette.vivid``,
``palette.dark``...) that this module resolves for each product, so one template suits a red
kettle and a grey laptop alike. Contrast follows WCAG 2.x relative luminance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

RGB = tuple[int, int, int]

WHITE: RGB = (255, 255, 255)
INK: RGB = (17, 17, 17)
MIN_CONTRAST = 4.5
WORST_PERCENTILE = 2.0  # of the background's pixels a colour's contrast is judged against
# Accent used when the product itself is colourless (grey, black, white, chrome).
DEFAULT_ACCENT: RGB = (228, 57, 60)


def hex_to_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: #{value}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(channel: np.ndarray) -> np.ndarray:
    c = channel / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(rgb: np.ndarray | RGB) -> np.ndarray:
    """WCAG relative luminance of one colour or of every pixel of an ...x3 array."""
    arr = np.asarray(rgb, dtype=np.float64)
    lin = _linear(arr)
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def contrast(lum_a: np.ndarray | float, lum_b: np.ndarray | float) -> np.ndarray:
    hi, lo = np.maximum(lum_a, lum_b), np.minimum(lum_a, lum_b)
    return (hi + 0.05) / (lo + 0.05)


_CHANNEL_LUMINANCE = _linear(np.arange(256, dtype=np.float64))
_WEIGHTS = (0.2126, 0.7152, 0.0722)


def pixel_luminance(pixels: np.ndarray) -> np.ndarray:
    """Luminance of uint8 RGB pixels through per-channel tables (no per-pixel powers)."""
    return sum(_CHANNEL_LUMINANCE[pixels[..., i]] * w for i, w in enumerate(_WEIGHTS))


def _sampled_luminance(background: np.ndarray) -> np.ndarray | None:
    """Luminance of ``background``'s pixels (None when it has none), large regions sampled on
    a regular grid (at most ~40,000 pixels)."""
    pixels = background.reshape(-1, 3)
    if len(pixels) == 0:
        return None
    return pixel_luminance(pixels[:: max(1, len(pixels) // 40_000)])


def _worst_contrast(color: RGB, lums: np.ndarray | None, percentile: float) -> float:
    if lums is None:
        return 21.0
    ratios = contrast(float(luminance(color)), lums)
    return float(np.percentile(ratios, percentile))


def worst_contrast(color: RGB, background: np.ndarray,
                   percentile: float = WORST_PERCENTILE) -> float:
    """Contrast of ``color`` against the darkest/lightest few pixels of ``background``.

    A low percentile rather than the minimum: a handful of anti-aliased pixels at a shape's
    edge should not veto a colour that reads well against everything else. Large regions are
    sampled on a regular grid (at most ~40,000 pixels).
    """
    return _worst_contrast(color, _sampled_luminance(background), percentile)


def best_ink(background: np.ndarray, candidates: list[RGB]) -> tuple[RGB, float]:
    """The first candidate that reaches the minimum contrast, else the best one."""
    lums = _sampled_luminance(background)  # once for every candidate
    best, best_ratio = candidates[0], -1.0
    for color in candidates:
        ratio = _worst_contrast(color, lums, WORST_PERCENTILE)
        if ratio >= MIN_CONTRAST:
            return color, ratio
        if ratio > best_ratio:
            best, best_ratio = color, ratio
    return best, best_ratio


def _lab(rgb: RGB) -> np.ndarray:
    px = np.array([[rgb]], dtype=np.uint8)
    return cv2.cvtColor(px, cv2.COLOR_RGB2LAB)[0, 0].astype(np.float64)


def _from_lab(lab: np.ndarray) -> RGB:
    px = np.clip(lab, 0, 255).astype(np.uint8).reshape(1, 1, 3)
    r, g, b = cv2.cvtColor(px, cv2.COLOR_LAB2RGB)[0, 0]
    return int(r), int(g), int(b)


def chroma(rgb: RGB) -> float:
    lab = _lab(rgb)
    return float(np.hypot(lab[1] - 128, lab[2] - 128))


def with_lightness(rgb: RGB, lightness: float, chroma_scale: float = 1.0) -> RGB:
    """The same hue at another L* (0..100): tints and shades that stay in the family."""
    lab = _lab(rgb)
    lab[0] = lightness * 255 / 100
    lab[1:] = 128 + (lab[1:] - 128) * chroma_scale
    return _from_lab(lab)


@dataclass(frozen=True)
class Palette:
    """Named roles derived from the product's own colours."""

    dominant: RGB
    vivid: RGB
    dark: RGB
    light: RGB
    swatches: tuple[tuple[RGB, float], ...]

    def resolve(self, name: str) -> RGB:
        """A template colour: ``#rrggbb``, ``white``, ``ink`` or ``palette.<role>``."""
        if name.startswith("#"):
            return hex_to_rgb(name)
        if name == "white":
            return WHITE
        if name == "ink":
            return INK
        role = name.removeprefix("palette.")
        if role in {"dominant", "vivid", "dark", "light"}:
            return getattr(self, role)
        raise ValueError(f"unknown colour {name!r}")

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["swatches"] = [{"color": rgb_to_hex(c), "share": round(s, 3)}
                            for c, s in self.swatches]
        for role in ("dominant", "vivid", "dark", "light"):
            data[role] = rgb_to_hex(getattr(self, role))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Palette:
        swatches = tuple(
            (hex_to_rgb(s["color"]), float(s["share"])) for s in data["swatches"]  # type: ignore[index,union-attr]
        )
        roles = {r: hex_to_rgb(str(data[r])) for r in ("dominant", "vivid", "dark", "light")}
        return cls(swatches=swatches, **roles)


def extract_palette(rgb: np.ndarray, alpha: np.ndarray | None = None, k: int = 5) -> Palette:
    """k-means in Lab over the product's pixels (alpha > 0.5), subsampled for speed."""
    pixels = rgb.reshape(-1, 3)
    if alpha is not None:
        mask = alpha.reshape(-1) > (127 if alpha.dtype == np.uint8 else 0.5)
        if mask.sum() >= 50:
            pixels = pixels[mask]
    step = max(1, len(pixels) // 4000)
    sample = pixels[::step].astype(np.uint8).reshape(-1, 1, 3)
    lab = cv2.cvtColor(sample, cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)
    k = max(1, min(k, len(np.unique(lab, axis=0))))
    if k == 1:
        # One colour (a flat or 1x1 image): its mean is the only centre. cv2.kmeans cannot be
        # asked: it reads a single sample row as three one-dimensional points.
        centers, shares = lab.mean(axis=0, keepdims=True), np.ones(1)
    else:
        cv2.setRNGSeed(7)
        criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
        _, labels, centers = cv2.kmeans(lab, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
        shares = np.bincount(labels.ravel(), minlength=k) / len(labels)
    order = np.argsort(-shares)
    merged: dict[RGB, float] = {}
    for i in order:
        rgb_i = _from_lab(centers[i])
        merged[rgb_i] = merged.get(rgb_i, 0.0) + float(shares[i])
    swatches = tuple((c, round(s, 3)) for c, s in merged.items() if s > 0)
    dominant = swatches[0][0]
    candidates = [c for c, share in swatches if share >= 0.05]
    vivid = max(candidates, key=chroma)
    if chroma(vivid) < 25:
        vivid = DEFAULT_ACCENT
    return Palette(
        dominant=dominant,
        vivid=vivid,
        dark=with_lightness(vivid, 18, 0.6),
        light=with_lightness(dominant, 96, 0.25),
        swatches=swatches,
    )
