"""Video stage 2 for images: sharpness, resolution, near-duplicates, the subject's box and
the text printed on them.

The subject comes from the same U^2-Net saliency that the matting product uses; the script
stage keeps it in frame whatever the aspect ratio.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from vitrina import ocr, saliency

MIN_SIDE = 240  # smaller images look like mush at video sizes
MIN_SHARPNESS = 12.0  # variance of the Laplacian on a 512 px copy; below it the image is blurred
DUPLICATE_BITS = 6  # perceptual hashes this close (of 64 bits) show the same picture


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    sharpness: float
    phash: int
    subject: tuple[int, int, int, int]  # left, top, right, bottom in source pixels
    usable: bool
    reason: str  # why it is not usable ("" when it is)
    text: tuple[str, ...] = ()  # text printed on the image (OCR), most prominent first


def phash(rgb: np.ndarray) -> int:
    """64-bit DCT perceptual hash: survives resizing and recompression."""
    grey = cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), (32, 32),
                      interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(grey)[:8, :8].reshape(-1)
    bits = low > np.median(low[1:])
    return int("".join("1" if b else "0" for b in bits), 2)


def sharpness(rgb: np.ndarray) -> float:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    scale = 512 / max(grey.shape)
    if scale < 1:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def salient_box(rgb: np.ndarray, min_share: float, max_share: float = 1.0
                ) -> tuple[int, int, int, int] | None:
    """The box of what U^2-Net finds salient, or None when that covers less than
    ``min_share`` of the picture (nothing stands out) or more than ``max_share``."""
    h, w = rgb.shape[:2]
    prob = saliency.predict(rgb, "u2netp")
    mask = saliency.upsample(prob.astype(np.float32), (h, w)) > 0.5
    if not min_share <= mask.mean() <= max_share:
        return None
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def subject_box(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """The salient region's box (the whole image when nothing stands out)."""
    h, w = rgb.shape[:2]
    return salient_box(rgb, 0.005) or (0, 0, w, h)


def analyse_images(images: list[np.ndarray]) -> list[ImageInfo]:
    infos: list[ImageInfo] = []
    for rgb in images:
        h, w = rgb.shape[:2]
        sharp, hashed = sharpness(rgb), phash(rgb)
        reason = ""
        if min(h, w) < MIN_SIDE:
            reason = f"too small ({w}x{h})"
        elif sharp < MIN_SHARPNESS:
            reason = f"blurred (sharpness {sharp:.1f})"
        elif (twin := _twin(infos, hashed)) is not None:
            reason = f"near-duplicate of image {twin}"
        box = subject_box(rgb) if not reason else (0, 0, w, h)
        text = tuple(line.text for line in ocr.read_text(rgb)) if not reason else ()
        infos.append(ImageInfo(w, h, round(sharp, 2), hashed, box, not reason, reason, text))
    return infos


def _twin(earlier: list[ImageInfo], hashed: int) -> int | None:
    return next((i for i, other in enumerate(earlier) if other.usable
                 and bin(other.phash ^ hashed).count("1") <= DUPLICATE_BITS), None)


def mark_duplicates(infos: list[ImageInfo]) -> list[ImageInfo]:
    """Images analysed one by one (a Map item each) cannot see each other: a usable image
    that repeats an earlier one is marked here, as ``analyse_images`` does."""
    marked: list[ImageInfo] = []
    for info in infos:
        twin = _twin(marked, info.phash) if info.usable else None
        marked.append(info if twin is None else dataclasses.replace(
            info, usable=False, reason=f"near-duplicate of image {twin}"))
    return marked
