"""The banner state machine's stages run in one process, for the synchronous HTTP route.

Same stage functions for analysis, planning and ranking, same keys, same report; only the
per-(size, template) design runs in-process on inputs loaded once, because a request that
waits for its banners should not pay three S3 round trips per variant.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from vitrina import storage
from vitrina.banner import compose, evaluate, layout, render, stages
from vitrina.banner.models import BannerTask, DesignItem, RankRequest
from vitrina.banner.templates import get_template
from vitrina.config import settings


def design(task: BannerTask, item: DesignItem, inputs: compose.Inputs) -> dict[str, Any]:
    template = get_template(item.template)
    assets = compose.assets_for(template, inputs)
    solved, base = layout.solve_with_backdrop(template, item.width, item.height,
                                              task.copy_.to_copy(), inputs.analysis.palette,
                                              assets)
    image = render.add_text(base, solved)
    checked = evaluate.evaluate(solved, np.asarray(image), assets, backdrop=np.asarray(base))
    bucket = settings().output_bucket
    layout_key = stages.design_key(item, "layout.json")
    image_key = stages.design_key(item, item.format)
    storage.put_json(bucket, layout_key, solved.to_dict())
    storage.put_bytes(bucket, image_key, render.encode(image, item.format),
                      render.CONTENT_TYPES[item.format])
    return {**item.model_dump(mode="json"), "layout_key": layout_key, "image_key": image_key,
            "warnings": solved.warnings, "evaluation": checked.to_dict()}


def run(task: BannerTask) -> dict[str, Any]:
    """Analyse, plan, design every item, rank: the product's report (also written to S3)."""
    started = time.perf_counter()
    task.analysis = stages.analyse(task)
    planned = stages.plan(task)
    inputs = stages.load_inputs(task.analysis)
    designs = []
    for raw in planned["items"]:
        item = DesignItem.model_validate(raw)
        try:
            designs.append(design(task, item, inputs))
        except Exception as exc:  # one template failing must not sink the others
            designs.append({**raw, "error": {"type": type(exc).__name__, "message": str(exc)}})
    summary = stages.rank(RankRequest(task=task, designs=designs))
    report = storage.get_json(settings().output_bucket, summary["report"])
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
