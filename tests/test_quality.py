"""Matting quality on the 27 alphamatting.com photos with true alpha (when shared/data is
there): the refined matte must beat rembg's published figures and confidence must track IoU."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SHARED_DATA
from vitrina.imaging import decode_image
from vitrina.matting import evaluation, refine, score, segment

DATA = SHARED_DATA / "matting" / "alphamatting_training_lowres"
REMBG_U2NETP = {"iou": 0.847, "mae": 0.082}

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="needs ../shared/data (eval only)")


def test_refined_matte_beats_rembg_and_confidence_tracks_iou() -> None:
    raw_iou, raw_mae, ious, maes, confidence = [], [], [], [], []
    for sample in evaluation.alphamatting_set(DATA):
        rgb = decode_image(sample.data).rgb
        prob = segment.predict(rgb)
        alpha = refine.refine(rgb, prob)
        alpha8 = refine.to_uint8(alpha).astype(np.float32) / 255
        coarse = segment.upsample(prob, rgb.shape[:2])
        raw_iou.append(evaluation.iou(coarse, sample.truth))
        raw_mae.append(evaluation.mae(coarse, sample.truth))
        ious.append(evaluation.iou(alpha8, sample.truth))
        maes.append(evaluation.mae(alpha8, sample.truth))
        confidence.append(score.score(rgb, prob, alpha).confidence)
    assert len(ious) == 27
    assert np.mean(ious) > max(np.mean(raw_iou), REMBG_U2NETP["iou"])
    assert np.mean(maes) < min(np.mean(raw_mae), REMBG_U2NETP["mae"])
    assert evaluation.spearman(confidence, ious) > 0.4
    top, overall = evaluation.top_half_precision(confidence, ious)
    assert top > overall
