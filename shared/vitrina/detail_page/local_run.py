"""``vitrina detail analyse``: a page through the detail_page state machine on the local
engine, with its record, module crops and an overlay of the modules written to a folder."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from vitrina import storage
from vitrina.config import settings
from vitrina.detail_page.models import PageTask
from vitrina.detail_page.records import PageRecord
from vitrina.detail_page.stages import overlay, page_id_for, report_key
from vitrina.engine.progress import StateProgress
from vitrina.engine.runner import LocalRun
from vitrina.errors import InputError, NotFound, caught
from vitrina.imaging import decode_image, encode_png
from vitrina.sources import Source

LABELS = {"Cut": "cut into modules", "ReadModule": "read module {n}", "Store": "stored"}
_PAGES = (".html", ".htm")


def _task(run: LocalRun, inputs: list[str]) -> PageTask:
    """An HTML page (URL or file) and/or long images, uploaded; the page's id from its URL or
    the images' and page's content, so the same page analysed again is a new version."""
    urls = [i for i in inputs if "://" in i]
    files = [Path(i) for i in inputs if "://" not in i]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")
    pages = [f for f in files if f.suffix.lower() in _PAGES]
    if len(urls) + len(pages) > 1:
        raise InputError("give one page (a URL or an .html file), with its long images if any")
    html: Source | None = Source(url=urls[0]) if urls else None
    identity = urls[:]
    if pages:
        html = run.upload(pages[0].resolve())
    images = [run.upload(f.resolve(), f"image-{n:02d}{f.suffix.lower()}")
              for n, f in enumerate(f for f in files if f not in pages)]
    identity += [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    return PageTask(job_id=run.job_id, page_id=page_id_for(*identity), html=html,
                    images=images, name=" + ".join([*urls, *(f.name for f in files)]))


def run_analyse(inputs: list[str], out_dir: Path, progress: bool = True) -> dict[str, Any]:
    """The stored record as a report, plus out_dir/record.json, modules/, overlay.png."""
    out = settings().output_bucket
    with LocalRun(out_dir, progress) as run:
        task = _task(run, inputs)
        arn = run.engine.start_execution(
            "DetailPageStateMachine", {"task": task.model_dump(mode="json", exclude_none=True)},
            name=run.job_id)
        execution = run.follow(
            arn, f"page {task.page_id} as job {run.job_id}", 0, "module",
            lambda shown: StateProgress(run.engine, arn, LABELS, shown, "ReadModule", 0))
        if execution.status != "SUCCEEDED":
            try:
                report = storage.get_json(out, report_key(run.job_id, task.page_id))
            except NotFound:
                report = {"status": "error",
                          "error": caught(execution.error or "Failed", execution.cause)}
            run.write_report(report)
            return report
        summary = execution.output
        record = PageRecord.model_validate(storage.get_json(out, summary["record"]))
        run.download(summary["record"], "record.json")
        for module in record.modules:
            run.download(module.crop, f"modules/{module.index:03d}-{module.kind}.png")
        for index, source in enumerate(task.images):
            rgb = decode_image(storage.get_bytes(source.bucket or "", source.key or "")).rgb
            shown = [m for m in record.modules if m.image == index]
            name = "overlay.png" if len(task.images) == 1 else f"overlay-{index}.png"
            (out_dir / name).write_bytes(encode_png(overlay(rgb, shown)))
        report = {**summary, "status": "ok"}
        run.write_report(report)
    return report
