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
from vitrina.engine.local import LocalEngine
from vitrina.engine.progress import Progress, StateProgress
from vitrina.errors import InputError, NotFound, caught
from vitrina.jobs import new_job_id
from vitrina.sources import Source
from vitrina.video.models import VideoOptions, VideoTask
from vitrina.video.stages import SEGMENT_S, report_key

LABELS = {"Ingest": "ingest done", "AnalyseImage": "analysed image {n}", "Script": "script done",
          "RenderSegment": "rendered segment {n}", "Join": "join done",
          "Evaluate": "evaluate done"}


def _upload_tree(files: list[Path]) -> tuple[dict[Path, str], str]:
    """Files keep their layout relative to their common folder, so relative references in a
    page or manifest still resolve after the upload (one new upload; names cleaned)."""
    root = Path(os.path.commonpath([str(f.parent) for f in files]))
    upload_id = keys.new_id()
    uploaded = {}
    for path in files:
        key = keys.upload_key(upload_id, path.relative_to(root).as_posix())
        storage.put_bytes(settings().input_bucket, key, path.read_bytes(),
                          "application/octet-stream")
        uploaded[path] = key
    return uploaded, keys.upload_prefix(upload_id)


def _task(inputs: list[str], manifest: Path | None, title: str | None, options: VideoOptions,
          job_id: str) -> VideoTask:
    bucket = settings().input_bucket
    common = {"job_id": job_id, **options.model_dump()}
    if manifest is None and len(inputs) == 1 and "://" in inputs[0]:
        return VideoTask(page=Source(url=inputs[0]), **common)
    if manifest is not None or (len(inputs) == 1
                                and Path(inputs[0]).suffix.lower() in (".html", ".htm")):
        document = (manifest or Path(inputs[0])).resolve()
        read = product_page.from_manifest if manifest is not None else product_page.from_file
        page = read(document)  # checked here: a bad page or manifest fails fast
        refs = [*(m.ref for m in page.media), *([page.music] if page.music else [])]
        uploaded, prefix = _upload_tree([document, *(Path(r) for r in refs if "://" not in r)])
        source = Source(bucket=bucket, key=uploaded[document])
        return VideoTask(**({"manifest": source} if manifest is not None else {"page": source}),
                         assets_prefix=prefix, **common)
    missing = [i for i in inputs if not Path(i).is_file()]
    if missing:
        raise InputError(f"no such file: {', '.join(missing)}")
    files = [Path(i).resolve() for i in inputs]
    uploaded, prefix = _upload_tree(files)
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
    out_dir.mkdir(parents=True, exist_ok=True)
    with LocalEngine() as engine:
        job_id = new_job_id()
        if music_file is not None:
            key = keys.upload_key(keys.new_id(), music_file.name)
            storage.put_bytes(settings().input_bucket, key, music_file.read_bytes(), "audio/wav")
            options = options.model_copy(update={"music": key})
        task = _task(inputs, manifest, title, options, job_id)
        arn = engine.start_execution(
            "VideoStateMachine",
            {"task": task.model_dump(mode="json", exclude_none=True)}, name=job_id)
        segments = max(1, math.ceil(options.duration / SEGMENT_S))
        shown = Progress(f"a {options.duration:g} s {options.aspect} video in {segments} "
                         f"segment(s) as job {job_id}", segments, "segment", progress)
        bar = StateProgress(engine, arn, LABELS, shown, "RenderSegment", segments)
        execution = engine.wait(arn, timeout_s=3600, poll_s=0.3, on_poll=bar)
        bar()
        shown.close()
        bucket = settings().output_bucket
        try:
            report = storage.get_json(bucket, report_key(job_id))
        except NotFound:  # no report at all: say what the engine saw
            report = {"status": "error",
                      "error": caught(execution.error or "Failed", execution.cause)}
        if report.get("status") == "ok":
            for key in report["outputs"].values():  # video.mp4, poster.jpg, storyboard.*
                (out_dir / Path(key).name).write_bytes(storage.get_bytes(bucket, key))
    (out_dir / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return report
