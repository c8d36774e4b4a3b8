"""Full-frame scene design: crop a photo around its subject and find where text can sit.

Saliency comes from the matting model (the same U^2-Net session); "calm" means low saliency
and low texture, measured on a small copy of the crop so the search costs milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vitrina.banner.document import Assets, Box
from vitrina.saliency import predict as predict_saliency

WORK = 192  # long side of the maps the searches run on


@dataclass(frozen=True)
class RegionCost:
    saliency: float  # mean saliency inside the region
    texture: float  # mean normalised gradient inside the region
    cover: float  # share of the crop's total saliency the region would hide

    @property
    def total(self) -> float:
        return 2.0 * self.saliency + self.texture


def scene_saliency(assets: Assets) -> np.ndarray:
    """Saliency of the scene at working resolution (computed here if the caller has none)."""
    assert assets.scene is not None
    if assets.scene_saliency is not None:
        sal = assets.scene_saliency.astype(np.float32)
    else:
        sal = predict_saliency(assets.scene, "u2netp")  # float32 already
    h, w = assets.scene.shape[:2]
    scale = WORK / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(sal, size, interpolation=cv2.INTER_AREA)


def crop_saliency(saliency: np.ndarray, scene_shape: tuple[int, ...], crop: Box) -> np.ndarray:
    """The part of a (smaller) saliency map under ``crop``, a box in scene pixels; at least
    one cell a side."""
    left, top, right, bottom = crop
    fx, fy = saliency.shape[1] / scene_shape[1], saliency.shape[0] / scene_shape[0]
    return saliency[int(top * fy):max(int(top * fy) + 1, int(bottom * fy)),
                    int(left * fx):max(int(left * fx) + 1, int(right * fx))]


def smart_crop(saliency: np.ndarray, scene_w: int, scene_h: int, aspect: float) -> Box:
    """The largest window of ``aspect`` that holds the most saliency (centre breaks ties)."""
    if scene_w / scene_h > aspect:
        crop_w, crop_h = round(scene_h * aspect), scene_h
    else:
        crop_w, crop_h = scene_w, round(scene_w / aspect)
    crop_w, crop_h = max(1, min(crop_w, scene_w)), max(1, min(crop_h, scene_h))
    sh, sw = saliency.shape
    sx, sy = sw / scene_w, sh / scene_h
    # Slide along the free axis over the saliency's column/row sums.
    horizontal = crop_w < scene_w
    profile = saliency.sum(axis=0 if horizontal else 1)
    window = max(1, round((crop_w * sx) if horizontal else (crop_h * sy)))
    sums = np.convolve(profile, np.ones(window), mode="valid")
    if len(sums) <= 1:
        return (scene_w - crop_w) // 2, (scene_h - crop_h) // 2, (scene_w + crop_w) // 2, (
            scene_h + crop_h) // 2
    centre = (len(sums) - 1) / 2
    prior = 1 - 0.05 * np.abs(np.arange(len(sums)) - centre) / max(centre, 1)
    best = int(np.argmax(sums * prior + 1e-6 * prior))
    if horizontal:
        x = min(scene_w - crop_w, round(best / sx))
        return x, 0, x + crop_w, crop_h
    y = min(scene_h - crop_h, round(best / sy))
    return 0, y, crop_w, y + crop_h


def _maps(scene: np.ndarray, saliency: np.ndarray, crop: Box, width: int,
          height: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Saliency and texture of the crop on a small canvas-shaped grid, and its scale."""
    left, top, right, bottom = crop
    scale = WORK / max(width, height)
    size = (max(2, round(width * scale)), max(2, round(height * scale)))
    sal = cv2.resize(crop_saliency(saliency, scene.shape, crop), size,
                     interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(scene[top:bottom, left:right], cv2.COLOR_RGB2GRAY)
    grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    grad = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    texture = np.clip(grad / 120.0, 0, 1)
    texture = cv2.GaussianBlur(texture, (5, 5), 0)
    return sal, texture, scale


def candidate_regions(width: int, height: int, inner: Box) -> list[Box]:
    left, top, right, bottom = inner
    w, h = right - left, bottom - top
    aspect = width / height
    regions: list[Box] = []
    if aspect >= 0.83:
        share = 0.45 if aspect >= 1.2 else 0.5
        regions += [(left, top, left + round(w * share), bottom),
                    (right - round(w * share), top, right, bottom)]
    if aspect <= 1.2:
        share = 0.4 if aspect <= 0.83 else 0.5
        regions += [(left, top, right, top + round(h * share)),
                    (left, bottom - round(h * share), right, bottom)]
    return regions


def calm_region(scene: np.ndarray, saliency: np.ndarray, crop: Box, width: int, height: int,
                inner: Box) -> tuple[Box, RegionCost]:
    sal, texture, scale = _maps(scene, saliency, crop, width, height)
    total_sal = float(sal.sum()) or 1.0
    best: tuple[Box, RegionCost] | None = None
    for region in candidate_regions(width, height, inner):
        x0, y0, x1, y1 = (round(v * scale) for v in region)
        patch_s, patch_t = sal[y0:y1, x0:x1], texture[y0:y1, x0:x1]
        if patch_s.size == 0:
            continue
        cost = RegionCost(saliency=float(patch_s.mean()), texture=float(patch_t.mean()),
                          cover=float(patch_s.sum()) / total_sal)
        if best is None or cost.total < best[1].total:
            best = (region, cost)
    assert best is not None
    return best


def opposite_region(text_region: Box, inner: Box, gap: int) -> Box:
    """What is left of the safe area beside (or above/below) the text region."""
    left, top, right, bottom = inner
    tl, tt, tr, tb = text_region
    if tt == top and tb == bottom:  # a column
        return (tr + gap, top, right, bottom) if tl == left else (left, top, tl - gap, bottom)
    return (left, tb + gap, right, bottom) if tt == top else (left, top, right, tt - gap)


def panel_regions(width: int, height: int, inner: Box, gap: int) -> tuple[Box, Box]:
    """Text region and photo panel for a photo whose subject leaves no calm space."""
    left, top, right, bottom = inner
    if width >= height:
        cut = left + round((right - left) * 0.45)
        return (left, top, cut, bottom), (cut + gap, top, right, bottom)
    cut = top + round((bottom - top) * 0.55)
    return (left, cut + gap, right, bottom), (left, top, right, cut)
