"""Where matting results live in the output bucket, and how versions are written.

``matting/<result_id>/source.png`` and ``prob.png`` are written once; every version
(1 = automatic, 2.. = refinements) gets ``v<N>/cutout.png``, ``v<N>/mask.png`` and
``v<N>/record.json``. Keys derive from the job and item, so a retried stage overwrites.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from vitrina import saliency, storage
from vitrina.config import settings
from vitrina.errors import NotFound
from vitrina.imaging import encode_png

_VERSION = re.compile(r"/v(\d+)/record\.json$")


def prefix(result_id: str) -> str:
    return f"matting/{result_id}"


def source_key(result_id: str) -> str:
    return f"{prefix(result_id)}/source.png"


def prob_key(result_id: str) -> str:
    return f"{prefix(result_id)}/prob.png"


def version_keys(result_id: str, version: int) -> dict[str, str]:
    base = f"{prefix(result_id)}/v{version}"
    return {
        "cutout": f"{base}/cutout.png",
        "mask": f"{base}/mask.png",
        "record": f"{base}/record.json",
    }


def put_prob(result_id: str, prob: np.ndarray) -> None:
    saliency.put_prob_at(prob_key(result_id), prob)


def get_prob(result_id: str) -> np.ndarray:
    return saliency.get_prob_at(prob_key(result_id))


def new_version(result_id: str) -> int:
    """The next version number of a result, allocated atomically (one ADD to a counter of
    refinements), so that concurrent refinements each get their own: 2 for the first (1 is
    the automatic cutout)."""
    return storage.jobs_table().add(f"result#{result_id}", "versions", {"refines": 1})[
        "refines"] + 1


def write_version(
    result_id: str, version: int, rgba: np.ndarray, record: dict[str, Any]
) -> tuple[dict[str, Any], bytes]:
    """Store one version; returns its record and the cutout PNG (callers often send it on).

    The record goes last and is what makes a version exist (:func:`versions` lists records),
    so a reader sees all of a version or none of it; a version's keys are written once."""
    keys = version_keys(result_id, version)
    cutout = encode_png(rgba)
    storage.put_bytes(settings().output_bucket, keys["cutout"], cutout, "image/png")
    storage.put_array(keys["mask"], rgba[..., 3])
    record = {**record, "result_id": result_id, "version": version, "outputs": keys}
    storage.put_json(settings().output_bucket, keys["record"], record)
    return record, cutout


def versions(result_id: str) -> list[int]:
    keys = storage.list_keys(settings().output_bucket, f"{prefix(result_id)}/v")
    return sorted(int(m.group(1)) for k in keys if (m := _VERSION.search(k)))


def existing_versions(result_id: str, wanted: int | None = None) -> tuple[list[int], int]:
    """All versions of a result and the one asked for (the latest when ``wanted`` is None);
    NotFound names what is missing."""
    available = versions(result_id)
    if not available:
        raise NotFound(f"no matting result {result_id!r}")
    chosen = available[-1] if wanted is None else wanted
    if chosen not in available:
        raise NotFound(f"matting result {result_id!r} has no version {chosen} "
                       f"(it has {available})")
    return available, chosen


def record(result_id: str, version: int) -> dict[str, Any]:
    return storage.get_json(settings().output_bucket, version_keys(result_id, version)["record"])
