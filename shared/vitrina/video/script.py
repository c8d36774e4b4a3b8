"""Video stage 3: the storyboard — overview, details, price, call to action, cut on the beat.

Shots last a whole number of beats (four on a slow rhythm, two on medium, one on fast) and
start exactly on a beat; each crop keeps the image's subject in frame at the target aspect
ratio, and pans across it where it is wider than the frame.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from vitrina.color import Palette, with_lightness
from vitrina.errors import InputError
from vitrina.video.analyse import ImageInfo
from vitrina.video.captions import Line
from vitrina.video.timeline import Box, Caption, Card, Shot, Storyboard

SIZES = {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (1080, 1080), "3:4": (810, 1080)}
RHYTHMS = {"slow": 4, "medium": 2, "fast": 1}  # beats per shot
TEMPLATES = {
    # name: (transition between photo shots, its length in beats, split screen, push strength)
    "kenburns": ("crossfade", 0.5, False, 0.82),
    "slide": ("slide", 0.5, False, 0.9),
    "wipe": ("wipe", 0.5, False, 0.9),
    "punch": ("zoom", 0.25, False, 0.75),
    "split": ("crossfade", 0.5, True, 0.9),
}
MIN_DURATION, MAX_DURATION = 5.0, 60.0
CARD_S = 2.0  # at least this long for the price card and the end card
CLIP_MARGIN_S = 0.1  # kept clear of a shot's end, where the next shot may already show
MAX_CLOSE = 0.88  # the close crop is at most this share of the wide one


@dataclass(frozen=True)
class SafeArea:
    box: tuple[int, int, int, int]

    @classmethod
    def for_size(cls, width: int, height: int) -> SafeArea:
        """Title-safe area; vertical video keeps clear of the apps' bottom and side UI."""
        if height > width:
            return cls((round(width * 0.08), round(height * 0.1), round(width * 0.86),
                        round(height * 0.78)))
        return cls((round(width * 0.07), round(height * 0.07), round(width * 0.93),
                    round(height * 0.9)))


def check_request(duration: float, aspect: str, rhythm: str, template: str) -> None:
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise InputError(f"duration {duration:g} s is outside {MIN_DURATION:g}..{MAX_DURATION:g} s")
    if aspect not in SIZES:
        raise InputError(f"aspect {aspect!r} is not one of {', '.join(SIZES)}")
    if rhythm not in RHYTHMS:
        raise InputError(f"rhythm {rhythm!r} is not one of {', '.join(RHYTHMS)}")
    if template not in TEMPLATES:
        raise InputError(f"template {template!r} is not one of {', '.join(TEMPLATES)}")


def _largest(width: int, height: int, aspect: float) -> tuple[float, float]:
    """Width and height of the largest crop of ``aspect`` (w/h) inside the picture."""
    if width / height > aspect:
        return height * aspect, float(height)
    return float(width), width / aspect


def _centred(width: int, height: int, x: float, y: float, w: float, h: float) -> Box:
    """A w x h crop centred on (x, y), moved back inside the picture where it sticks out."""
    x = min(max(x - w / 2, 0.0), width - w)
    y = min(max(y - h / 2, 0.0), height - h)
    return x, y, x + w, y + h


def fit_crop(width: int, height: int, aspect: float, subject: Box) -> tuple[Box, Box]:
    """Start and end crops of ``aspect`` (w/h) that keep ``subject`` in frame: a push in on
    the subject when it fits, a pan across it when it is wider (or taller) than the frame."""
    crop_w, crop_h = _largest(width, height, aspect)
    left, top, right, bottom = subject
    cx, cy = (left + right) / 2, (top + bottom) / 2
    if right - left > crop_w * 1.02:  # wider than the frame: pan along it
        return (_centred(width, height, left + crop_w / 2, cy, crop_w, crop_h),
                _centred(width, height, right - crop_w / 2, cy, crop_w, crop_h))
    if bottom - top > crop_h * 1.02:
        return (_centred(width, height, cx, top + crop_h / 2, crop_w, crop_h),
                _centred(width, height, cx, bottom - crop_h / 2, crop_w, crop_h))
    wide = _centred(width, height, cx, cy, crop_w, crop_h)
    scale = max((right - left) / crop_w, (bottom - top) / crop_h, 0.6)
    zoom = min(MAX_CLOSE, scale * 1.15)  # always some push, or the shot would stand still
    close = _centred(width, height, cx, cy, crop_w * zoom, crop_h * zoom)
    return wide, close


