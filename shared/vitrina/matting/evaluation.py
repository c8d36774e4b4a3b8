"""Quality measures for mattes against ground truth, shared by the benchmark and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vitrina.imaging import decode_image


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    """IoU of alpha > 0.5 (both in [0, 1])."""
    a, b = alpha > 0.5, truth > 0.5
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def mae(alpha: np.ndarray, truth: np.ndarray) -> float:
    return float(np.abs(alpha.astype(np.float64) - truth).mean())


def spearman(x: list[float], y: list[float]) -> float:
    """Rank correlation (average ranks for ties)."""
    def ranks(v: list[float]) -> np.ndarray:
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        values = np.asarray(v)
        for value in np.unique(values):
            tied = values == value
            r[tied] = r[tied].mean()
        return r

    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def top_half_precision(confidence: list[float], ious: list[float], good: float = 0.9
                       ) -> tuple[float, float]:
    """Share of good results (IoU >= ``good``) in the top half by confidence, and overall."""
    order = np.argsort(confidence)[::-1]
    top = order[: max(1, len(order) // 2)]
    is_good = np.asarray(ious) >= good
    return float(is_good[top].mean()), float(is_good.mean())


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    truth: np.ndarray


def alphamatting_set(root: Path) -> list[Sample]:
    """The alphamatting.com low-res training set as laid out in shared/data."""
    samples = []
    for image in sorted((root / "images").glob("*.png")):
        truth = decode_image((root / "masks" / image.name).read_bytes()).rgb[..., 0]
        samples.append(Sample(image.stem, image.read_bytes(), truth.astype(np.float32) / 255))
    return samples


@dataclass(frozen=True)
class Scored:
    name: str
    raw_iou: float
    raw_mae: float
    iou: float
    mae: float
    confidence: float


def evaluate(samples: list[Sample]) -> list[Scored]:
    """The model's upsampled mask and vitrina's refined 8-bit matte, each against the truth."""
    from vitrina import saliency
    from vitrina.matting import refine, score

    scored = []
    for sample in samples:
        rgb = decode_image(sample.data).rgb
        prob = saliency.predict(rgb)
        alpha = refine.refine(rgb, prob)
        alpha8 = refine.to_uint8(alpha).astype(np.float32) / 255
        coarse = saliency.upsample(prob, rgb.shape[:2])
        scored.append(Scored(
            name=sample.name,
            raw_iou=iou(coarse, sample.truth),
            raw_mae=mae(coarse, sample.truth),
            iou=iou(alpha8, sample.truth),
            mae=mae(alpha8, sample.truth),
            confidence=score.score(rgb, prob, alpha).confidence,
        ))
    return scored
