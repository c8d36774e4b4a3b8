"""``vitrina banner``: one product through the banner state machine on the local engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vitrina import keys, storage
from vitrina.banner import compose, stages
from vitrina.banner.models import BannerCopy, BannerTask
from vitrina.banner.sheet import contact_sheet
from vitrina.config import settings
from vitrina.engine.local import LocalEngine
from vitrina.engine.progress import Progress, StateProgress
from vitrina.errors import InputError, caught
from vitrina.jobs import new_job_id
from vitrina.sources import Source

LABELS = {"Analyse": "analyse done", "Plan": "plan done", "Evaluate": "designed {n}/{total}",
          "Rank": "rank done"}


def _source(ref: str, upload_id: str, role: str) -> Source:
    if "://" in ref:
        return Source(url=ref)
    path = Path(ref)
    if not path.is_file():
        raise InputError(f"no such file: {ref}")
    key = keys.upload_key(upload_id, f"{role}-{path.name}")
    storage.put_bytes(settings().input_bucket, key, path.read_bytes(), "application/octet-stream")
    return Source(bucket=settings().input_bucket, key=key)


def run_banner(product: str, copy: BannerCopy, out_dir: Path, *, sizes: list[str],
               variants: int, segment: str, templates: list[str] | None, fmt: str,
               seed: int | None, scene: str | None, logo: str | None,
               progress: bool = True) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with LocalEngine() as engine:
        job_id, upload_id = new_job_id(), keys.new_id()
        task = BannerTask(
            job_id=job_id, product_id="0", name=keys.stem(product), copy=copy,
            product=_source(product, upload_id, "product"),
            scene=_source(scene, upload_id, "scene") if scene else None,
            logo=_source(logo, upload_id, "logo") if logo else None,
            sizes=sizes, variants=variants, segment=segment, templates=templates,
            format=fmt, seed=seed,
        )
        payload = {"task": task.model_dump(mode="json", by_alias=True, exclude_none=True)}
        arn = engine.start_execution("BannerStateMachine", payload, name=job_id)
        candidates = min(variants + compose.EXTRA_CANDIDATES, len(templates or []) or 99) \
            * len(sizes)
        shown = Progress(f"{candidates} banner candidates ({len(sizes)} size(s)) of "
                         f"{Path(product).name} as job {job_id}", candidates, "design", progress)
        bar = StateProgress(engine, arn, LABELS, shown, "Evaluate", candidates)
        execution = engine.wait(arn, timeout_s=3600, poll_s=0.2, on_poll=bar)
        bar()
        shown.close()
        report = storage.get_json(settings().output_bucket,
                                  stages.report_key(job_id, task.product_id))
        if execution.status != "SUCCEEDED":
            if report.get("status") != "error":
                report = {"status": "error", "error": caught(execution.error or "Failed",
                                                             execution.cause)}
            (out_dir / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
            return report
        _download(report, out_dir)
    (out_dir / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    rows = [(size["size"], [(f"{v['rank']}. {v['template']}  {v['evaluation']['score']:.2f}",
                             Path(v["files"]["image"])) for v in size["variants"]])
            for size in report["sizes"]]
    contact_sheet(rows).save(out_dir / "sheet.png")
    return report


def _download(report: dict[str, Any], out_dir: Path) -> None:
    bucket = settings().output_bucket
    for size in report["sizes"]:
        folder = out_dir / size["size"]
        folder.mkdir(exist_ok=True)
        for variant in size["variants"]:
            stem = f"{variant['rank']}-{variant['template']}"
            image = folder / f"{stem}.{variant['image'].rsplit('.', 1)[-1]}"
            image.write_bytes(storage.get_bytes(bucket, variant["image"]))
            layout = folder / f"{stem}.json"
            layout.write_bytes(storage.get_bytes(bucket, variant["layout"]))
            variant["files"] = {"image": str(image), "layout": str(layout)}
