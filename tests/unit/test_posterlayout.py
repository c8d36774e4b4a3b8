"""PosterLayout metrics on hand-made layouts whose values can be worked out on paper."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from vitrina.banner.posterlayout import Element, LayoutMetrics, layout_metrics, mean_metrics

SIZE = 1000
CANVAS = (SIZE, SIZE)
# Gradient tests use a canvas under the 513x750 pixel budget, so it is evaluated unresampled.
SMALL = (600, 400)


def flat(value: int = 200, size: tuple[int, int] = CANVAS) -> np.ndarray:
    return np.full((size[1], size[0], 3), value, dtype=np.uint8)


def checkerboard(cell: int, low: int = 0, high: int = 255) -> np.ndarray:
    y, x = np.mgrid[: SMALL[1], : SMALL[0]]
    grey = np.where((x // cell + y // cell) % 2 == 0, low, high).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def no_saliency(size: tuple[int, int] = CANVAS) -> np.ndarray:
    return np.zeros((size[1], size[0]), dtype=np.float32)


def metrics(
    *elements: Element, saliency: np.ndarray | None = None, background: np.ndarray | None = None
) -> LayoutMetrics:
    """Metrics on CANVAS, or on the background's own size when one is given."""
    if background is None:
        background = flat()
    canvas = (background.shape[1], background.shape[0])
    return layout_metrics(
        list(elements), canvas, no_saliency(canvas) if saliency is None else saliency, background
    )


def text(*box: float) -> Element:
    return Element("text", box)


def underlay(*box: float) -> Element:
    return Element("underlay", box)


def test_overlap_is_the_pairwise_iou_sum_over_the_element_count() -> None:
    # IoU = 50x100 / (100x100 + 100x100 - 50x100) = 1/3, divided by two elements.
    result = metrics(text(0, 0, 100, 100), text(50, 0, 150, 100))
    assert result.overlap == pytest.approx(1 / 6)


def test_overlap_grows_with_the_shared_area() -> None:
    shifts = [90, 60, 30, 0]
    values = [metrics(text(0, 0, 100, 100), text(s, 0, s + 100, 100)).overlap for s in shifts]
    assert values == sorted(values)
    assert values[-1] == pytest.approx(0.5)


def test_overlap_ignores_underlays_and_foreign_kinds() -> None:
    result = metrics(
        text(100, 100, 300, 200),
        underlay(50, 50, 350, 250),
        Element("product", (100, 100, 300, 200)),
    )
    assert result.overlap == 0.0


def test_left_aligned_boxes_have_zero_alignment() -> None:
    result = metrics(text(100, 100, 400, 150), text(100, 300, 250, 380), text(100, 600, 700, 900))
    assert result.alignment == 0.0


def test_alignment_is_n_times_the_smallest_gap_term() -> None:
    # Gaps in canvas fractions: left .3, top .4, centre x .35, centre y .5, right .4, bottom .6.
    result = metrics(text(100, 100, 200, 200), text(400, 500, 600, 800))
    assert result.alignment == pytest.approx(2 * -math.log10(1 - 0.3))


def test_alignment_improves_as_an_edge_approaches_alignment() -> None:
    values = [
        metrics(text(100, 100, 200, 200), text(100 + gap, 500, 300 + gap, 800)).alignment
        for gap in (200, 100, 20, 0)
    ]
    assert values == sorted(values, reverse=True)
    assert values[-1] == 0.0


def test_text_fully_inside_an_underlay_scores_one() -> None:
    result = metrics(underlay(100, 100, 600, 400), text(150, 150, 500, 300))
    assert result.underlay_loose == 1.0
    assert result.underlay_strict == 1.0


def test_loose_underlay_is_the_share_of_the_element_on_it() -> None:
    # Half the text hangs off the underlay's left edge.
    result = metrics(underlay(100, 100, 600, 400), text(0, 150, 200, 300))
    assert result.underlay_loose == pytest.approx(0.5)
    assert result.underlay_strict == 0.0


def test_loose_underlay_takes_the_best_covered_element_per_underlay() -> None:
    result = metrics(
        underlay(100, 100, 600, 400),
        text(0, 150, 200, 300),  # half on
        text(700, 150, 800, 300),  # off
        underlay(700, 500, 900, 700),  # nothing on it
    )
    assert result.underlay_loose == pytest.approx((0.5 + 0.0) / 2)


def test_strict_underlay_ignores_the_right_edge_like_the_reference() -> None:
    # PosterLayout's containment test never compares right edges, so text sticking out to the
    # right still counts as inside; the published strict figures depend on it.
    result = metrics(underlay(100, 100, 600, 400), text(400, 150, 800, 300))
    assert result.underlay_strict == 1.0
    assert result.underlay_loose == pytest.approx(0.5)


