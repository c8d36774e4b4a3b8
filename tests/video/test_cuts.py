"""Cuts found again in the decoded video: where they are, and any the storyboard did not plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.video.test_render import board, photo
from vitrina.video import cuts, probe, render, timeline


def rendered(tmp_path: Path, storyboard: timeline.Storyboard) -> list:
    path = render.render(storyboard, [photo(i) for i in range(3)], tmp_path / "v.mp4",
                         workers=1)
    return cuts.frame_changes(probe.frames(path))


def test_every_kind_of_transition_is_found_where_it_was_planned(tmp_path: Path) -> None:
    plan = board()
    changes = rendered(tmp_path, plan)
    for shot in plan.shots[1:]:
        found = cuts.measured_cut(changes, shot.start, shot.transition_s, plan.fps)
        assert found == pytest.approx(shot.start, abs=1 / plan.fps), shot.transition
    assert cuts.stray_cuts(changes, [(s.start, s.transition_s) for s in plan.shots[1:]],
                           plan.fps) == []


def test_a_video_cut_late_is_caught(tmp_path: Path) -> None:
    """Render every cut three frames late, then measure against the plan: the measured
    times are late by three frames, and a hard cut nobody planned is reported."""
    plan = board()
    late = dataclasses.replace(plan, shots=[
        plan.shots[0], *(dataclasses.replace(s, start=s.start + 3 / plan.fps)
                         for s in plan.shots[1:])])
    changes = rendered(tmp_path, late)
    for shot in plan.shots[1:]:
        found = cuts.measured_cut(changes, shot.start, shot.transition_s, plan.fps)
        assert found is None or abs(found - shot.start) > 1 / plan.fps
    hard = dataclasses.replace(plan, shots=[*plan.shots[:2], dataclasses.replace(
        plan.shots[2], transition="cut", transition_s=0.0), *plan.shots[3:]])
    changes = rendered(tmp_path, hard)
    planned = [(s.start, s.transition_s) for s in plan.shots[1:] if s is not plan.shots[2]]
    assert cuts.stray_cuts(changes, planned, plan.fps) == [pytest.approx(2.2, abs=0.04)]
