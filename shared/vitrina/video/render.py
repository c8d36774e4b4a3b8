"""A storyboard to an MP4: segments rendered in parallel processes, joined without
re-encoding, the music added once.

On AWS each segment is a Map item running :func:`render_segment`; locally a process pool
does the same, so the two paths share every line that draws or encodes.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from vitrina.video.encode import SegmentWriter, VideoSpec, join
from vitrina.video.timeline import ClipFrames, Storyboard, frame_at

_worker: dict[str, object] = {}


def segment_ranges(board: Storyboard, count: int) -> list[tuple[int, int]]:
    """``count`` contiguous frame ranges of (nearly) equal length covering the video."""
    total = board.frame_count
    count = max(1, min(count, total))
    edges = [round(i * total / count) for i in range(count + 1)]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


def render_segment(board: Storyboard, images: list[np.ndarray], frames: tuple[int, int],
                   path: Path, clip_paths: list[Path] | None = None) -> Path:
    with (ClipFrames(clip_paths or [], board.fps) as clips,
          SegmentWriter(path, VideoSpec(board.width, board.height, board.fps)) as writer):
        for index in range(*frames):
            writer.write(frame_at(board, images, index, clips))
    return path


def _init(board: Storyboard, images: list[np.ndarray], clip_paths: list[Path]) -> None:
    _worker.update(board=board, images=images, clip_paths=clip_paths)


def _render_in_worker(job: tuple[tuple[int, int], Path]) -> Path:
    frames, path = job
    return render_segment(_worker["board"], _worker["images"], frames, path,  # type: ignore[arg-type]
                          _worker["clip_paths"])  # type: ignore[arg-type]


def render(board: Storyboard, images: list[np.ndarray], out: Path, *,
           music: Path | None = None, workers: int | None = None,
           clip_paths: list[Path] | None = None) -> Path:
    """Render every segment (one per worker), then join them with the music."""
    workers = workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        jobs = [(frames, Path(tmp) / f"segment-{i:03d}.mp4")
                for i, frames in enumerate(segment_ranges(board, workers))]
        if len(jobs) == 1:
            paths = [render_segment(board, images, *jobs[0], clip_paths)]
        else:
            with ProcessPoolExecutor(len(jobs), initializer=_init,
                                     initargs=(board, images, clip_paths or [])) as pool:
                paths = list(pool.map(_render_in_worker, jobs))
        join(paths, out, audio=music, duration=board.frame_count / board.fps)
    return out
