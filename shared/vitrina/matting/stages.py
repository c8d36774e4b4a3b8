"""The matting stages as the state machines run them: S3 references in, small JSON out.

Each function is what one Lambda does; images travel through the output bucket under
deterministic keys, never through the state payload.
"""

from __future__ import annotations

import time
from typing import Any

from vitrina import saliency, storage
from vitrina.errors import caught
from vitrina.imaging import LoadedImage, decode_image
from vitrina.matting import jobs, refine, results, score
from vitrina.matting.models import FailedItem, MattingItem, ReportRequest, item_record
from vitrina.matting.pipeline import finish
from vitrina.sources import read_source


def _timed(item: MattingItem, stage: str, started: float, **outputs: Any) -> dict[str, Any]:
    data = item.model_dump(mode="json")
    data["timings"] = {**item.timings, stage: round(time.perf_counter() - started, 4)}
    return {**data, **outputs}


def load(item: MattingItem) -> dict[str, Any]:
    started = time.perf_counter()
    image: LoadedImage = decode_image(read_source(item.source))
    storage.put_array(results.source_key(item.result_id), image.rgb)
    h, w = image.rgb.shape[:2]
    return _timed(item, "load", started, width=w, height=h, format=image.format)


def run_segment(item: MattingItem) -> dict[str, Any]:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    results.put_prob(item.result_id, saliency.predict(rgb, item.model))
    return _timed(item, "segment", started)


def run_refine(item: MattingItem) -> dict[str, Any]:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    alpha = refine.refine(rgb, results.get_prob(item.result_id))
    storage.put_array(results.version_keys(item.result_id, 1)["mask"], refine.to_uint8(alpha))
    return _timed(item, "refine", started)


def run_score(item: MattingItem) -> dict[str, Any]:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    alpha = storage.get_array(results.version_keys(item.result_id, 1)["mask"])
    result = score.score(rgb, results.get_prob(item.result_id), alpha.astype("float32") / 255)
    return _timed(
        item,
        "score",
        started,
        confidence=round(result.confidence, 4),
        cues=result.cues(),
        bbox=score.bounding_box(alpha),
    )


def write(item: MattingItem) -> dict[str, Any]:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    alpha = storage.get_array(results.version_keys(item.result_id, 1)["mask"])
    extra = item.model_extra or {}
    timings = {**item.timings}
    record = item_record(
        item,
        status="ok",
        model=item.model,
        confidence=extra.get("confidence"),
        cues=extra.get("cues"),
        bbox=extra.get("bbox"),
        width=extra.get("width"),
        height=extra.get("height"),
        timings=timings,
    )
    record, _ = results.write_version(item.result_id, 1, finish(rgb, alpha), record)
    record["timings"]["write"] = round(time.perf_counter() - started, 4)
    jobs.put_item_record(record)
    return record


def record_error(item: FailedItem) -> dict[str, Any]:
    """Turn a caught stage failure into the item's error record: the batch goes on."""
    record = item_record(
        item,
        status="error",
        result_id=item.result_id,
        error=caught(item.error.Error, item.error.Cause),
    )
    jobs.put_item_record(record)
    return record


def report(request: ReportRequest) -> dict[str, Any]:
    return jobs.report(request.job_id)