def _groups(beats: list[float], start: float, end: float, size: int) -> list[float]:
    """Cut times: every ``size``-th beat in [start, end)."""
    inside = [b for b in beats if start - 1e-6 <= b < end - 0.25]
    return inside[::size]


def centre_crop(width: int, height: int, aspect: float, subject: Box | None = None) -> Box:
    """The largest crop of ``aspect`` centred on the subject (or the frame), kept inside."""
    left, top, right, bottom = subject or (0, 0, width, height)
    return _centred(width, height, (left + right) / 2, (top + bottom) / 2,
                    *_largest(width, height, aspect))


MOVING_BONUS = 1.2  # a camera move is worth more than a still picture, all else equal


def clip_picks(clips: list[dict]) -> list[tuple[int, dict, dict]]:
    """Each clip's best shot (sharp, steady, subject present; moving a little ahead):
    (clip, clip info, shot)."""
    picks = []
    for index, clip in enumerate(clips):
        if clip.get("shots"):
            shot = max(clip["shots"], key=lambda s: s["score"] * (
                MOVING_BONUS if s["motion"] != "static" else 1.0))
            picks.append((index, clip, shot))
    return picks


def clip_window(shot: dict, length: float) -> float | None:
    """Where in the clip a slot of ``length`` seconds starts: its best stretch, widened
    evenly inside the shot when the slot is longer; None when the shot is too short."""
    start, end = shot["start"], shot["end"] - CLIP_MARGIN_S
    if end - start < length:
        return None
    best_start, best_end = shot["best"]
    begin = best_start - max(0.0, length - (best_end - best_start)) / 2
    return round(min(max(begin, start), end - length), 3)


def _sequence(usable: list[int], clips: int) -> list[tuple[str, int]]:
    """Overview of every image with a clip after each (while they last), then details."""
    sequence: list[tuple[str, int]] = []
    for n, image in enumerate(usable):
        sequence.append(("overview", image))
        if n < clips:
            sequence.append(("clip", n))
    sequence += [("clip", n) for n in range(len(usable), clips)]
    return sequence + [("detail", image) for image in usable]


def hero(infos: list[ImageInfo]) -> int:
    """The first usable image, whose colours the music and the cards take."""
    usable = next((i for i, info in enumerate(infos) if info.usable), None)
    if usable is None:
        raise InputError("no usable image: every image was too small, blurred or a duplicate")
    return usable


