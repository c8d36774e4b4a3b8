"""The S3 trigger's local twin: files dropped in ``VITRINA_HOME/<prefix>`` while
``vitrina serve`` runs are stored under that prefix of the bucket, which notifies the
trigger's function exactly as the bucket notification does on AWS."""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

from vitrina import keys, storage

log = logging.getLogger("vitrina.dropfolder")


class DropFolder:
    """Polls ``folder``; a file whose size and mtime held still over one interval is
    complete: it is stored as ``<prefix><cleaned name>`` and removed from the folder."""

    def __init__(self, folder: Path, bucket: str, prefix: str, interval_s: float = 0.5) -> None:
        self.folder, self.bucket, self.prefix, self.interval_s = folder, bucket, prefix, interval_s
        self._seen: dict[Path, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="drop-folder", daemon=True)

    def start(self) -> DropFolder:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.scan()
            except OSError as exc:  # a folder removed or unreadable: say so, keep watching
                log.warning("drop folder %s: %s", self.folder, exc)

    def scan(self) -> list[str]:
        """Store every file that is complete; returns their keys."""
        stored, current = [], {}
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            stat = path.stat()
            current[path] = (stat.st_size, stat.st_mtime_ns)
            if self._seen.get(path) != current[path]:
                continue  # new or still growing: look again next time
            key = self.prefix + keys.clean_name(path.name)
            storage.put_bytes(self.bucket, key, path.read_bytes(), "application/octet-stream")
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            del current[path]
            stored.append(key)
        self._seen = current
        return stored
