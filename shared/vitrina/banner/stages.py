"""The banner stages as the state machines run them: S3 references in, small JSON out.

Keys derive from the job, the product, the size and the template, so a retried stage
overwrites its own output. The product analysis is cached by the photo's content hash: the
same photo in another request (another size, other copy) skips matting entirely.
"""

from __future__ import annotations

import hashlib
import time
from functools import cached_property

import numpy as np

from vitrina import storage
from vitrina.banner import bandit, compose, evaluate, jobs, layout, render
from vitrina.banner.analyse import analyse_product
from vitrina.banner.document import Assets, Layout
from vitrina.banner.models import (
    AnalysedTask,
    Analysis,
    BannerTask,
    DesignItem,
    DesignRequest,
    EvaluatedItem,
    FailedTask,
    LaidOutItem,
    Plan,
    ProductError,
    ProductSummary,
    RankRequest,
    RenderedItem,
    Subject,
)
from vitrina.banner.templates import get_template, load_templates
from vitrina.color import Palette
from vitrina.config import settings
from vitrina.errors import InputError, NotFound
from vitrina.imaging import decode_image
from vitrina.payloads import ErrorDetail, StageError
from vitrina.saliency import get_prob_at, put_prob_at
from vitrina.saliency import predict as predict_saliency
from vitrina.sources import read_source

ANALYSIS_VERSION = "1"  # bump when the analysis changes, so cached results are not reused


def product_prefix(job_id: str, product_id: str) -> str:
    return f"banners/{job_id}/{product_id}"


def report_key(job_id: str, product_id: str) -> str:
    return f"{product_prefix(job_id, product_id)}/report.json"


