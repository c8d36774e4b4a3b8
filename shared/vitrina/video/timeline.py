"""The storyboard as data, and the frames it describes.

A storyboard lists shots (a still image, where its crop moves from and to, how long it
lasts, how it is entered) and captions; :func:`frame_at` draws any frame from it alone,
so a timeline can be cut into segments that separate processes (or Lambda Map items) render
in any order and that join into one video.
"""

from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from vitrina.typesetting import TextStyle, draw_text, fit_text

Box = tuple[float, float, float, float]  # left, top, right, bottom in source pixels


@dataclass(frozen=True)
class Card:
    """A full-frame text card (price card, end card): lines on a gradient."""

    lines: tuple[str, ...]
    sizes: tuple[int, ...]  # pixel size of each line
    colors: tuple[tuple[int, int, int], tuple[int, int, int]] = ((20, 20, 24), (70, 20, 30))
    ink: tuple[int, int, int] = (255, 255, 255)
    accent: tuple[int, int, int] = (255, 213, 107)  # the first line's colour
    family: str = "montserrat"
    cjk_family: str = "noto-sans-sc"


@dataclass(frozen=True)
class Shot:
    source: int  # index into the storyboard's images (-1 for a card)
    start: float  # seconds
    duration: float
    crop_from: Box  # the part of the source shown at the shot's first frame
    crop_to: Box  # ... and at its last: a push, a pull or a pan in between
    transition: str = "cut"  # how this shot enters over the previous one
    transition_s: float = 0.0
    card: Card | None = None  # a text card instead of a photo
    second: int | None = None  # split screen: this image on the right half, same motion
    clip: int | None = None  # a stretch of the storyboard's clip instead of a photo
    clip_start: float = 0.0  # where in the clip the shot starts (seconds)

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class Caption:
    text: str
    start: float
    end: float
    box: tuple[int, int, int, int]  # where it may sit, in output pixels (inside the safe area)
    size: int = 48
    family: str = "montserrat"
    cjk_family: str = "noto-sans-sc"
    weight: int = 700
    color: tuple[int, int, int] = (255, 255, 255)
    plate: tuple[int, int, int, int] = (0, 0, 0, 150)


@dataclass
class Storyboard:
    width: int
    height: int
    fps: int
    duration: float
    shots: list[Shot]
    captions: list[Caption] = field(default_factory=list)

    @property
    def frame_count(self) -> int:
        return round(self.duration * self.fps)

    def shot_at(self, t: float) -> tuple[Shot, Shot | None, float]:
        """The shot showing at ``t``, the previous one while a transition runs, and the
        transition's progress (1 once it is over)."""
        index = max(i for i, s in enumerate(self.shots) if s.start <= t or i == 0)
        shot = self.shots[index]
        if index > 0 and shot.transition != "cut" and t < shot.start + shot.transition_s:
            return shot, self.shots[index - 1], (t - shot.start) / shot.transition_s
        return shot, None, 1.0


def _ease(x: float) -> float:
    return x * x * (3 - 2 * x)


class ClipFrames:
    """Frames of the storyboard's clips, decoded by ffmpeg at the output's rate, already
    cropped and scaled. Segments ask for consecutive frames, so each clip keeps one reader
    open and only reopens (seeking) when asked for another moment."""

    def __init__(self, paths: list[Path], fps: int) -> None:
        self.paths, self.fps = paths, fps
        self._readers: dict[tuple[Shot, tuple[int, int]], tuple[Any, float]] = {}

    def frame(self, shot: Shot, t: float, size: tuple[int, int]) -> np.ndarray:
        """The clip shot's frame at storyboard time ``t``, its crop moving from ``crop_from``
        to ``crop_to`` over the shot (following the subject)."""
        assert shot.clip is not None
        clip_t = shot.clip_start + (t - shot.start)
        key = (shot, size)
        reader = self._readers.get(key)
        if reader is None or abs(reader[1] - clip_t) > 0.5 / self.fps:
            if reader is not None:
                _stop(reader[0])
            reader = (self._open(shot, clip_t, size), clip_t)
        process, _ = reader
        width, height = size
        data = process.stdout.read(width * height * 3)
        if len(data) < width * height * 3:
            raise ValueError(f"clip {shot.clip} ended before {clip_t:.2f} s")
        self._readers[key] = (process, clip_t + 1 / self.fps)
        return np.frombuffer(data, np.uint8).reshape(height, width, 3).copy()

    def _open(self, shot: Shot, clip_t: float, size: tuple[int, int]) -> Any:
        from vitrina.video.encode import ffmpeg_exe

        assert shot.clip is not None
        (x0, y0, x1, y1), (x2, y2, _, _) = shot.crop_from, shot.crop_to
        # ffmpeg's t restarts at 0 where it seeks; the move is linear over the whole shot.
        progress = f"clip((t+{clip_t - shot.clip_start:.4f})/{max(shot.duration, 1e-3):.4f},0,1)"
        filters = (f"fps={self.fps},crop={round(x1 - x0)}:{round(y1 - y0)}:"
                   f"'{x0:.2f}+({x2 - x0:.2f})*{progress}':'{y0:.2f}+({y2 - y0:.2f})*{progress}',"
                   f"scale={size[0]}:{size[1]}")
        command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-ss", f"{clip_t:.3f}",
                   "-i", str(self.paths[shot.clip]), "-an", "-vf", filters, "-f", "rawvideo",
                   "-pix_fmt", "rgb24", "-"]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def __enter__(self) -> ClipFrames:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        for process, _ in self._readers.values():
            _stop(process)
        self._readers.clear()


