"""Video stage 2 for clips: shot boundaries, camera motion per shot, and each shot's best part.

A clip is read once, small (160 px wide, greyscale and HSV) and sampled (at most
``ANALYSIS_FPS`` frames a second, and never more than ``MAX_SECONDS`` of it, so an hours-long
upload costs what a few minutes do). Cuts follow PySceneDetect's content detector (the mean
change of hue, saturation and value between frames against a threshold) plus fades through
black; motion comes from dense optical flow between sampled frames.
"""

from __future__ import annotations

import itertools
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vitrina.errors import InputError
from vitrina.video.encode import ffmpeg_exe, ffmpeg_reason
from vitrina.video.probe import Probe, UnreadableVideo, probe

WIDTH = 160
ANALYSIS_FPS = 10.0
MAX_SECONDS = 300.0
CUT_THRESHOLD = 27.0  # PySceneDetect ContentDetector's default, on the same 0..255 scale
MIN_SHOT_S = 0.5
BLACK = 12.0  # mean value below which a frame is part of a fade to black
SHAKE_PX = 2.0  # a change of camera shift this big (at 160 px) halves a frame's steadiness
SHAKE_FLOOR_PX = 0.5  # below this, a change of shift is measurement noise
SUBJECT_SHOTS = 3  # shots per clip checked for a subject (two U^2-Net runs each)
SUBJECT_MAX_SHARE = 0.85  # a "subject" filling more of the frame than this is the background
NO_SUBJECT = 0.5  # a shot with no subject is worth half as much


@dataclass(frozen=True)
class ClipShot:
    start: float
    end: float
    motion: str  # push | pull | pan-left | pan-right | tilt-up | tilt-down | static
    best: tuple[float, float]  # the steadiest, sharpest stretch of the shot (seconds)
    sharpness: float
    steadiness: float  # 1 on a tripod or a smooth move, towards 0 as the camera shakes
    score: float  # sharp x steady x subject present, relative to the clip's best shot
    subject: tuple[int, int, int, int] | None = None  # at the best stretch's start...
    subject_end: tuple[int, int, int, int] | None = None  # ...and end (the best shots only)


@dataclass(frozen=True)
class ClipInfo:
    duration: float
    fps: float
    width: int
    height: int
    analysed_s: float  # how much of it was read (capped for long clips)
    cuts: tuple[float, ...]  # times where a new shot starts (not 0)
    shots: tuple[ClipShot, ...]


def sample_frames(path: Path, max_seconds: float = MAX_SECONDS, fps: float = ANALYSIS_FPS,
                  info: Probe | None = None) -> tuple[np.ndarray, float, float]:
    """HSV frames (N x h x 160 x 3, uint8) of the first ``max_seconds``, their rate, and the
    clip's own frame rate (``info``: the clip's probe, when the caller has it already)."""
    info = info or probe(path)
    if info.frames == 0:
        raise UnreadableVideo(f"{path.name} has no video frames")
    rate = min(fps, info.fps) if info.fps else fps
    height = max(2, round(info.height * WIDTH / info.width / 2) * 2)
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-t", f"{max_seconds:.3f}",
               "-i", str(path), "-an", "-vf", f"fps={rate},scale={WIDTH}:{height}",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    size = WIDTH * height * 3
    count = len(result.stdout) // size
    if result.returncode != 0 or count == 0:
        raise UnreadableVideo(f"{path.name} could not be decoded: "
                              f"{ffmpeg_reason(result.stderr)}")
    rgb = np.frombuffer(result.stdout[: count * size], np.uint8).reshape(count, height,
                                                                        WIDTH, 3)
    hsv = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2HSV_FULL) for f in rgb])
    return hsv, rate, info.fps


def content_scores(hsv: np.ndarray) -> np.ndarray:
    """Mean absolute change of H, S and V from the previous frame (0 for the first)."""
    frames = hsv.astype(np.int16)
    delta = np.abs(np.diff(frames, axis=0)).reshape(len(frames) - 1, -1, 3).mean(axis=1)
    return np.concatenate([[0.0], delta.mean(axis=1)])


def find_cuts(hsv: np.ndarray, rate: float) -> list[float]:
    """Content cuts (a jump above the threshold) and the midpoints of fades through black."""
    scores = content_scores(hsv)
    values = hsv[..., 2].reshape(len(hsv), -1).mean(axis=1)
    min_gap = max(1, round(MIN_SHOT_S * rate))
    cuts: list[int] = []
    dark = values < BLACK
    i = 0
    while i < len(hsv):
        if dark[i]:
            j = i
            while j + 1 < len(hsv) and dark[j + 1]:
                j += 1
            if i > 0 and j + 1 < len(hsv):  # a fade between two shots, not the clip's ends
                cuts.append((i + j + 1) // 2)  # the middle of the dark stretch
            i = j + 1
            continue
        if scores[i] >= CUT_THRESHOLD and not dark[i - 1] and (not cuts or i - cuts[-1]
                                                               >= min_gap):
            cuts.append(i)
        i += 1
    return [c / rate for c in sorted(set(cuts)) if c > 0]


def _motion(grey: list[np.ndarray]) -> str:
    """Camera move from the median dense flow: its mean (pan/tilt) and divergence (zoom)."""
    if len(grey) < 2:
        return "static"
    dx, dy, div = [], [], []
    h, w = grey[0].shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    rx, ry = xs - w / 2, ys - h / 2
    norm = np.sqrt(rx * rx + ry * ry) + 1e-3
    for a, b in itertools.pairwise(grey):
        flow = cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 2, 11, 2, 5, 1.1, 0)
        dx.append(float(np.median(flow[..., 0])))
        dy.append(float(np.median(flow[..., 1])))
        div.append(float(np.median((flow[..., 0] * rx + flow[..., 1] * ry) / norm)))
    mx, my, mz = (float(np.median(v)) for v in (dx, dy, div))
    if abs(mz) > 0.15 and abs(mz) >= max(abs(mx), abs(my)) * 0.5:
        return "push" if mz > 0 else "pull"
    if max(abs(mx), abs(my)) < 0.15:
        return "static"
    if abs(mx) >= abs(my):
        return "pan-left" if mx > 0 else "pan-right"  # content moves right: the camera pans left
    return "tilt-up" if my > 0 else "tilt-down"