def test_underlay_metrics_are_undefined_without_an_underlay() -> None:
    result = metrics(text(100, 100, 400, 200))
    assert math.isnan(result.underlay_loose)
    assert math.isnan(result.underlay_strict)


def test_an_underlay_with_nothing_else_scores_zero() -> None:
    result = metrics(underlay(100, 100, 400, 200))
    assert (result.underlay_loose, result.underlay_strict) == (0.0, 0.0)


def test_occlusion_is_the_mean_saliency_under_the_elements() -> None:
    ones = np.ones((SIZE, SIZE), dtype=np.float32)
    assert metrics(text(100, 100, 400, 200), saliency=ones).occlusion == 1.0
    assert metrics(text(100, 100, 400, 200), saliency=no_saliency()).occlusion == 0.0

    half = no_saliency()
    half[:, :250] = 1.0
    assert metrics(text(100, 100, 400, 200), saliency=half).occlusion == pytest.approx(0.5)


def test_occlusion_counts_overlapping_boxes_once_and_includes_underlays() -> None:
    salient = no_saliency()
    salient[:, :200] = 1.0
    # Union: x 100..300 (text) and the underlay's x 100..300, rows 100..200: half salient.
    result = metrics(text(100, 100, 300, 200), underlay(100, 100, 300, 200), saliency=salient)
    assert result.occlusion == pytest.approx(0.5)


def test_occlusion_grows_as_elements_move_onto_the_subject() -> None:
    salient = no_saliency()
    salient[400:600, 400:600] = 1.0
    values = [
        metrics(text(x, 450, x + 200, 550), saliency=salient).occlusion for x in (0, 250, 350, 400)
    ]
    assert values == sorted(values)
    assert values[0] == 0.0
    assert values[-1] == 1.0


def test_foreign_kinds_do_not_occlude() -> None:
    ones = np.ones((SIZE, SIZE), dtype=np.float32)
    result = metrics(Element("product", (0, 0, 500, 500)), saliency=ones)
    assert result.occlusion == 0.0


def test_text_on_a_flat_background_is_readable() -> None:
    assert metrics(text(100, 100, 500, 300), background=flat(size=SMALL)).unreadability == 0.0


def test_text_on_a_checkerboard_is_unreadable() -> None:
    result = metrics(text(100, 100, 500, 300), background=checkerboard(cell=2))
    assert result.unreadability > 0.5


def test_unreadability_grows_with_the_busy_share_under_the_text() -> None:
    background = checkerboard(cell=2)
    background[:, :300] = 200
    values = [
        metrics(text(50, 100, right, 300), background=background).unreadability
        for right in (290, 350, 450, 550)
    ]
    assert values == sorted(values)
    assert values[0] == 0.0


def test_text_on_an_underlay_is_readable_whatever_lies_behind() -> None:
    result = metrics(
        text(100, 100, 500, 300), underlay(50, 50, 550, 350), background=checkerboard(cell=2)
    )
    assert result.unreadability == 0.0


def test_unreadability_looks_at_text_only() -> None:
    result = metrics(Element("logo", (100, 100, 500, 300)), background=checkerboard(cell=2))
    assert result.unreadability == 0.0


def test_unreadability_keeps_the_reference_8_bit_gradient() -> None:
    # A Sobel response of 64 squares to a multiple of 256, which the reference's uint8
    # arithmetic wraps to 0: this low-contrast texture scores as flat, as it does there.
    result = metrics(text(100, 100, 500, 300), background=checkerboard(8, low=120, high=136))
    assert result.unreadability == 0.0


def test_tiny_elements_are_invalid_and_left_out() -> None:
    # 0.1% of a 1000x1000 canvas is 1000 px: a 20x20 box is invalid, a 40x40 one is valid.
    result = metrics(text(0, 0, 100, 100), text(0, 0, 20, 20), text(500, 500, 540, 540))
    assert result.validity == pytest.approx(2 / 3)
    assert result.overlap == 0.0  # the tiny box sat on the first one


def test_boxes_are_clipped_to_the_canvas() -> None:
    outside = metrics(text(-500, -500, -10, -10), text(100, 100, 200, 200))
    assert outside.validity == 0.5

    ones = np.ones((SIZE, SIZE), dtype=np.float32)
    partly = metrics(text(-100, -100, 100, 100), text(0, 0, 100, 100), saliency=ones)
    assert partly.overlap == pytest.approx(0.5)  # identical once clipped: IoU 1, two elements
    assert partly.occlusion == 1.0


