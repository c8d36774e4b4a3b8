"""Video benchmark: render time of a 15 s 960x540 25 fps video, analysis time, peak memory,
and the same storyboard rendered by MoviePy 2.x in the same run.

    make bench-video      # or: .venv/bin/python bench/video.py [--runs N] [--no-moviepy]

Prints medians; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "samples" / "product" / "index.html"
MOVIEPY_PYTHON = ROOT / ".venv-moviepy" / "bin" / "python"
SIZE, FPS, DURATION = (960, 540), 25, 15.0


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def materials():
    """The sample page read, analysed and set to music once: every template plans from it."""
    from vitrina import product_page
    from vitrina.color import extract_palette
    from vitrina.imaging import decode_image
    from vitrina.video import analyse, captions, music, script, soundtrack
    from vitrina.video import clips as clip_analysis

    page = product_page.from_file(PAGE)
    images = [decode_image(Path(m.ref).read_bytes()).rgb for m in page.media
              if m.kind == "image"]
    infos = analyse.analyse_images(images)
    clip_paths = [Path(m.ref) for m in page.media if m.kind == "video"]
    clips = [{"key": str(p), **dataclasses.asdict(clip_analysis.analyse_clip(p))}
             for p in clip_paths]
    palette = extract_palette(images[script.hero(infos)])
    style = soundtrack.choose_style(page, palette, "medium")
    track = music.synthesise(style, DURATION + 0.5,
                             bpm=soundtrack.fit_tempo(style, "medium", DURATION))
    return {"infos": infos, "lines": captions.generate(page), "palette": palette,
            "clips": clips, "images": images, "track": track, "clip_paths": clip_paths}


def storyboard(made: dict, template: str):
    from vitrina.video import script

    return script.plan(made["infos"], made["lines"], list(made["track"].beats),
                       duration=DURATION, aspect="16:9", rhythm="medium", template=template,
                       fps=FPS, size=SIZE, palette=made["palette"], clips=made["clips"])


def render_once(board, images, clip_paths: list[Path], wav: Path, out: Path) -> float:
    from vitrina.video import render

    started = time.perf_counter()
    render.render(board, images, out, music=wav, workers=os.cpu_count(), clip_paths=clip_paths)
    return time.perf_counter() - started


def moviepy_spec(board, images, clip_paths: list[Path], wav: Path, tmp: Path) -> Path:
    """The same shots, timings, crossfades, captions and music for MoviePy; the text cards go
    in as pictures (drawn by vitrina), which only saves MoviePy work."""
    from vitrina.fonts import font_path
    from vitrina.video.timeline import _card_base

    paths = []
    for i, image in enumerate(images):
        paths.append(str(tmp / f"image{i}.png"))
        Image.fromarray(image).save(paths[-1])
    shots = []
    for shot in board.shots:
        source = shot.source
        crop_from, crop_to = shot.crop_from, shot.crop_to
        if shot.clip is not None:
            shots.append({"clip": str(clip_paths[shot.clip]), "clip_start": shot.clip_start,
                          "start": shot.start, "duration": shot.duration,
                          "crop_from": list(crop_from), "crop_to": list(crop_to),
                          "transition_s": shot.transition_s})
            continue
        if shot.card is not None:
            paths.append(str(tmp / f"card{len(paths)}.png"))
            Image.fromarray(_card_base(shot.card, (board.width, board.height))).save(paths[-1])
            source = len(paths) - 1
            w, h = board.width, board.height
            crop_from, crop_to = (0, 0, w, h), (w * 0.03, h * 0.03, w * 0.97, h * 0.97)
        shots.append({"source": source, "start": shot.start, "duration": shot.duration,
                      "crop_from": list(crop_from), "crop_to": list(crop_to),
                      "transition_s": shot.transition_s if shot.transition != "cut" else 0})
    spec = {
        "width": board.width, "height": board.height, "fps": board.fps,
        "duration": board.duration, "images": paths, "shots": shots, "music": str(wav),
        "out": str(tmp / "moviepy.mp4"),
        "captions": [{"text": c.text, "start": c.start, "end": c.end, "box": list(c.box),
                      "size": c.size, "font": str(font_path("noto-sans-sc"))}
                     for c in board.captions],
    }
    path = tmp / "spec.json"
    path.write_text(json.dumps(spec, ensure_ascii=False))
    return path


def analysis_page(tmp: Path) -> list[np.ndarray]:
    """Ten distinct product-like pictures (crops and flips of the samples)."""
    from vitrina.imaging import decode_image

    bases = [decode_image((ROOT / "samples" / n).read_bytes()).rgb
             for n in ("coffee.png", "chelsea.png", "rocket.jpg")]
    images = []
    for i in range(10):
        base = bases[i % 3]
        h, w = base.shape[:2]
        crop = base[(i * 13) % (h // 4):, (i * 17) % (w // 4):]
        images.append(cv2.flip(crop, 1) if i % 2 else crop)
    return images


def second_clip(image: np.ndarray, tmp: Path) -> Path:
    """A 4 s 720p pan across a picture, as a second clip on the page."""
    from vitrina.video import render, timeline

    h, w = image.shape[:2]
    crop_w, crop_h = w * 0.6, w * 0.6 * 9 / 16
    board = timeline.Storyboard(1280, 720, 25, 4.0, [timeline.Shot(
        0, 0.0, 4.0, (0, 0, crop_w, crop_h), (w - crop_w, h - crop_h, w, h))])
    return render.render(board, [image], tmp / "pan.mp4", workers=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-moviepy", action="store_true", help="skip the peer")
    args = parser.parse_args()
    from vitrina.video import analyse, music
    from vitrina.video import clips as clip_analysis

    print(f"vitrina video benchmark ({os.cpu_count()} cores): 15 s, 960x540, 25 fps")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        results = {}
        made = materials()
        images, clip_paths = made["images"], made["clip_paths"]
        wav = tmp / "music.wav"
        music.write_wav(made["track"], wav)
        for label, template in (("simple (Ken Burns, crossfades, a clip, cards)", "kenburns"),
                                ("complex (split screens, a clip, cards)", "split")):
            board = storyboard(made, template)
            render_once(board, images, clip_paths, wav, tmp / "warm.mp4")
            times = [render_once(board, images, clip_paths, wav, tmp / f"{template}.mp4")
                     for _ in range(args.runs)]
            results[template] = (board, images, clip_paths, wav, median(times))
            target = 5 if template == "kenburns" else 10
            print(f"render, {label}: median {median(times):.2f} s (target <= {target} s)")

        images = analysis_page(tmp)
        clips = [ROOT / "samples/product/cup.mp4", second_clip(images[1], tmp)]
        analyse.analyse_images(images[:1])  # load the model
        started = time.perf_counter()
        analyse.analyse_images(images)
        for clip in clips:
            clip_analysis.analyse_clip(clip)
        print(f"analysis of a page of 10 images and 2 clips: "
              f"{time.perf_counter() - started:.2f} s")
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        print(f"peak memory (largest process): {peak:.0f} MB")

        if args.no_moviepy:
            return
        if not MOVIEPY_PYTHON.exists():
            print("MoviePy: .venv-moviepy missing (make bench-video creates it); skipped")
            return
        board, images, clip_paths, wav, ours = results["kenburns"]
        spec = moviepy_spec(board, images, clip_paths, wav, tmp)
        theirs = []
        for _ in range(args.runs):
            out = subprocess.run([str(MOVIEPY_PYTHON), str(ROOT / "bench/moviepy_runner.py"),
                                  str(spec)], capture_output=True, text=True, check=True)
            theirs.append(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])
        print(f"MoviePy 2.x, same storyboard (simple): median {median(theirs):.2f} s; "
              f"vitrina is x{median(theirs) / ours:.1f} faster (goal >= x3)")


if __name__ == "__main__":
    main()
