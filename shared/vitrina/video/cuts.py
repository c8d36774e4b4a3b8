"""Where the cuts really are in a rendered video, read back from its decoded frames.

The evaluate stage trusts nothing the storyboard says: each planned cut is found again in the
encoded file as a bump of frame-to-frame change (minus the shot's own motion), and its time is
the bump's centre less half the transition, since every transition eases symmetrically from
the cut. A hard cut anywhere else (say, a clip running into its next shot) is reported too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

BASELINE_FRAMES = 4  # frames either side of a transition that give the shot's own motion
STRAY_MIN = 12.0  # a frame change this big (0..255 grey) that is not a planned transition...
STRAY_RATIO = 4.0  # ...and this many times its neighbours' is an unplanned cut


def frame_changes(frames: Iterable[np.ndarray]) -> np.ndarray:
    """Mean absolute grey-level change of each frame from the one before (0 for the first)."""
    changes = [0.0]
    for a, b in itertools.pairwise(frames):
        changes.append(float(np.abs(b.astype(np.int16) - a).mean()))
    return np.asarray(changes)


def _window(start: float, transition_s: float, fps: float, count: int) -> tuple[int, int]:
    """Indices of ``changes`` that a transition starting at ``start`` can touch."""
    first = int(np.ceil(start * fps - 1e-6))
    last = first + int(np.ceil(transition_s * fps))
    return max(1, first - 1), min(count - 1, last + 1)


def measured_cut(changes: np.ndarray, start: float, transition_s: float,
                 fps: float) -> float | None:
    """The time the cut planned at ``start`` really happens, or None when nothing changes
    there."""
    lo, hi = _window(start, transition_s, fps, len(changes))
    before = changes[max(1, lo - BASELINE_FRAMES):lo]
    after = changes[hi + 1:hi + 1 + BASELINE_FRAMES]
    left = float(np.median(before)) if len(before) else 0.0
    right = float(np.median(after)) if len(after) else left
    index = np.arange(lo, hi + 1)
    excess = np.clip(changes[lo:hi + 1] - np.interp(index, [lo, hi], [left, right]), 0, None)
    if excess.sum() < 1e-6:
        return None
    # changes[i] happens between frames i - 1 and i.
    return float(((index - 0.5) * excess).sum() / excess.sum()) / fps - transition_s / 2


def stray_cuts(changes: np.ndarray, planned: list[tuple[float, float]],
               fps: float) -> list[float]:
    """Times of hard cuts outside the planned transitions ((start, length) pairs)."""
    expected = np.zeros(len(changes), bool)
    for start, length in planned:
        lo, hi = _window(start, length, fps, len(changes))
        expected[lo:hi + 1] = True
    stray = []
    for i in np.flatnonzero((changes > STRAY_MIN) & ~expected):
        around = np.concatenate([changes[max(1, i - 3):i], changes[i + 1:i + 4]])
        if len(around) and changes[i] > STRAY_RATIO * float(np.median(around)):
            stray.append(round((i - 0.5) / fps, 3))
    return stray