def _rgba(image_rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    full = np.full(image_rgb.shape[:2], 255, np.uint8) if alpha is None else alpha
    return np.dstack([image_rgb, full])


def analyse(task: BannerTask) -> Analysis:
    """Cut out and measure the product (cached by content), and store the scene and logo."""
    started = time.perf_counter()
    data = read_source(task.product)
    model = settings().matting_model
    digest = hashlib.sha256(data + f"|{model}|{ANALYSIS_VERSION}".encode()).hexdigest()
    cache = f"cache/banner/{digest[:40]}"
    keys = {"photo": f"{cache}/photo.png", "cutout": f"{cache}/cutout.png",
            "saliency": f"{cache}/saliency.png", "analysis": f"{cache}/analysis.json"}
    bucket = settings().output_bucket
    try:
        summary = storage.get_json(bucket, keys["analysis"])
        cached = True
    except NotFound:
        cached = False
        image = decode_image(data)
        result = analyse_product(image, model)
        storage.put_array(keys["photo"], image.rgb)
        put_prob_at(keys["saliency"], result.saliency)
        if result.cutout is not None:
            storage.put_array(keys["cutout"], result.cutout)
        summary = {"palette": result.palette.to_dict(), "confidence": round(result.confidence, 4),
                   "clear_subject": result.clear_subject, "reason": result.reason}
        storage.put_json(bucket, keys["analysis"], summary)
    if not summary["clear_subject"]:
        keys["cutout"] = ""
    prefix = product_prefix(task.job_id, task.product_id)
    extra: dict[str, str] = {}
    if task.scene is not None:
        scene = decode_image(read_source(task.scene))
        extra["scene"] = f"{prefix}/scene.png"
        extra["scene_saliency"] = f"{prefix}/scene_saliency.png"
        storage.put_array(extra["scene"], scene.rgb)
        put_prob_at(extra["scene_saliency"], predict_saliency(scene.rgb, model))
    if task.logo is not None:
        logo = decode_image(read_source(task.logo))
        extra["logo"] = f"{prefix}/logo.png"
        storage.put_array(extra["logo"], _rgba(logo.rgb, logo.alpha))
    return Analysis(**summary, cached=cached, assets={**keys, **extra},
                    seconds=round(time.perf_counter() - started, 3))


class StoredInputs:
    """The analyse stage's outputs (:class:`compose.DesignInputs`), each fetched from storage
    on first use: a design stage reads only what its template shows."""

    def __init__(self, analysis: Analysis) -> None:
        self._keys = analysis.assets
        self.palette = Palette.from_dict(analysis.palette)

    def _array(self, name: str) -> np.ndarray | None:
        return storage.get_array(self._keys[name]) if self._keys.get(name) else None

    @cached_property
    def photo(self) -> np.ndarray:
        return storage.get_array(self._keys["photo"])

    @cached_property
    def cutout(self) -> np.ndarray | None:
        return self._array("cutout")

    @cached_property
    def saliency(self) -> np.ndarray:
        return get_prob_at(self._keys["saliency"])

    @cached_property
    def scene(self) -> np.ndarray | None:
        return self._array("scene")

    @cached_property
    def scene_saliency(self) -> np.ndarray | None:
        key = self._keys.get("scene_saliency")
        return get_prob_at(key) if key else None

    @cached_property
    def logo(self) -> np.ndarray | None:
        return self._array("logo")


def load_inputs(analysis: Analysis) -> StoredInputs:
    return StoredInputs(analysis)


def plan(task: AnalysedTask) -> Plan:
    """Which templates to design for every size, in the order the segment's bandit prefers."""
    names = list(load_templates())
    if task.templates:
        unknown = [n for n in task.templates if n not in names]
        if unknown:
            raise InputError(f"unknown templates: {', '.join(unknown)}")
        names = [n for n in names if n in task.templates]
    arms = bandit.TableStore().arms(task.segment)
    learned = bool(arms)
    if learned:
        preferred, draws = bandit.rank_arms(arms, names, task.seed)
    else:
        preferred, draws = list(compose.DEFAULT_ORDER), {}
    chosen = compose.pick(names, preferred, task.variants + compose.EXTRA_CANDIDATES)
    items = [
        DesignItem(job_id=task.job_id, product_id=task.product_id, width=w, height=h,
                   template=name, format=task.format, order=order,
                   prior=round(draws[name], 4) if learned else None)
        for w, h in task.parsed_sizes() for order, name in enumerate(chosen)
    ]
    return Plan(items=items, learned=learned)


def design_key(item: DesignItem, suffix: str) -> str:
    prefix = product_prefix(item.job_id, item.product_id)
    return f"{prefix}/{item.width}x{item.height}/{item.template}.{suffix}"


def design_layout(request: DesignRequest[DesignItem]) -> LaidOutItem:
    task, item = request.task, request.item
    inputs = load_inputs(task.analysis)
    template = get_template(item.template)
    assets = compose.assets_for(template, inputs)
    solved = layout.solve(template, item.width, item.height, task.copy_.to_copy(),
                          inputs.palette, assets)
    key = design_key(item, "layout.json")
    storage.put_json(settings().output_bucket, key, solved.to_dict())
    return LaidOutItem(**item.model_dump(), layout_key=key, warnings=solved.warnings)


def _designed(task: AnalysedTask, item: LaidOutItem) -> tuple[Layout, Assets]:
    """The layout the layout stage stored for this item, and the assets it is drawn with."""
    solved = Layout.from_dict(storage.get_json(settings().output_bucket, item.layout_key))
    assets = compose.assets_for(get_template(item.template), load_inputs(task.analysis))
    return solved, assets


def design_render(request: DesignRequest[LaidOutItem]) -> RenderedItem:
    item = request.item
    solved, assets = _designed(request.task, item)
    image = render.render(solved, assets)
    key = design_key(item, item.format)
    storage.put_bytes(settings().output_bucket, key, render.encode(image, item.format),
                      render.CONTENT_TYPES[item.format])
    return RenderedItem(**item.model_dump(), image_key=key)


def design_evaluate(request: DesignRequest[RenderedItem]) -> EvaluatedItem:
    item = request.item
    solved, assets = _designed(request.task, item)
    base = render.backdrop(solved, assets)
    image = render.add_text(base, solved)
    checked = evaluate.evaluate(solved, np.asarray(image), assets, backdrop=np.asarray(base))
    return EvaluatedItem(**item.model_dump(), evaluation=checked.to_dict())


def _why(error: StageError | ErrorDetail) -> ErrorDetail:
    return ErrorDetail.caught(error) if isinstance(error, StageError) else error


def rank(request: RankRequest) -> ProductSummary:
    """Per size: best first, near-duplicates dropped; the product's report is written."""
    task = request.task
    designed = [d.model_dump() for d in request.designs if isinstance(d, EvaluatedItem)]
    failed = [d for d in request.designs if not isinstance(d, EvaluatedItem)]
    sizes = []
    for width, height in task.parsed_sizes():
        here = [d for d in designed if (d["width"], d["height"]) == (width, height)]
        kept, dropped = evaluate.rank(here, task.variants)
        variants = []
        for position, design in enumerate(kept, start=1):
            evaluation = {k: v for k, v in design["evaluation"].items() if k != "signature"}
            variants.append({"rank": position, "template": design["template"],
                             "image": design["image_key"], "layout": design["layout_key"],
                             "warnings": design.get("warnings", []), "evaluation": evaluation})
        sizes.append({
            "size": f"{width}x{height}", "variants": variants,
            "dropped": [{"template": d["template"], "reason": d["dropped"]} for d in dropped],
            "failed": [{"template": d.template, "error": _why(d.error).model_dump()}
                       for d in failed if (d.width, d.height) == (width, height)],
        })
    analysis = task.analysis
    subject = Subject(clear=analysis.clear_subject, reason=analysis.reason,
                      confidence=analysis.confidence, cached=analysis.cached)
    body = {
        "job_id": task.job_id, "product_id": task.product_id, "name": task.name,
        "status": "ok", "segment": task.segment, "subject": subject.model_dump(),
        "palette": analysis.palette, "sizes": sizes,
    }
    key = report_key(task.job_id, task.product_id)
    storage.put_json(settings().output_bucket, key, body)
    summary = ProductSummary(job_id=task.job_id, product_id=task.product_id, name=task.name,
                             status="ok", report=key, subject=subject,
                             variants=sum(len(s["variants"]) for s in sizes))
    jobs.record_product(summary.model_dump(mode="json"))
    return summary


def error_record(failed: FailedTask, error: ErrorDetail) -> ProductError:
    """A product that could not be designed at all ends as an error report that says why."""
    task = failed.task
    return ProductError(job_id=task.job_id, product_id=task.product_id, name=task.name,
                        error=error, report=report_key(task.job_id, task.product_id))