def _shake(grey: list[np.ndarray]) -> np.ndarray:
    """Per frame, how much the camera's shift changed since the previous frame (pixels at
    160 px wide): near 0 on a tripod or a smooth pan, large on a shaky hand."""
    shifts = [(0.0, 0.0)]
    for a, b in itertools.pairwise([g.astype(np.float32) for g in grey]):
        (dx, dy), _ = cv2.phaseCorrelate(a, b)
        shifts.append((dx, dy))
    moves = np.asarray(shifts)
    jerk = np.zeros(len(grey))
    jerk[2:] = np.hypot(*np.diff(moves[1:], axis=0).T)
    return jerk


def _subject(hsv_frame: np.ndarray, width: int, height: int
             ) -> tuple[int, int, int, int] | None:
    """The salient subject's box in the clip's own pixels, or None when nothing stands out
    (an empty table, a blank wall) or everything does."""
    from vitrina.video.analyse import salient_box

    box = salient_box(cv2.cvtColor(hsv_frame, cv2.COLOR_HSV2RGB_FULL), 0.01, SUBJECT_MAX_SHARE)
    if box is None:
        return None
    sx, sy = width / hsv_frame.shape[1], height / hsv_frame.shape[0]
    left, top, right, bottom = box
    return (int(left * sx), int(top * sy), min(width, int(right * sx)),
            min(height, int(bottom * sy)))


def analyse_clip(path: Path, best_s: float = 3.0) -> ClipInfo:
    """Shots, their motion, and in each the stretch of ``best_s`` that is sharpest and
    steadiest; the best few shots are also checked for a subject (U^2-Net saliency on the
    stretch's first and last frames), which ranks them and lets the script's crop follow it."""
    info = probe(path)
    hsv, rate, _ = sample_frames(path, info=info)
    analysed = len(hsv) / rate
    cuts = find_cuts(hsv, rate)
    bounds = [0.0, *cuts, analysed]
    grey = [cv2.GaussianBlur(f[..., 2], (3, 3), 0) for f in hsv]
    shots: list[dict] = []
    for start, end in itertools.pairwise(bounds):
        first, last = round(start * rate), max(round(start * rate) + 1, round(end * rate))
        frames = grey[first:last]
        bright = [g.mean() >= BLACK for g in frames]
        lit = [g for g, b in zip(frames, bright, strict=True) if b]
        if not lit:
            continue
        # Dark frames (a fade) score nothing, so the best stretch avoids them.
        sharp = np.array([float(cv2.Laplacian(g, cv2.CV_32F).var()) if b else 0.0
                          for g, b in zip(frames, bright, strict=True)])
        steady = 1.0 / (1.0 + np.maximum(_shake(frames) - SHAKE_FLOOR_PX, 0) / SHAKE_PX)
        window = max(1, min(len(frames), round(best_s * rate)))
        sums = np.convolve(sharp * steady, np.ones(window), mode="valid")
        best = int(np.argmax(sums)) if len(sums) else 0
        begin = start + best / rate
        step = max(1, len(lit) // 8)
        shots.append({"start": round(start, 3), "end": round(end, 3),
                      "motion": _motion(lit[::step]),
                      "best": (round(begin, 3), round(min(end, begin + window / rate), 3)),
                      "sharpness": round(float(np.median(sharp[sharp > 0])), 2),
                      "steadiness": round(float(steady[best:best + window].mean()), 3),
                      "frames": (first + best, first + best + window - 1),
                      "quality": float(sums[best]) / window})
    if not shots:
        raise InputError(f"{path.name} shows nothing but black")
    top = max(s["quality"] for s in shots) or 1.0
    for shot in sorted(shots, key=lambda s: -s["quality"])[:SUBJECT_SHOTS]:
        start_box, end_box = (_subject(hsv[min(i, len(hsv) - 1)], info.width, info.height)
                              for i in shot["frames"])
        shot["subject"], shot["subject_end"] = start_box or end_box, end_box or start_box
        shot["quality"] *= 1.0 if shot["subject"] else NO_SUBJECT
    return ClipInfo(duration=round(info.duration, 3), fps=info.fps, width=info.width,
                    height=info.height, analysed_s=round(analysed, 3), cuts=tuple(cuts),
                    shots=tuple(ClipShot(**{k: v for k, v in s.items()
                                            if k not in ("frames", "quality")},
                                         score=round(s["quality"] / top, 3)) for s in shots))


def still(path: Path, t: float) -> np.ndarray:
    """The clip's frame at ``t`` seconds, full size, RGB (rotation applied as players do)."""
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-ss", f"{t:.3f}",
               "-i", str(path), "-an", "-frames:v", "1", "-c:v", "png", "-f", "image2pipe",
               "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    frame = cv2.imdecode(np.frombuffer(result.stdout, np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise UnreadableVideo(f"{path.name} has no frame at {t:.2f} s")
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
