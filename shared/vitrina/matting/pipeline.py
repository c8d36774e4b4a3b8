"""The matting stages composed in-process: one image in, one cutout out.

The state machines run the same stage functions one Lambda at a time; this module is what
the synchronous HTTP route, the S3-free tests and the benchmark call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from vitrina import saliency
from vitrina.imaging import LoadedImage
from vitrina.matting import refine, score


@dataclass
class Cutout:
    rgba: np.ndarray
    alpha: np.ndarray
    prob: np.ndarray
    score: score.Score
    bbox: list[int] | None
    model: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        return self.score.confidence


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._last, 4)
        self._last = now


def cut_out(image: LoadedImage, model: str = "u2netp") -> Cutout:
    clock = _Clock()
    prob = saliency.predict(image.rgb, model)
    clock.lap("segment_s")
    alpha = refine.refine(image.rgb, prob)
    clock.lap("refine_s")
    result = score.score(image.rgb, prob, alpha)
    clock.lap("score_s")
    rgba = finish(image.rgb, alpha)
    clock.lap("foreground_s")
    return Cutout(
        rgba=rgba,
        alpha=rgba[..., 3],
        prob=prob,
        score=result,
        bbox=score.bounding_box(rgba[..., 3]),
        model=model,
        timings=clock.timings,
    )


def finish(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """RGBA cutout: halo-free foreground colours under the 8-bit alpha."""
    alpha8 = refine.to_uint8(alpha)
    foreground = refine.estimate_foreground(rgb, alpha8.astype(np.float32) / 255.0)
    return refine.compose_rgba(foreground, alpha8)
