"""What the sub-commands share: input expansion, log routing and the exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def route_logs(verbose: bool) -> None:
    """Stages' and libraries' logs go to VITRINA_HOME/logs/vitrina.log; with --verbose they
    appear on stderr too. The terminal otherwise shows progress and results only."""
    import logging
    import os

    from vitrina import storage

    path = storage.home() / "logs" / "vitrina.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [logging.FileHandler(path, encoding="utf-8")]
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    else:
        os.environ.setdefault("VITRINA_LOG_FILE", str(path))
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray off AWS
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_product(name: str, start: Callable[[], dict[str, Any]]) -> dict[str, Any] | int:
    """The product's report, or the exit code after a one-line reason on stderr: 2 for a
    request that cannot be valid, 1 for one that failed while running."""
    from pydantic import ValidationError

    from vitrina.errors import VitrinaError, describe

    try:
        report = start()
    except ValidationError as exc:
        print(f"vitrina {name}: {describe(exc)}", file=sys.stderr)
        return 2
    except VitrinaError as exc:
        print(f"vitrina {name}: {exc.message}", file=sys.stderr)
        return 2
    if report.get("status") != "ok":
        error = report.get("error", {})
        print(f"vitrina {name}: failed: {error.get('type')}: {error.get('message')}",
              file=sys.stderr)
        return 1
    return report


def expand_inputs(raw: list[str], skipped: list[str] | None = None) -> list[str]:
    """Folders become their image files (the others are added to ``skipped``); URLs and
    files (even missing ones, which end as error records) pass through."""
    found: list[str] = []
    for item in raw:
        path = Path(item)
        if "://" not in item and path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix.lower() in IMAGE_SUFFIXES:
                    found.append(str(child))
                elif skipped is not None and child.is_file():
                    skipped.append(str(child))
        else:
            found.append(item)
    return found
