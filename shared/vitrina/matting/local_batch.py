"""``vitrina matting``: local files and URLs through the batch state machine on the local engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vitrina import jobs as jobs_core
from vitrina import keys, storage
from vitrina.config import settings
from vitrina.engine.local import LocalEngine
from vitrina.engine.progress import Progress
from vitrina.jobs import new_job_id
from vitrina.matting import jobs
from vitrina.matting.models import ModelName, Source


def _unique_stems(inputs: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    stems = []
    for ref in inputs:
        stem = keys.stem(ref)
        seen[stem] = seen.get(stem, 0) + 1
        stems.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return stems


class ItemLines:
    """A line per finished item above the bar (confidence, or the error), for batches small
    enough to list at each step; larger ones show the bar and their report."""

    LIMIT = 100

    def __init__(self, job_id: str, total: int, progress: Progress) -> None:
        self.job_id, self.total, self.progress, self.shown = job_id, total, progress, set()
        self.done = 0

    def __call__(self) -> None:
        counts = jobs_core.counts(self.job_id)
        note = f"{counts['ok']} ok, {counts['failed']} failed"
        self.progress.update_to(counts["done"], note)
        if counts["done"] == self.done or self.total > self.LIMIT or not self.progress.enabled:
            return
        self.done = counts["done"]
        job = jobs.get_job(self.job_id)
        for item in job["items"] + job["errors"]:
            if item["item_id"] in self.shown:
                continue
            self.shown.add(item["item_id"])
            if item["status"] == "ok":
                verdict = f"ok   confidence {item['confidence']:.2f}"
            else:
                verdict = f"FAIL {item['error']['type']}: {item['error']['message']}"
            self.progress.say(f"[{len(self.shown):>4}/{self.total}] {item['name']:<24} {verdict}")


def run_batch(
    inputs: list[str], out_dir: Path, model: ModelName = "u2netp", progress: bool = True,
    skipped: list[str] | None = None,
) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stems = _unique_stems(inputs)
    with LocalEngine() as engine:
        cfg = settings()
        job_id = new_job_id()
        upload_id = keys.new_id()
        sources: list[tuple[str, Source]] = []
        missing: list[dict[str, Any]] = []
        for i, (ref, stem) in enumerate(zip(inputs, stems, strict=True)):
            if "://" in ref:
                sources.append((stem, Source(url=ref)))
            elif Path(ref).is_file():
                key = keys.upload_key(upload_id, f"{i:05d}-{Path(ref).name}")
                storage.put_bytes(cfg.input_bucket, key, Path(ref).read_bytes(),
                                  "application/octet-stream")
                sources.append((stem, Source(bucket=cfg.input_bucket, key=key)))
            else:
                error = {"type": "FileNotFound", "message": f"no such file: {ref}"}
                missing.append({"name": stem, "input": ref, "status": "error", "error": error})
        items: list[dict[str, Any]] = []
        if sources:
            meta = jobs.create_job(sources, model, job_id)
            shown = Progress(f"{len(sources)} photo(s) to cut out as job {job_id}",
                             len(sources), "photo", progress)
            lines = ItemLines(job_id, len(sources), shown)
            execution = engine.wait(meta["execution_arn"], timeout_s=24 * 3600, poll_s=0.2,
                                    on_poll=lines)
            lines()
            shown.close()
            if execution.status != "SUCCEEDED":
                raise RuntimeError(f"batch {job_id} ended {execution.status}: {execution.cause}")
            report = storage.get_json(cfg.output_bucket, jobs.report_key(job_id))
            refs = dict(zip(stems, inputs, strict=True))
            items = [_download(entry, refs[entry["name"]], out_dir) for entry in report["items"]]
    items = jobs.sort_items(items) + missing
    failed = sum(1 for i in items if i["status"] != "ok")
    report_body = {"job_id": job_id, "model": model, "succeeded": len(items) - failed,
                   "failed": failed, "items": items, "skipped": skipped or []}
    (out_dir / "report.json").write_text(json.dumps(report_body, indent=1, ensure_ascii=False))
    return report_body


def _download(entry: dict[str, Any], ref: str, out_dir: Path) -> dict[str, Any]:
    entry = {**entry, "input": ref}
    if entry["status"] != "ok":
        return entry
    bucket = settings().output_bucket
    files = {"cutout": out_dir / f"{entry['name']}.png",
             "mask": out_dir / f"{entry['name']}.mask.png"}
    for kind, path in files.items():
        path.write_bytes(storage.get_bytes(bucket, entry["outputs"][kind]))
    entry["files"] = {k: str(v) for k, v in files.items()}
    return entry
