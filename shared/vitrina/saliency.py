"""Saliency: where the subject of a photo is, from U^2-Net on onnxruntime (matting segments
with it, banners place text around it, videos keep it in frame), and its maps in storage."""

from __future__ import annotations

import cv2
import numpy as np

from vitrina import storage
from vitrina.inference import session

MODEL_SIZE = 320
_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)


def predict(rgb: np.ndarray, model: str = "u2netp") -> np.ndarray:
    """Saliency probability at the model's 320x320 resolution, min-max normalised to [0, 1]."""
    small = cv2.resize(rgb, (MODEL_SIZE, MODEL_SIZE), interpolation=cv2.INTER_AREA)
    x = small.astype(np.float32)
    x /= max(float(x.max()), 1.0)
    x = (x - _MEAN) / _STD
    sess = session(model)
    feed = {sess.get_inputs()[0].name: x.transpose(2, 0, 1)[None]}
    out = sess.run([sess.get_outputs()[0].name], feed)[0][0, 0]
    lo, hi = float(out.min()), float(out.max())
    return ((out - lo) / max(hi - lo, 1e-6)).astype(np.float32)


def upsample(prob: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    return cv2.resize(prob, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)


def put_prob_at(key: str, prob: np.ndarray) -> None:
    """A [0, 1] probability map as a 16-bit PNG under ``key`` (16 bits keep the soft edge)."""
    storage.put_array(key, (np.clip(prob, 0, 1) * 65535 + 0.5).astype(np.uint16))


def get_prob_at(key: str) -> np.ndarray:
    """What :func:`put_prob_at` stored, as float32 in [0, 1]."""
    return storage.get_array(key).astype(np.float32) / 65535.0