def _stop(process: Any) -> None:
    process.kill()
    process.wait()


def _view(images: list[np.ndarray], shot: Shot, t: float, size: tuple[int, int],
          clips: ClipFrames | None = None) -> np.ndarray:
    if shot.clip is not None:
        if clips is None:
            raise ValueError("a clip shot needs the storyboard's clips")
        return clips.frame(shot, t, size)
    if shot.card is not None:
        return _card(shot.card, size, (t - shot.start) / max(shot.duration, 1e-6))
    if shot.second is not None:
        half = (size[0] // 2, size[1])
        left = _crop(images[shot.source], shot, t, half)
        right = _crop(images[shot.second], shot, t, (size[0] - half[0], size[1]))
        frame = np.concatenate([left, right], axis=1)
        frame[:, half[0] - 1:half[0] + 1] = 255  # a hairline between the halves
        return frame
    return _crop(images[shot.source], shot, t, size)


def _crop(image: np.ndarray, shot: Shot, t: float, size: tuple[int, int]) -> np.ndarray:
    """The shot's moving crop at ``t``, scaled to ``size`` with one affine warp."""
    progress = min(1.0, max(0.0, (t - shot.start) / shot.duration)) if shot.duration else 0.0
    k = _ease(progress)
    left, top, right, bottom = (a + (b - a) * k for a, b in
                                zip(shot.crop_from, shot.crop_to, strict=True))
    width, height = size
    sx, sy = width / (right - left), height / (bottom - top)
    matrix = np.float32([[sx, 0, -left * sx], [0, sy, -top * sy]])
    return cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)


def _blend(previous: np.ndarray, current: np.ndarray, shot: Shot, p: float) -> np.ndarray:
    p = _ease(p)
    h, w = current.shape[:2]
    if shot.transition == "crossfade":
        return cv2.addWeighted(previous, 1 - p, current, p, 0)
    if shot.transition == "slide":  # the new shot pushes the old one out to the left
        shift = round(w * p)
        out = np.empty_like(current)
        out[:, : w - shift] = previous[:, shift:]
        out[:, w - shift:] = current[:, :shift]
        return out
    if shot.transition == "wipe":
        edge = round(w * p)
        out = previous.copy()
        out[:, :edge] = current[:, :edge]
        return out
    if shot.transition == "zoom":  # zoom punch: the new shot grows out of the centre
        scale = 0.6 + 0.4 * p
        small = cv2.resize(current, (max(2, round(w * scale)), max(2, round(h * scale))))
        out = cv2.addWeighted(previous, 1 - p, np.zeros_like(previous), p, 0)
        y, x = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
        out[y:y + small.shape[0], x:x + small.shape[1]] = small
        return out
    return current


