"""``vitrina banner``: one product through the banner state machine on the local engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vitrina import keys, storage
from vitrina.banner import compose, stages
from vitrina.banner.models import BannerCopy, BannerTask
from vitrina.banner.sheet import contact_sheet
from vitrina.config import settings
from vitrina.engine.progress import StateProgress
from vitrina.engine.runner import LocalRun
from vitrina.errors import InputError, caught
from vitrina.sources import Source

LABELS = {"Analyse": "analyse done", "Plan": "plan done", "Evaluate": "designed {n}/{total}",
          "Rank": "rank done"}


def _source(run: LocalRun, ref: str, role: str) -> Source:
    if "://" in ref:
        return Source(url=ref)
    path = Path(ref)
    if not path.is_file():
        raise InputError(f"no such file: {ref}")
    return run.upload(path, f"{role}-{path.name}")


def run_banner(product: str, copy: BannerCopy, out_dir: Path, *, sizes: list[str],
               variants: int, segment: str, templates: list[str] | None, fmt: str,
               seed: int | None, scene: str | None, logo: str | None,
               progress: bool = True) -> dict[str, Any]:
    with LocalRun(out_dir, progress) as run:
        task = BannerTask(
            job_id=run.job_id, product_id="0", name=keys.stem(product), copy=copy,
            product=_source(run, product, "product"),
            scene=_source(run, scene, "scene") if scene else None,
            logo=_source(run, logo, "logo") if logo else None,
            sizes=sizes, variants=variants, segment=segment, templates=templates,
            format=fmt, seed=seed,
        )
        payload = {"task": task.model_dump(mode="json", by_alias=True, exclude_none=True)}
        arn = run.engine.start_execution("BannerStateMachine", payload, name=run.job_id)
        candidates = min(variants + compose.EXTRA_CANDIDATES, len(templates or []) or 99) \
            * len(sizes)
        execution = run.follow(
            arn, f"{candidates} banner candidates ({len(sizes)} size(s)) of {Path(product).name} "
            f"as job {run.job_id}", candidates, "design",
            lambda shown: StateProgress(run.engine, arn, LABELS, shown, "Evaluate", candidates))
        report = storage.get_json(settings().output_bucket,
                                  stages.report_key(run.job_id, task.product_id))
        if execution.status != "SUCCEEDED":
            if report.get("status") != "error":
                report = {"status": "error", "error": caught(execution.error or "Failed",
                                                             execution.cause)}
            run.write_report(report)
            return report
        _download(run, report)
        run.write_report(report)
    rows = [(size["size"], [(f"{v['rank']}. {v['template']}  {v['evaluation']['score']:.2f}",
                             Path(v["files"]["image"])) for v in size["variants"]])
            for size in report["sizes"]]
    contact_sheet(rows).save(out_dir / "sheet.png")
    return report


def _download(run: LocalRun, report: dict[str, Any]) -> None:
    for size in report["sizes"]:
        for variant in size["variants"]:
            stem = f"{size['size']}/{variant['rank']}-{variant['template']}"
            image = run.download(variant["image"],
                                 f"{stem}.{variant['image'].rsplit('.', 1)[-1]}")
            layout = run.download(variant["layout"], f"{stem}.json")
            variant["files"] = {"image": str(image), "layout": str(layout)}
