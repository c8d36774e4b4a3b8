"""The banner state machine's stages run in one process, for the synchronous HTTP route.

Same stage functions for analysis, planning and ranking, same keys, same report; only the
per-(size, template) design runs in-process on inputs loaded once, because a request that
waits for its banners should not pay three S3 round trips per variant.
"""

from __future__ import annotations

import time
from typing import Any

from vitrina import deadline, storage
from vitrina.banner import compose, render, stages
from vitrina.banner.models import BannerTask, DesignItem, RankRequest
from vitrina.banner.templates import get_template
from vitrina.config import settings


def design(task: BannerTask, item: DesignItem, inputs: compose.DesignInputs) -> dict[str, Any]:
    variant = compose.design(get_template(item.template), item.width, item.height,
                             task.copy_.to_copy(), inputs)
    bucket = settings().output_bucket
    layout_key = stages.design_key(item, "layout.json")
    image_key = stages.design_key(item, item.format)
    storage.put_json(bucket, layout_key, variant.layout.to_dict())
    storage.put_bytes(bucket, image_key, render.encode(variant.image, item.format),
                      render.CONTENT_TYPES[item.format])
    return {**item.model_dump(mode="json"), "layout_key": layout_key, "image_key": image_key,
            "warnings": variant.layout.warnings, "evaluation": variant.evaluation}


def run(task: BannerTask) -> dict[str, Any]:
    """Analyse, plan, design every item, rank: the product's report (also written to S3)."""
    started = time.perf_counter()
    task.analysis = stages.analyse(task)
    planned = stages.plan(task)
    inputs = stages.load_inputs(task.analysis)
    designs = []
    for raw in planned["items"]:
        deadline.check()  # a request past its deadline stops between templates
        item = DesignItem.model_validate(raw)
        try:
            designs.append(design(task, item, inputs))
        except Exception as exc:  # one template failing must not sink the others
            designs.append({**raw, "error": {"type": type(exc).__name__, "message": str(exc)}})
    summary = stages.rank(RankRequest(task=task, designs=designs))
    report = storage.get_json(settings().output_bucket, summary["report"])
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
