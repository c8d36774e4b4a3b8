"""Matting quality on the 27 alphamatting.com photos with true alpha (when shared/data is
there): the refined matte must beat rembg's published figures and confidence must track IoU."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SHARED_DATA
from vitrina.matting import evaluation

DATA = SHARED_DATA / "matting" / "alphamatting_training_lowres"
REMBG_U2NETP = {"iou": 0.847, "mae": 0.082}

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="needs ../shared/data (eval only)")


def test_refined_matte_beats_rembg_and_confidence_tracks_iou() -> None:
    scored = evaluation.evaluate(evaluation.alphamatting_set(DATA))
    assert len(scored) == 27
    ious = [s.iou for s in scored]
    assert np.mean(ious) > max(np.mean([s.raw_iou for s in scored]), REMBG_U2NETP["iou"])
    assert np.mean([s.mae for s in scored]) < min(np.mean([s.raw_mae for s in scored]),
                                                   REMBG_U2NETP["mae"])
    confidence = [s.confidence for s in scored]
    assert evaluation.spearman(confidence, ious) > 0.4
    top, overall = evaluation.top_half_precision(confidence, ious)
    assert top > overall
