"""``vitrina matting``: local files and URLs through the batch state machine on the local engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vitrina import jobs as jobs_core
from vitrina import keys, storage
from vitrina.config import settings
from vitrina.engine.progress import Progress
from vitrina.engine.runner import LocalRun
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
    stems = _unique_stems(inputs)
    with LocalRun(out_dir, progress) as run:
        sources: list[tuple[str, Source]] = []
        missing: list[dict[str, Any]] = []
        for i, (ref, stem) in enumerate(zip(inputs, stems, strict=True)):
            if "://" in ref:
                sources.append((stem, Source(url=ref)))
            elif Path(ref).is_file():
                sources.append((stem, run.upload(Path(ref), f"{i:05d}-{Path(ref).name}")))
            else:
                error = {"type": "FileNotFound", "message": f"no such file: {ref}"}
                missing.append({"name": stem, "input": ref, "status": "error", "error": error})
        items: list[dict[str, Any]] = []
        if sources:
            meta = jobs.create_job(sources, model, run.job_id)
            execution = run.follow(
                meta["execution_arn"], f"{len(sources)} photo(s) to cut out as job {run.job_id}",
                len(sources), "photo", lambda shown: ItemLines(run.job_id, len(sources), shown))
            if execution.status != "SUCCEEDED":
                raise RuntimeError(f"batch {run.job_id} ended {execution.status}: "
                                   f"{execution.cause}")
            report = storage.get_json(settings().output_bucket, jobs.report_key(run.job_id))
            refs = dict(zip(stems, inputs, strict=True))
            items = [_download(run, entry, refs[entry["name"]]) for entry in report["items"]]
        items = jobs.sort_items(items) + missing
        failed = sum(1 for i in items if i["status"] != "ok")
        report_body = {"job_id": run.job_id, "model": model, "succeeded": len(items) - failed,
                       "failed": failed, "items": items, "skipped": skipped or []}
        run.write_report(report_body)
    return report_body


def _download(run: LocalRun, entry: dict[str, Any], ref: str) -> dict[str, Any]:
    entry = {**entry, "input": ref}
    if entry["status"] != "ok":
        return entry
    entry["files"] = {
        "cutout": str(run.download(entry["outputs"]["cutout"], f"{entry['name']}.png")),
        "mask": str(run.download(entry["outputs"]["mask"], f"{entry['name']}.mask.png"))}
    return entry
