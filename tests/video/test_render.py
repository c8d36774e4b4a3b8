"""Storyboard -> frames -> parallel segments -> one MP4, checked by decoding it again."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from tests.video.test_encode import tone
from vitrina.video import probe, render, timeline


def photo(seed: int, size: tuple[int, int] = (480, 640)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h, w = size
    base = np.zeros((h, w, 3), np.uint8)
    base[:] = rng.integers(40, 200, 3)
    for _ in range(12):  # texture so that motion shows
        y, x = rng.integers(0, h - 40), rng.integers(0, w - 40)
        base[y:y + 40, x:x + 40] = rng.integers(0, 255, 3)
    return base


def board(width: int = 320, height: int = 180) -> timeline.Storyboard:
    full = (0.0, 0.0, 640.0, 360.0)
    shots = [
        timeline.Shot(0, 0.0, 1.2, full, (80.0, 45.0, 560.0, 315.0)),
        timeline.Shot(1, 1.2, 1.0, (0.0, 60.0, 400.0, 285.0), (240.0, 60.0, 640.0, 285.0),
                      "crossfade", 0.3),
        timeline.Shot(2, 2.2, 0.8, full, full, "slide", 0.3),
        timeline.Shot(0, 3.0, 0.5, full, (40.0, 20.0, 600.0, 340.0), "wipe", 0.2),
        timeline.Shot(1, 3.5, 0.5, full, (40.0, 20.0, 600.0, 340.0), "zoom", 0.2),
    ]
    box = (width // 20, height * 5 // 9, width - width // 20, height - height // 18)
    captions = [timeline.Caption("Light as air 轻若无物", 0.2, 2.0, box, 28)]
    return timeline.Storyboard(width, height, 25, 4.0, shots, captions)


def test_transitions_and_captions_draw_real_pixels() -> None:
    images = [photo(i) for i in range(3)]
    plain = timeline.Storyboard(**{**board().__dict__, "captions": []})
    with_caption = timeline.frame_at(board(), images, 25)
    without = timeline.frame_at(plain, images, 25)
    changed = np.any(with_caption != without, axis=2)
    ys, xs = np.nonzero(changed)
    assert changed.any() and xs.min() >= 16 and xs.max() < 304 and ys.min() >= 100
    # Mid-crossfade the frame lies between the two shots.
    mid = timeline.frame_at(plain, images, round(1.35 * 25)).astype(int)
    for transition_frame in (round(2.35 * 25), round(3.1 * 25), round(3.6 * 25)):
        assert timeline.frame_at(plain, images, transition_frame).shape == (180, 320, 3)
    assert mid.std() > 0


@pytest.mark.parametrize(("width", "height"), [(320, 180), (180, 320), (240, 240), (240, 320)])
def test_every_aspect_renders_to_the_exact_size_and_length(tmp_path: Path, width: int,
                                                           height: int) -> None:
    images = [photo(i) for i in range(3)]
    tone(tmp_path / "music.wav", 6.0)
    out = render.render(board(width, height), images, tmp_path / "video.mp4",
                        music=tmp_path / "music.wav", workers=2)
    info = probe.probe(out)
    assert (info.width, info.height, info.frames) == (width, height, 100)
    assert abs(info.duration - 4.0) < 1 / 25 and info.audio_codec == "aac"
    assert info.audio_duration is not None and abs(info.audio_duration - 4.0) < 0.05
    decoded = list(probe.frames(out))
    assert len(decoded) == 100 and min(float(f.mean()) for f in decoded) > 10


def test_segments_cover_every_frame_once() -> None:
    ranges = render.segment_ranges(board(), 3)
    assert ranges[0][0] == 0 and ranges[-1][1] == 100
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