def test_zero_area_and_inverted_boxes_are_invalid() -> None:
    result = metrics(text(100, 100, 100, 400), text(300, 300, 200, 200), text(0, 0, 100, 100))
    assert result.validity == pytest.approx(1 / 3)


def test_an_empty_layout_has_nothing_to_measure() -> None:
    result = metrics(Element("product", (0, 0, 500, 500)))
    assert math.isnan(result.validity)
    assert math.isnan(result.underlay_loose)
    assert result.overlap == result.alignment == result.occlusion == result.unreadability == 0.0


def test_maps_at_another_resolution_are_resampled() -> None:
    canvas = (2400, 1200)
    saliency = np.zeros((300, 600), dtype=np.float32)
    saliency[:, :300] = 1.0  # left half of the canvas
    background = np.full((600, 1200, 3), 90, dtype=np.uint8)
    result = layout_metrics([Element("text", (0, 0, 2400, 600))], canvas, saliency, background)
    assert result.occlusion == pytest.approx(0.5, abs=0.01)
    assert result.unreadability == 0.0


def test_a_large_canvas_is_fast_and_agrees_with_a_small_one() -> None:
    rng = np.random.default_rng(0)
    big = 3000
    saliency = np.zeros((big, big), dtype=np.float32)
    saliency[: big // 2] = 1.0
    background = rng.integers(0, 256, (big, big, 3), dtype=np.uint8)
    layout = [Element("text", (0, 1200, 3000, 1800)), Element("logo", (2700, 0, 2900, 200))]

    start = time.perf_counter()
    result = layout_metrics(layout, (big, big), saliency, background)
    assert time.perf_counter() - start < 1.0

    small = [Element(e.kind, tuple(v / 3 for v in e.box)) for e in layout]
    reference = layout_metrics(small, CANVAS, saliency[::3, ::3].copy(), background[::3, ::3])
    for name in ("validity", "overlap", "alignment", "occlusion"):
        assert getattr(result, name) == pytest.approx(getattr(reference, name), abs=1e-3)
    assert result.unreadability > 0.3  # noise is busy at any scale


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="canvas"):
        layout_metrics([], (0, 10), no_saliency(), flat())
    with pytest.raises(ValueError, match="saliency"):
        layout_metrics([], CANVAS, np.zeros((4, 4, 1), dtype=np.float32), flat())
    with pytest.raises(ValueError, match="background"):
        layout_metrics([], CANVAS, no_saliency(), flat().astype(np.float32))


def _layout(**values: float) -> LayoutMetrics:
    base = dict.fromkeys(LayoutMetrics.__dataclass_fields__, 0.0)
    return LayoutMetrics(**(base | values))


def test_mean_metrics_averages_like_the_reference() -> None:
    nan = math.nan
    result = mean_metrics(
        [
            _layout(validity=1.0, overlap=0.2, occlusion=0.4, underlay_loose=1.0),
            _layout(validity=0.5, overlap=0.0, occlusion=0.0, underlay_loose=0.5),
            _layout(validity=nan, alignment=0.3, underlay_loose=nan, underlay_strict=nan),
        ]
    )
    assert result.overlap == pytest.approx(0.2 / 3)  # every layout counts
    assert result.occlusion == pytest.approx(0.4 / 3)
    assert result.alignment == pytest.approx(0.1)
    assert result.underlay_loose == pytest.approx(0.75)  # only layouts with an underlay
    assert result.underlay_strict == 0.0
    assert result.validity == pytest.approx(0.75)  # only layouts with elements


def test_mean_metrics_without_any_underlay_reports_zero() -> None:
    nan = math.nan
    result = mean_metrics([_layout(underlay_loose=nan, underlay_strict=nan)] * 2)
    assert (result.underlay_loose, result.underlay_strict) == (0.0, 0.0)


def test_mean_metrics_of_real_layouts_and_as_dict() -> None:
    one = metrics(text(0, 0, 100, 100), text(50, 0, 150, 100))
    two = metrics(underlay(100, 100, 600, 400), text(150, 150, 500, 300))
    result = mean_metrics([one, two])
    assert result.overlap == pytest.approx((1 / 6 + 0) / 2)
    assert result.underlay_loose == 1.0
    assert list(result.as_dict()) == [
        "validity",
        "overlap",
        "alignment",
        "underlay_loose",
        "underlay_strict",
        "occlusion",
        "unreadability",
    ]


def test_mean_metrics_needs_layouts() -> None:
    with pytest.raises(ValueError):
        mean_metrics([])