@lru_cache(maxsize=16)
def _card_base(card: Card, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    top, bottom = (np.array(c, np.float32) for c in card.colors)
    image = Image.fromarray(np.broadcast_to(top * (1 - t) + bottom * t, (height, width, 3))
                            .astype(np.uint8))
    margin = width // 12
    blocks = []
    style = TextStyle(card.family, card.cjk_family, 800, align="center")
    for line, line_size in zip(card.lines, card.sizes, strict=True):
        block = fit_text(line, style, width - 2 * margin, height / 3, max_size=line_size,
                         min_size=min(line_size, max(10, line_size // 3)), max_lines=2)
        if block is not None:
            blocks.append((block, style))
    gap = height // 30
    y = (height - sum(b.height for b, _ in blocks) - gap * (len(blocks) - 1)) / 2
    for i, (block, style) in enumerate(blocks):
        box = (margin, y, width - margin, y + block.height)
        draw_text(image, block, style, box, card.accent if i == 0 else card.ink)
        y += block.height + gap
    return np.asarray(image)


def _card(card: Card, size: tuple[int, int], progress: float) -> np.ndarray:
    """The card with a slow push-in, so that it is never a frozen frame."""
    base = _card_base(card, size)
    scale = 1.0 + 0.06 * _ease(min(1.0, max(0.0, progress)))
    width, height = size
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 0, scale)
    return cv2.warpAffine(base, matrix, size, flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)


@lru_cache(maxsize=64)
def _caption_layer(caption: Caption) -> tuple[np.ndarray, tuple[int, int]]:
    """The caption on its plate as premultiplied RGBA, drawn once and blended per frame."""
    left, top, right, bottom = caption.box
    style = TextStyle(caption.family, caption.cjk_family, caption.weight, align="center")
    pad = max(4, caption.size // 3)
    block = fit_text(caption.text, style, right - left - 2 * pad, bottom - top - 2 * pad,
                     max_size=caption.size, min_size=max(10, caption.size // 3), max_lines=2)
    if block is None:
        return np.zeros((1, 1, 4), np.float32), (left, top)
    w, h = round(block.width) + 2 * pad, round(block.height) + 2 * pad
    layer = Image.new("RGBA", (w, h), caption.plate)
    draw_text(layer, block, style, (pad, pad, w - pad, h - pad), (*caption.color, 255))
    rgba = np.asarray(layer).astype(np.float32) / 255
    rgba[..., :3] *= rgba[..., 3:]
    x = left + (right - left - w) // 2
    y = bottom - h
    return rgba, (x, y)


def _draw_caption(frame: np.ndarray, caption: Caption, t: float) -> None:
    layer, (x, y) = _caption_layer(caption)
    fade = min(1.0, (t - caption.start) / 0.2, (caption.end - t) / 0.2)
    if fade <= 0:
        return
    # Clipped to the frame: a caption box is meant to lie in the safe area, but a frame
    # must never fail because one does not.
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(frame.shape[1], x + layer.shape[1]), min(frame.shape[0], y + layer.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    layer = layer[y0 - y:y1 - y, x0 - x:x1 - x]
    region = frame[y0:y1, x0:x1].astype(np.float32) / 255
    alpha = layer[..., 3:] * fade
    out = layer[..., :3] * fade + region * (1 - alpha)
    frame[y0:y1, x0:x1] = np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)


def frame_at(board: Storyboard, images: list[np.ndarray], index: int,
             clips: ClipFrames | None = None) -> np.ndarray:
    """Frame ``index`` of the storyboard, RGB uint8 at the output size."""
    t = index / board.fps
    size = (board.width, board.height)
    shot, previous, progress = board.shot_at(t)
    frame = _view(images, shot, t, size, clips)
    if previous is not None:
        frame = _blend(_view(images, previous, t, size, clips), frame, shot, progress)
    frame = np.ascontiguousarray(frame)
    for caption in board.captions:
        if caption.start <= t < caption.end:
            _draw_caption(frame, caption, t)
    return frame


def to_dict(board: Storyboard) -> dict[str, Any]:
    return asdict(board)


def from_dict(data: dict[str, Any]) -> Storyboard:
    """The inverse of :func:`to_dict` (JSON turns tuples into lists: they are restored)."""

    def card(raw: dict[str, Any] | None) -> Card | None:
        if raw is None:
            return None
        return Card(lines=tuple(raw["lines"]), sizes=tuple(raw["sizes"]),
                    colors=tuple(tuple(c) for c in raw["colors"]),  # type: ignore[arg-type]
                    ink=tuple(raw["ink"]), accent=tuple(raw["accent"]),  # type: ignore[arg-type]
                    family=raw["family"], cjk_family=raw["cjk_family"])

    shots = [Shot(**{**s, "crop_from": tuple(s["crop_from"]), "crop_to": tuple(s["crop_to"]),
                     "card": card(s.get("card"))}) for s in data["shots"]]
    captions = [Caption(**{**c, "box": tuple(c["box"]), "color": tuple(c["color"]),
                           "plate": tuple(c["plate"])}) for c in data.get("captions", [])]
    return Storyboard(width=data["width"], height=data["height"], fps=data["fps"],
                      duration=data["duration"], shots=shots, captions=captions)
