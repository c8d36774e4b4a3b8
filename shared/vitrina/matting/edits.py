"""Brush refinement of a stored result: each edit becomes a new version, old ones stay."""

from __future__ import annotations

import time
from typing import Any

from vitrina import storage
from vitrina.matting import results, score
from vitrina.matting.pipeline import finish
from vitrina.matting.strokes import Stroke, apply_strokes


def refine_result(
    result_id: str, strokes: list[Stroke], base_version: int | None = None
) -> tuple[dict[str, Any], bytes]:
    """The new version's record and cutout PNG."""
    started = time.perf_counter()
    _, base = results.existing_versions(result_id, base_version)
    rgb = storage.get_array(results.source_key(result_id))
    alpha = storage.get_array(results.version_keys(result_id, base)["mask"])
    rgba = finish(rgb, apply_strokes(rgb, alpha, strokes))
    previous = results.record(result_id, base)
    record = {
        **{k: v for k, v in previous.items() if k not in {"outputs", "timings", "cues"}},
        "status": "ok",
        "based_on": base,
        "strokes": [s.model_dump() for s in strokes],
        "bbox": score.bounding_box(rgba[..., 3]),
        "reviewed": True,
        "timings": {"refine": round(time.perf_counter() - started, 4)},
    }
    return results.write_version(result_id, results.new_version(result_id), rgba, record)
