"""Banner stage 1: the product's cutout, saliency and palette, through the matting product.

The cutout is the matting pipeline's own (same model session, same refinement); a photo in
which matting finds no clear subject becomes a scene instead of a broken cutout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vitrina.color import Palette, extract_palette
from vitrina.imaging import LoadedImage
from vitrina.matting.pipeline import cut_out

# A subject is "clear" when matting is reasonably sure and it is neither a speck nor the frame.
MIN_CONFIDENCE = 0.3
MIN_AREA, MAX_AREA = 0.01, 0.92


@dataclass
class ProductAnalysis:
    cutout: np.ndarray | None  # RGBA cropped to the subject, None when there is no clear subject
    saliency: np.ndarray  # HxW float32 [0,1] over the whole photo (the model's output)
    palette: Palette
    confidence: float
    clear_subject: bool
    reason: str  # why there is no clear subject ("" when there is one)


def analyse_product(image: LoadedImage, model: str = "u2netp") -> ProductAnalysis:
    result = cut_out(image, model)
    alpha = result.alpha
    area = float((alpha >= 128).mean())
    reason = ""
    if result.confidence < MIN_CONFIDENCE:
        reason = f"matting confidence {result.confidence:.2f} is below {MIN_CONFIDENCE}"
    elif not MIN_AREA <= area <= MAX_AREA:
        reason = f"the subject covers {area:.0%} of the photo"
    box = result.bbox  # of the alpha above
    if reason or box is None:
        return ProductAnalysis(
            cutout=None, saliency=result.prob,
            palette=extract_palette(image.rgb), confidence=result.confidence,
            clear_subject=False, reason=reason or "no subject found",
        )
    x, y, w, h = box
    cutout = result.rgba[y:y + h, x:x + w].copy()
    return ProductAnalysis(
        cutout=cutout, saliency=result.prob,
        palette=extract_palette(cutout[..., :3], cutout[..., 3]),
        confidence=result.confidence, clear_subject=True, reason="",
    )
