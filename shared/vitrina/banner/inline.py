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
from vitrina.banner.models import (
    AnalysedTask,
    BannerTask,
    DesignItem,
    EvaluatedItem,
    FailedDesign,
    RankRequest,
)
from vitrina.banner.templates import get_template
from vitrina.config import settings
from vitrina.payloads import ErrorDetail


def design(task: BannerTask, item: DesignItem, inputs: compose.DesignInputs) -> EvaluatedItem:
    variant = compose.design(get_template(item.template), item.width, item.height,
                             task.copy_.to_copy(), inputs)
    bucket = settings().output_bucket
    layout_key = stages.design_key(item, "layout.json")
    image_key = stages.design_key(item, item.format)
    storage.put_json(bucket, layout_key, variant.layout.to_dict())
    storage.put_bytes(bucket, image_key, render.encode(variant.image, item.format),
                      render.CONTENT_TYPES[item.format])
    return EvaluatedItem(**item.model_dump(), layout_key=layout_key, image_key=image_key,
                         warnings=variant.layout.warnings, evaluation=variant.evaluation)


def run(task: BannerTask) -> dict[str, Any]:
    """Analyse, plan, design every item, rank: the product's report (also written to S3)."""
    started = time.perf_counter()
    analysed = AnalysedTask(**task.model_dump(by_alias=True), analysis=stages.analyse(task))
    inputs = stages.load_inputs(analysed.analysis)
    designs: list[EvaluatedItem | FailedDesign] = []
    for item in stages.plan(analysed).items:
        deadline.check()  # a request past its deadline stops between templates
        try:
            designs.append(design(analysed, item, inputs))
        except Exception as exc:  # one template failing must not sink the others
            designs.append(FailedDesign(template=item.template, width=item.width,
                                        height=item.height, error=ErrorDetail.of(exc)))
    summary = stages.rank(RankRequest(task=analysed, designs=designs))
    report = storage.get_json(settings().output_bucket, summary.report)
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
