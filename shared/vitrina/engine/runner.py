"""One product run on the embedded engine, as the CLI makes it: the engine started, a job
id, local files stored under one new upload, the execution followed with a progress bar,
outputs downloaded and the report written. A product's local runner is this plus what is
its own (which state machine, which files, which outputs)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vitrina import keys, storage
from vitrina.config import settings
from vitrina.engine.local import Execution, LocalEngine
from vitrina.engine.progress import Progress
from vitrina.jobs import new_job_id
from vitrina.sources import Source

Watch = Callable[[Progress], Callable[[], None]]


class LocalRun:
    def __init__(self, out_dir: Path, progress: bool = True) -> None:
        self.out_dir, self.progress = out_dir, progress
        self.job_id, self.upload_id = new_job_id(), keys.new_id()
        self.engine = LocalEngine()

    def __enter__(self) -> LocalRun:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.engine.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.stop()

    @property
    def upload_prefix(self) -> str:
        return keys.upload_prefix(self.upload_id)

    def upload(self, path: Path, name: str | None = None, upload_id: str | None = None
               ) -> Source:
        """A local file stored in this run's upload, or in ``upload_id`` (its name, which
        may hold folders, cleaned by ``keys``)."""
        key = keys.upload_key(upload_id or self.upload_id, name or path.name)
        storage.put_bytes(settings().input_bucket, key, path.read_bytes(),
                          "application/octet-stream")
        return Source(bucket=settings().input_bucket, key=key)

    def follow(self, arn: str, queued: str, total: int, unit: str, watch: Watch) -> Execution:
        """Wait for the execution; ``watch(progress)`` gives what updates the bar meanwhile."""
        shown = Progress(queued, total, unit, self.progress)
        poll = watch(shown)
        execution = self.engine.wait(arn, timeout_s=24 * 3600, poll_s=0.2, on_poll=poll)
        poll()
        shown.close()
        return execution

    def download(self, key: str, name: str) -> Path:
        """An output-bucket object as ``out_dir/name``."""
        path = self.out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(storage.get_bytes(settings().output_bucket, key))
        return path

    def write_report(self, report: dict[str, Any]) -> None:
        (self.out_dir / "report.json").write_text(
            json.dumps(report, indent=1, ensure_ascii=False))
