"""``vitrina video``: a page, a manifest or media files through the video state machine on
the local engine, with the results downloaded to a folder."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from vitrina import keys, product_page, storage
from vitrina.config import settings
from vitrina.engine.progress import StateProgress
from vitrina.engine.runner import LocalRun
from vitrina.errors import InputError, NotFound, caught
from vitrina.sources import Source
from vitrina.video.models import VideoOptions, VideoTask
from vitrina.video.stages import SEGMENT_S, report_key

LABELS = {"Ingest": "ingest done", "AnalyseImage": "analysed image {n}", "Script": "script done",
          "RenderSegment": "rendered segment {n}", "Join": "join done",
          "Evaluate": "evaluate done"}


def _upload_tree(run: LocalRun, files: list[Path]) -> tuple[dict[Path, str], str]:
    """Files keep their layout relative to their common folder, so relative references in a
    page or manifest still resolve after the upload (the run's upload; names cleaned)."""
    root = Path(os.path.commonpath([str(f.parent) for f in files]))
    uploaded = {path: run.upload(path, path.relative_to(root).as_posix()).key or ""
                for path in files}
    return uploaded, run.upload_prefix


def _task(run: LocalRun, inputs: list[str], manifest: Path | None, title: str | None,
          options: VideoOptions) -> VideoTask:
    bucket = settings().input_bucket
    common = {"job_id": run.job_id, **options.model_dump()}
    if manifest is None and len(inputs) == 1 and "://" in inputs[0]:
        return VideoTask(page=Source(url=inputs[0]), **common)
    if manifest is not None or (len(inputs) == 1
                                and Path(inputs[0]).suffix.lower() in (".html", ".htm")):
        document = (manifest or Path(inputs[0])).resolve()
        read = product_page.from_manifest if manifest is not None else product_page.from_file
        page = read(document)  # checked here: a bad page or manifest fails fast
        refs = [*(m.ref for m in page.media), *([page.music] if page.music else [])]
        uploaded, prefix = _upload_tree(run, [document, *(Path(r) for r in refs if "://" not in r)])
        source = Source(bucket=bucket, key=uploaded[document])
        return VideoTask(**({"manifest": source} if manifest is not None else {"page": source}),
                         assets_prefix=prefix, **common)
    missing = [i for i in inputs if not Path(i).is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")
    files = [Path(i).resolve() for i in inputs]
    uploaded, prefix = _upload_tree(run, files)
    clips = {".mp4", ".mov", ".webm", ".mkv", ".m4v"}
    listing = {
        "title": title or files[0].stem.replace("-", " ").replace("_", " "),
        "images": [uploaded[f][len(prefix):] for f in files if f.suffix.lower() not in clips],
        "clips": [uploaded[f][len(prefix):] for f in files if f.suffix.lower() in clips],
    }
    key = f"{prefix}manifest.json"
    storage.put_bytes(bucket, key, json.dumps(listing, ensure_ascii=False).encode(),
                      "application/json")
    return VideoTask(manifest=Source(bucket=bucket, key=key), assets_prefix=prefix, **common)


def run_video(inputs: list[str], out_dir: Path, options: VideoOptions, *,
              manifest: Path | None = None, title: str | None = None,
              music_file: Path | None = None, progress: bool = True) -> dict[str, Any]:
    with LocalRun(out_dir, progress) as run:
        if music_file is not None:  # an upload of its own: no name of the page's can clash
            music = run.upload(music_file, upload_id=keys.new_id())
            options = options.model_copy(update={"music": music.key})
        task = _task(run, inputs, manifest, title, options)
        arn = run.engine.start_execution(
            "VideoStateMachine",
            {"task": task.model_dump(mode="json", exclude_none=True)}, name=run.job_id)
        segments = max(1, math.ceil(options.duration / SEGMENT_S))
        execution = run.follow(
            arn, f"a {options.duration:g} s {options.aspect} video in {segments} segment(s) "
            f"as job {run.job_id}", segments, "segment",
            lambda shown: StateProgress(run.engine, arn, LABELS, shown, "RenderSegment",
                                        segments))
        try:
            report = storage.get_json(settings().output_bucket, report_key(run.job_id))
        except NotFound:  # no report at all: say what the engine saw
            report = {"status": "error",
                      "error": caught(execution.error or "Failed", execution.cause)}
        if report.get("status") == "ok":
            for key in report["outputs"].values():  # video.mp4, poster.jpg, storyboard.*
                run.download(key, Path(key).name)
        run.write_report(report)
    return report