def plan(infos: list[ImageInfo], lines: list[Line], beats: list[float], *, duration: float,
         aspect: str = "16:9", rhythm: str = "medium", template: str = "kenburns",
         fps: int = 25, size: tuple[int, int] | None = None,
         palette: Palette | None = None, clips: list[dict] | None = None) -> Storyboard:
    check_request(duration, aspect, rhythm, template)
    width, height = size or SIZES[aspect]
    hero(infos)
    usable = [i for i, info in enumerate(infos) if info.usable]
    transition, transition_beats, split, push = TEMPLATES[template]
    beat = float(np.median(np.diff(beats))) if len(beats) > 1 else 0.5
    beats = sorted(beats) if beats and beats[0] <= 0.05 else [0.0, *sorted(beats)]
    has_price = any(line.kind == "price" for line in lines)

    # The cards take the last beats: each about CARD_S (a fifth of a short video), starting
    # on a beat, and the photos keep the rest.
    card_s = min(CARD_S, duration / 5)
    card_starts: list[float] = []
    for _ in range(2 if has_price else 1):
        limit = (card_starts[-1] if card_starts else duration) - card_s
        card_starts.append(max((b for b in beats if 0 < b <= limit), default=limit))
    card_starts.sort()
    photo_end = card_starts[0]

    picks = clip_picks(clips or [])
    sequence = _sequence(usable, len(picks))
    per_shot = RHYTHMS[rhythm]
    cuts = _groups(beats, 0.0, photo_end, per_shot)
    while len(cuts) > len(sequence) and per_shot < 16:  # nothing is shown a third time
        per_shot *= 2
        cuts = _groups(beats, 0.0, photo_end, per_shot)
    cuts = [0.0, *cuts[1:]]

    dark = with_lightness(palette.vivid, 14, 0.7) if palette else (20, 20, 24)
    deep = with_lightness(palette.vivid, 32, 0.9) if palette else (70, 20, 30)
    shots: list[Shot] = []
    points = iter(line for line in lines if line.kind in ("headline", "point"))
    safe = SafeArea.for_size(width, height)
    short = min(width, height)
    caption_box = (safe.box[0], safe.box[1] + (safe.box[3] - safe.box[1]) * 2 // 3,
                   safe.box[2], safe.box[3])
    captions: list[Caption] = []
    slots = itertools.cycle(sequence)
    for n, start in enumerate(cuts):
        end = cuts[n + 1] if n + 1 < len(cuts) else photo_end
        kind, index = next(slots)
        while kind == "clip" and clip_window(picks[index][2], end - start) is None:
            kind, index = next(slots)  # this clip's shot is too short for the slot
        entering = (transition if n else "cut",
                    min(transition_beats * beat, (end - start) / 2) if n else 0.0)
        if kind == "clip":
            number, clip, clip_shot = picks[index]
            crop_from, crop_to = (centre_crop(clip["width"], clip["height"], width / height,
                                              clip_shot.get(key))
                                  for key in ("subject", "subject_end"))
            shots.append(Shot(-1, start, end - start, crop_from, crop_to, *entering,
                              clip=number,
                              clip_start=clip_window(clip_shot, end - start)))
        else:
            info = infos[index]
            wide, close = fit_crop(info.width, info.height,
                                   (width / 2 if split else width) / height, info.subject)
            crop_from, crop_to = (close, _tighter(close, push)) if kind == "detail" else (
                (wide, close) if n % 2 == 0 else (close, wide))
            second = None
            if split and len(usable) > 1 and n % 3 == 2:
                second = usable[(usable.index(index) + 1) % len(usable)]
            shots.append(Shot(index, start, end - start, crop_from, crop_to, *entering,
                              second=second))
        line = next(points, None)
        if line is not None:
            captions.append(Caption(line.text, start + 0.1, end - 0.1, caption_box,
                                    size=round(short * 0.065)))

    texts = {line.kind: line.text for line in lines}
    cards = []
    if has_price:
        cards.append(Card((texts["price"], texts.get("headline", "")),
                          (round(short * 0.16), round(short * 0.06)), (dark, deep)))
    cards.append(Card((texts.get("cta", ""), texts.get("recommendation", "")),
                      (round(short * 0.11), round(short * 0.05)), (dark, deep)))
    bounds = [*card_starts, duration]
    for card, start, end in zip(cards, bounds, bounds[1:], strict=False):
        shots.append(Shot(-1, start, end - start, (0, 0, 1, 1), (0, 0, 1, 1), "crossfade",
                          min(0.4, beat), card=card))
    return Storyboard(width, height, fps, duration, shots, captions)


def _tighter(box: Box, scale: float) -> Box:
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    w, h = (right - left) * scale, (bottom - top) * scale
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
