"""The matting stages as the state machines run them: S3 references in, small JSON out.

Each function is what one Lambda does; images travel through the output bucket under
deterministic keys, never through the state payload.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from vitrina import saliency, storage
from vitrina.imaging import LoadedImage, decode_image
from vitrina.matting import jobs, refine, results, score
from vitrina.matting.models import (
    FailedItem,
    ItemError,
    ItemRecord,
    LoadedItem,
    MattingItem,
    ScoredItem,
)
from vitrina.matting.pipeline import finish
from vitrina.payloads import ErrorDetail
from vitrina.sources import read_source

Item = TypeVar("Item", bound=MattingItem)


def _timed(item: MattingItem, model: type[Item], stage: str, started: float,
           **outputs: Any) -> Item:
    """``item`` passed on as ``model``, with the stage's outputs and its time added."""
    timings = {**item.timings, stage: round(time.perf_counter() - started, 4)}
    return model(**{**item.model_dump(), **outputs, "timings": timings})


def load(item: MattingItem) -> LoadedItem:
    started = time.perf_counter()
    image: LoadedImage = decode_image(read_source(item.source))
    storage.put_array(results.source_key(item.result_id), image.rgb)
    h, w = image.rgb.shape[:2]
    return _timed(item, LoadedItem, "load", started, width=w, height=h, format=image.format)


def run_segment(item: LoadedItem) -> LoadedItem:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    results.put_prob(item.result_id, saliency.predict(rgb, item.model))
    return _timed(item, LoadedItem, "segment", started)


def run_refine(item: LoadedItem) -> LoadedItem:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    alpha = refine.refine(rgb, results.get_prob(item.result_id))
    storage.put_array(results.version_keys(item.result_id, 1)["mask"], refine.to_uint8(alpha))
    return _timed(item, LoadedItem, "refine", started)


def run_score(item: LoadedItem) -> ScoredItem:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    alpha = storage.get_array(results.version_keys(item.result_id, 1)["mask"])
    result = score.score(rgb, results.get_prob(item.result_id), alpha.astype("float32") / 255)
    return _timed(item, ScoredItem, "score", started, confidence=round(result.confidence, 4),
                  cues=result.cues(), bbox=score.bounding_box(alpha))


def write(item: ScoredItem) -> ItemRecord:
    started = time.perf_counter()
    rgb = storage.get_array(results.source_key(item.result_id))
    alpha = storage.get_array(results.version_keys(item.result_id, 1)["mask"])
    timings = {**item.timings}
    record = {"job_id": item.job_id, "item_id": item.item_id, "name": item.name,
              "source": item.source.describe(), "status": "ok", "model": item.model,
              "confidence": item.confidence, "cues": item.cues, "bbox": item.bbox,
              "width": item.width, "height": item.height, "timings": timings}
    record, _ = results.write_version(item.result_id, 1, finish(rgb, alpha), record)
    record["timings"]["write"] = round(time.perf_counter() - started, 4)
    jobs.put_item_record(record)
    return ItemRecord.model_validate(record)


def error_record(item: FailedItem, error: ErrorDetail) -> ItemError:
    """A failed item's record: the batch goes on, and its report lists the error."""
    return ItemError(job_id=item.job_id, item_id=item.item_id, name=item.name,
                     source=item.source.describe(), result_id=item.result_id, error=error)
