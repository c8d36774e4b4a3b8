"""The benchmark's peer: the same storyboard rendered with MoviePy 2.x, the tool Python users
reach for. Runs in its own environment (.venv-moviepy, bench/requirements-moviepy.lock):

    .venv-moviepy/bin/python bench/moviepy_runner.py SPEC.json

SPEC holds the shots (image, timing, start and end crop, crossfade), the captions (text,
timing, box, font file), the music and the output; prints the seconds the render took.
Written the way MoviePy's documentation composes clips: one ImageClip per shot with a
per-frame transform for the moving crop, CrossFadeIn, TextClip captions over a
ColorClip plate, CompositeVideoClip, AudioFileClip, write_videofile.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from moviepy import (
    AudioFileClip,
    ColorClip,
    CompositeVideoClip,
    ImageClip,
    TextClip,
    VideoFileClip,
    vfx,
)
from PIL import Image


def ken_burns(image: np.ndarray, shot: dict, size: tuple[int, int]):
    source = Image.fromarray(image)

    def frame(get_frame, t: float) -> np.ndarray:
        k = min(1.0, max(0.0, t / shot["duration"]))
        k = k * k * (3 - 2 * k)
        box = [a + (b - a) * k for a, b in zip(shot["crop_from"], shot["crop_to"], strict=True)]
        return np.asarray(source.resize(size, Image.BILINEAR, box=box))

    clip = ImageClip(image).with_duration(shot["duration"]).transform(frame)
    clip = clip.with_start(shot["start"])
    if shot["transition_s"] > 0:
        clip = clip.with_effects([vfx.CrossFadeIn(shot["transition_s"])])
    return clip


def footage(shot: dict, size: tuple[int, int]):
    """The clip's stretch, its crop moving linearly from ``crop_from`` to ``crop_to``."""

    def frame(get_frame, t: float) -> np.ndarray:
        k = min(1.0, max(0.0, t / shot["duration"]))
        box = [a + (b - a) * k for a, b in zip(shot["crop_from"], shot["crop_to"], strict=True)]
        return np.asarray(Image.fromarray(get_frame(t)).resize(size, Image.BILINEAR, box=box))

    clip = VideoFileClip(shot["clip"], audio=False).subclipped(
        shot["clip_start"], shot["clip_start"] + shot["duration"])
    clip = clip.transform(frame).with_start(shot["start"])
    if shot["transition_s"] > 0:
        clip = clip.with_effects([vfx.CrossFadeIn(shot["transition_s"])])
    return clip


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    size = (spec["width"], spec["height"])
    started = time.perf_counter()
    images = [np.asarray(Image.open(p).convert("RGB")) for p in spec["images"]]
    layers = [footage(s, size) if "clip" in s else ken_burns(images[s["source"]], s, size)
              for s in spec["shots"]]
    for caption in spec["captions"]:
        left, _, right, bottom = caption["box"]
        text = TextClip(font=caption["font"], text=caption["text"],
                        font_size=caption["size"], color="white", method="caption",
                        size=(right - left - 24, None), text_align="center")
        plate = ColorClip((text.w + 24, text.h + 16), color=(0, 0, 0)).with_opacity(0.6)
        x, y = left + (right - left - plate.w) // 2, bottom - plate.h
        for clip, position in ((plate, (x, y)), (text, (x + 12, y + 8))):
            layers.append(clip.with_start(caption["start"]).with_end(caption["end"])
                          .with_position(position))
    video = CompositeVideoClip(layers, size=size).with_duration(spec["duration"])
    video = video.with_audio(AudioFileClip(spec["music"]).subclipped(0, spec["duration"]))
    video.write_videofile(spec["out"], fps=spec["fps"], codec="libx264", audio_codec="aac",
                          preset="veryfast", threads=2, logger=None,
                          ffmpeg_params=["-crf", "21", "-pix_fmt", "yuv420p"])
    print(json.dumps({"seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
