"""Checking and ranking finished banners.

Every banner is checked against the guarantees a merchant relies on (no overlapping text, text
off the product, readable contrast, safe margins), scored with the PosterLayout metrics, and
given a small visual signature so that near-duplicate variants can be dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from vitrina.banner import posterlayout, render
from vitrina.banner.document import LOGO, PRODUCT, TEXT, UNDERLAY, Assets, Box, Layout
from vitrina.banner.layout import safe_margin
from vitrina.color import MIN_CONTRAST, hex_to_rgb, worst_contrast

MAX_SALIENT_COVER = 0.05
SIGNATURE = 12  # side of the colour thumbnail compared for near-duplicates
DUPLICATE_DISTANCE = 0.03  # mean absolute difference (0..1) below which two variants look alike


@dataclass
class Evaluation:
    passed: bool
    checks: dict[str, bool]
    min_contrast: float
    salient_cover: float
    problems: list[str]
    metrics: dict[str, float]
    design: dict[str, float]
    score: float
    signature: list[int]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def saliency_map(layout: Layout, assets: Assets) -> np.ndarray:
    """What text must not hide: the placed product's alpha, and a scene's own saliency."""
    sal = np.zeros((layout.height, layout.width), dtype=np.float32)
    bg = layout.background
    if bg.kind == "scene" and assets.scene is not None and bg.crop is not None:
        from vitrina.banner.scene import crop_saliency, scene_saliency

        region = crop_saliency(scene_saliency(assets), assets.scene.shape, bg.crop)
        x0, y0, x1, y1 = bg.scene_box or (0, 0, layout.width, layout.height)
        sal[y0:y1, x0:x1] = cv2.resize(region, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    for element in layout.by_kind(PRODUCT):
        if assets.product is None:
            continue
        left, top, right, bottom = _clip(element.box, layout.width, layout.height)
        if right <= left or bottom <= top:
            continue
        alpha = cv2.resize(assets.product[..., 3], (element.width, element.height),
                           interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        ox, oy = left - element.box[0], top - element.box[1]
        patch = alpha[oy:oy + bottom - top, ox:ox + right - left]
        sal[top:bottom, left:right] = np.maximum(sal[top:bottom, left:right], patch)
    return sal


def _clip(box: Box, width: int, height: int) -> Box:
    return max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3])


def _overlap(a: Box, b: Box) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def evaluate(layout: Layout, image: np.ndarray, assets: Assets,
             backdrop: np.ndarray | None = None) -> Evaluation:
    """``image`` is the rendered banner; ``backdrop`` the same without its text (re-rendered
    from the layout when not given)."""
    if backdrop is None:
        backdrop = np.asarray(render.backdrop(layout, assets))
    texts = layout.by_kind(TEXT)
    problems: list[str] = []

    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if _overlap(a.box, b.box) > 0:
                problems.append(f"text overlap: {a.id} and {b.id}")
    overlap_ok = not problems

    sal = saliency_map(layout, assets)
    total = float(sal.sum())
    covered = np.zeros(sal.shape, dtype=bool)
    for element in texts:
        left, top, right, bottom = _clip(element.box, layout.width, layout.height)
        covered[top:bottom, left:right] = True
    cover = float(sal[covered].sum()) / total if total > 0 else 0.0
    if cover > MAX_SALIENT_COVER:
        problems.append(f"text covers {cover:.1%} of the salient area (limit 5%)")

    ratios = []
    for element in texts:
        left, top, right, bottom = _clip(element.box, layout.width, layout.height)
        ratio = worst_contrast(hex_to_rgb(element.color or "#000000"),
                               backdrop[top:bottom, left:right])
        ratios.append(ratio)
        if ratio < MIN_CONTRAST:
            problems.append(f"{element.id}: contrast {ratio:.2f}:1 below 4.5:1")
    min_contrast = min(ratios) if ratios else 21.0

    margin = safe_margin(layout.width, layout.height)
    inside_ok = True
    for element in layout.elements:
        if element.kind in (TEXT, LOGO, PRODUCT) or element.id in ("cta.button", "badge.shape",
                                                                   "price.burst"):
            limit = (margin, margin, layout.width - margin, layout.height - margin)
        elif element.kind == UNDERLAY:
            limit = (0, 0, layout.width, layout.height)
        else:
            continue
        box = element.box
        if box[0] < limit[0] or box[1] < limit[1] or box[2] > limit[2] or box[3] > limit[3]:
            inside_ok = False
            problems.append(f"{element.id} outside the safe area")

    checks = {
        "text_overlap": overlap_ok,
        "salient_cover": cover <= MAX_SALIENT_COVER,
        "contrast": min_contrast >= MIN_CONTRAST,
        "inside_safe_area": inside_ok,
    }
    metrics = posterlayout.layout_metrics(
        [posterlayout.Element(kind=e.kind, box=e.box) for e in layout.elements],
        (layout.width, layout.height), sal, backdrop,
    ).as_dict()
    passed = all(checks.values())
    design = design_cues(layout)
    return Evaluation(
        passed=passed,
        checks=checks,
        min_contrast=round(min_contrast, 2),
        salient_cover=round(cover, 4),
        problems=problems,
        metrics={k: round(v, 4) for k, v in metrics.items()},
        design=design,
        score=round(layout_score(metrics, design, passed), 4),
        signature=signature(image),
    )


def design_cues(layout: Layout) -> dict[str, float]:
    """Two things the PosterLayout metrics do not see, each in [0, 1]: how large the headline
    reads for the canvas (1 from 12% of the short side), and how prominent the product is
    (best at 35% of the canvas, falling to 0 at none or at 70%)."""
    short = min(layout.width, layout.height)
    headline = next((e for e in layout.by_kind(TEXT) if e.id == "headline"), None)
    legibility = min(1.0, headline.text["size"] / (0.12 * short)) if headline and headline.text \
        else 0.0
    products = layout.by_kind(PRODUCT)
    share = (sum(e.width * e.height for e in products) / (layout.width * layout.height)
             if products else 0.35)  # a scene layout shows the product in the photo itself
    prominence = 1 - abs(share - 0.35) / 0.35
    return {"legibility": round(legibility, 4), "prominence": round(max(0.0, prominence), 4)}


def layout_score(metrics: dict[str, float], design: dict[str, float], passed: bool) -> float:
    """Higher is better: the PosterLayout defects (each 0 when perfect) weighted to a 0..1
    scale, the loose underlay, a legible headline and a prominent product rewarded, and a
    failed guarantee costing more than any style."""
    defects = (
        2.0 * metrics["overlap"]
        + 20.0 * metrics["alignment"]
        + 1.0 * metrics["occlusion"]
        + 1.0 * metrics["unreadability"]
    )
    underlay = metrics.get("underlay_loose", 0.0)
    underlay = 0.0 if underlay != underlay else underlay  # NaN when there is no underlay
    score = (1.0 / (1.0 + defects) + 0.05 * underlay + 0.15 * design["legibility"]
             + 0.1 * design["prominence"])
    return score if passed else score - 1.0


def signature(image: np.ndarray) -> list[int]:
    small = cv2.resize(image, (SIGNATURE, SIGNATURE), interpolation=cv2.INTER_AREA)
    return small.reshape(-1).tolist()


def distance(a: list[int], b: list[int]) -> float:
    return float(np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)).mean() / 255)


def _rank_key(variant: dict[str, Any]) -> tuple[bool, float, float, int, str]:
    """Variants that pass every check first; then, once the segment's bandit has learned
    something (a ``prior``), its preference; then the layout score; then the planned order."""
    evaluation = variant["evaluation"]
    prior = variant.get("prior")
    return (not evaluation["passed"], -(prior if prior is not None else 0.0),
            -evaluation["score"], variant.get("order", 0), variant["template"])


def rank(variants: list[dict[str, Any]], wanted: int) -> tuple[list[dict[str, Any]],
                                                               list[dict[str, Any]]]:
    """Best first, near-duplicates of a better variant dropped; returns (kept, dropped).

    Each variant is a dict with ``evaluation`` (an :class:`Evaluation` as a dict) and an
    optional ``prior`` (the audience bandit's draw for its template).
    """
    ordered = sorted(variants, key=_rank_key)
    kept: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for variant in ordered:
        sig = variant["evaluation"]["signature"]
        twin = next((k for k in kept if distance(sig, k["evaluation"]["signature"])
                     < DUPLICATE_DISTANCE), None)
        if twin is not None:
            dropped.append({**variant, "dropped": f"near-duplicate of {twin['template']}"})
        elif len(kept) < wanted:
            kept.append(variant)
        else:
            dropped.append({**variant, "dropped": "beyond the number of variants asked for"})
    return kept, dropped
