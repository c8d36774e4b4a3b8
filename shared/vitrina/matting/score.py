"""Stage 4: a confidence in [0, 1] that sorts good cutouts first.

Each cue is a number in [0, 1] where 1 means "looks right"; the confidence is their
weighted geometric mean, so one clearly bad cue pulls the score down on its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np

from vitrina.saliency import MODEL_SIZE

WEIGHTS = {
    "agreement": 1.0,
    "decisiveness": 1.5,
    "separation": 1.0,
    "compactness": 1.0,
    "edge_support": 0.5,
    "area": 1.0,
}


@dataclass(frozen=True)
class Score:
    confidence: float
    agreement: float
    decisiveness: float
    separation: float
    compactness: float
    edge_support: float
    area: float

    def cues(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items() if k != "confidence"}


def score(rgb: np.ndarray, prob: np.ndarray, alpha: np.ndarray) -> Score:
    size = (MODEL_SIZE, MODEL_SIZE)
    small_alpha = cv2.resize(alpha.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    small_rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    cues = {
        "agreement": _agreement(prob, small_alpha),
        "decisiveness": _decisiveness(prob),
        "separation": _separation(small_rgb, small_alpha),
        "compactness": _compactness(small_alpha),
        "edge_support": _edge_support(small_rgb, small_alpha),
        "area": _area(small_alpha),
    }
    total = sum(WEIGHTS.values())
    log_mean = sum(WEIGHTS[k] * np.log(max(v, 1e-4)) for k, v in cues.items()) / total
    return Score(confidence=float(np.exp(log_mean)), **{k: float(v) for k, v in cues.items()})


def _agreement(prob: np.ndarray, alpha: np.ndarray) -> float:
    """Soft IoU between the model's output and the refined matte: refinement that had to
    move a lot of the boundary means the model was unsure of the object."""
    union = np.maximum(prob, alpha).sum()
    return float(np.minimum(prob, alpha).sum() / union) if union > 0 else 0.0


def _decisiveness(prob: np.ndarray) -> float:
    """Share of the subject's surroundings that the model called clearly in or out."""
    grey_zone = (prob > 0.15) & (prob < 0.85)
    support = prob > 0.15
    if not support.any():
        return 0.0
    return float(1.0 - grey_zone.sum() / support.sum())


def _separation(rgb: np.ndarray, alpha: np.ndarray) -> float:
    """How different the subject's colours are from the background's (1 - Bhattacharyya
    coefficient of 3-D colour histograms): similar colours make any cut doubtful."""
    fg = (alpha > 0.9).astype(np.uint8)
    bg = (alpha < 0.1).astype(np.uint8)
    if fg.sum() < 16 or bg.sum() < 16:
        return 0.5
    bins, ranges = [8, 8, 8], [0, 256, 0, 256, 0, 256]
    hist_fg = cv2.calcHist([rgb], [0, 1, 2], fg, bins, ranges)
    hist_bg = cv2.calcHist([rgb], [0, 1, 2], bg, bins, ranges)
    cv2.normalize(hist_fg, hist_fg, 1, 0, cv2.NORM_L1)
    cv2.normalize(hist_bg, hist_bg, 1, 0, cv2.NORM_L1)
    distance = cv2.compareHist(hist_fg, hist_bg, cv2.HISTCMP_BHATTACHARYYA)
    return float(np.clip(distance, 0.0, 1.0))


def _compactness(alpha: np.ndarray) -> float:
    """Fraction of the foreground in its largest piece: scattered fragments are suspect."""
    binary = (alpha > 0.5).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return 0.0
    areas = stats[1:, cv2.CC_STAT_AREA]
    return float(areas.max() / areas.sum())


def _edge_support(rgb: np.ndarray, alpha: np.ndarray) -> float:
    """Share of the matte's outline that lies on an image edge."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.dilate(cv2.Canny(grey, 50, 150), np.ones((5, 5), np.uint8)) > 0
    binary = (alpha > 0.5).astype(np.uint8)
    outline = (binary - cv2.erode(binary, np.ones((3, 3), np.uint8))) > 0
    if not outline.any():
        return 0.0
    return float(edges[outline].mean())


def _area(alpha: np.ndarray) -> float:
    """A product photo's subject covers a sensible share of the frame: neither a speck
    nor everything (an all-foreground matte means nothing was cut)."""
    share = float((alpha > 0.5).mean())
    if share <= 0.0 or share >= 1.0:
        return 0.0
    low = np.clip(share / 0.02, 0.0, 1.0)
    high = np.clip((0.97 - share) / 0.12, 0.0, 1.0)
    return float(min(low, high))


def bounding_box(alpha: np.ndarray, threshold: float = 0.5) -> list[int] | None:
    """[x, y, width, height] of the subject, or None when nothing was kept."""
    ys, xs = np.nonzero(alpha >= threshold if alpha.dtype != np.uint8 else alpha >= 128)
    if xs.size == 0:
        return None
    x0, y0 = int(xs.min()), int(ys.min())
    return [x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1]
