"""Shot boundaries and camera motion in clips, against PySceneDetect on a real clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SHARED_DATA
from vitrina.video import clips, encode, probe

CLIP = SHARED_DATA / "video" / "pyscenedetect_testvideo" / "testvideo.mp4"


@pytest.mark.skipif(not CLIP.is_file(), reason="needs ../shared/data (eval only)")
def test_shot_boundaries_match_pyscenedetect_on_the_real_clip() -> None:
    """The clip has three shots joined by fades to black. PySceneDetect puts the scene
    changes at frames 201 and 382 (its scene list) and its threshold detector at 198 and
    377 (its regression golden); ours must agree with both within a third of a second."""
    info = clips.analyse_clip(CLIP)
    frames = [round(t * info.fps) for t in info.cuts]
    assert len(frames) == 2 and len(info.shots) == 3
    for ours, scene_list, golden in zip(frames, (201, 382), (198, 377), strict=True):
        assert abs(ours - scene_list) <= 10 and abs(ours - golden) <= 10
    for shot in info.shots:
        assert shot.start <= shot.best[0] < shot.best[1] <= shot.end


def write_clip(path: Path, frames: list[np.ndarray], fps: int = 25) -> Path:
    h, w = frames[0].shape[:2]
    with encode.SegmentWriter(path, encode.VideoSpec(w, h, fps)) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def texture(seed: int, size: tuple[int, int] = (360, 640)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (size[0] // 90, size[1] // 90, 3), dtype=np.uint8)
    import cv2

    return cv2.GaussianBlur(cv2.resize(small, (size[1], size[0]),
                                       interpolation=cv2.INTER_CUBIC), (7, 7), 0)


def test_a_hard_cut_and_the_motion_of_each_shot(tmp_path: Path) -> None:
    import cv2

    big = texture(1, (720, 1280))
    pan = [big[180:540, 300 + 3 * i:940 + 3 * i] for i in range(50)]  # content moves left
    push = []
    for i in range(50):
        scale = 1 + 0.01 * i
        matrix = cv2.getRotationMatrix2D((640, 360), 0, scale)
        push.append(cv2.warpAffine(texture(2, (720, 1280)), matrix, (1280, 720))[180:540,
                                                                                  320:960])
    still = [texture(3)] * 50
    path = write_clip(tmp_path / "clip.mp4", pan + push + still)
    info = clips.analyse_clip(path)
    assert [round(c, 1) for c in info.cuts] == [2.0, 4.0]
    assert [s.motion for s in info.shots] == ["pan-right", "push", "static"]


def test_long_clips_are_read_only_up_to_the_cap(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "long.mp4", [texture(i % 3) for i in range(150)])
    hsv, rate, fps = clips.sample_frames(path, max_seconds=2.0)
    assert fps == 25 and rate == clips.ANALYSIS_FPS and len(hsv) == 20
    assert probe.probe(path).frames == 150


def test_a_corrupt_clip_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    with pytest.raises(probe.UnreadableVideo):
        clips.analyse_clip(tmp_path / "bad.mp4")


def test_the_best_stretch_is_steady_and_the_subject_is_found(tmp_path: Path) -> None:
    """A shot of the sample coffee cup whose first half shakes: its best three seconds lie
    in the steady half, and the cup's box is found in the clip's own pixels."""
    import cv2

    from tests.conftest import ROOT

    cup = cv2.cvtColor(cv2.imread(str(ROOT / "samples" / "coffee.png")), cv2.COLOR_BGR2RGB)
    frame = cv2.resize(cup, (640, 360)) if cup.shape[:2] != (360, 640) else cup
    rng = np.random.default_rng(0)
    shaky = [np.roll(frame, tuple(rng.integers(-12, 13, 2)), axis=(0, 1)) for _ in range(75)]
    steady = [np.roll(frame, (0, i // 5), axis=(0, 1)) for i in range(100)]  # a slow pan
    info = clips.analyse_clip(write_clip(tmp_path / "cup.mp4", shaky + steady))
    assert len(info.shots) == 1
    shot = info.shots[0]
    assert shot.best[0] >= 3.0 - 0.1 and shot.steadiness > 0.8 and shot.score == 1.0
    assert shot.subject is not None
    left, top, right, bottom = shot.subject
    assert 0 <= left < right <= 640 and 0 <= top < bottom <= 360
    assert (right - left) * (bottom - top) < 0.85 * 640 * 360


def test_a_moving_subject_stays_in_a_vertical_crop(tmp_path: Path) -> None:
    """The cup crosses a 16:9 clip from left to right; cut into a 9:16 video, the crop
    follows it, so the cup fills the frame at the shot's start and at its end, where a
    centred crop would show empty table."""
    import dataclasses

    import cv2

    from tests.conftest import ROOT
    from vitrina.video import script, timeline
    from vitrina.video.analyse import ImageInfo

    cup = cv2.resize(cv2.cvtColor(cv2.imread(str(ROOT / "samples" / "coffee.png")),
                                  cv2.COLOR_BGR2RGB), (150, 100))
    frames = []
    for i in range(150):
        frame = np.full((360, 640, 3), 235, np.uint8)
        x = 20 + round(i * 2.8)
        frame[130:230, x:x + 150] = cup
        frames.append(frame)
    info = clips.analyse_clip(write_clip(tmp_path / "moving.mp4", frames))
    shot = info.shots[0]
    assert shot.subject is not None and shot.subject_end is not None
    assert (shot.subject_end[0] + shot.subject_end[2]) / 2 > (
        shot.subject[0] + shot.subject[2]) / 2 + 150
    clip = {"width": 640, "height": 360, **dataclasses.asdict(info)}
    still = np.full((600, 800, 3), 120, np.uint8)
    still[::8] = 0  # texture, so that the still is sharp enough to be used
    board = script.plan([ImageInfo(800, 600, 50.0, 1, (200, 100, 600, 500), True, "")], [],
                        [i * 0.5 for i in range(40)], duration=12, aspect="9:16",
                        rhythm="slow", size=(180, 320), clips=[clip])
    clip_shot = next(s for s in board.shots if s.clip is not None)
    frames_in = timeline.ClipFrames([tmp_path / "moving.mp4"], board.fps)
    for t in (clip_shot.start + clip_shot.transition_s + 0.05,
              clip_shot.start + clip_shot.duration - 0.05):
        frame = frames_in.frame(clip_shot, t, (180, 320))
        assert (np.abs(frame.astype(int) - 235).sum(axis=2) > 60).mean() > 0.1, t  # cup: 0.2
    frames_in.close()
