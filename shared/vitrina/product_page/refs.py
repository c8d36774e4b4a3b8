"""References to images, videos and files: resolved against the page, kept on the right side
of the web/local line (a web page never names the server's own disk)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from vitrina import keys
from vitrina.errors import UnsafeName

Resolve = Callable[[str], str | None]

VIDEO_FILE = re.compile(r"\.(?:mp4|m4v|mov|webm|ogv|mkv|m3u8)$", re.I)


def base_url(base: str) -> str:
    """A URL to resolve against: http(s) and file URLs as given, local paths as file URLs
    (a directory with a trailing slash, so that its files resolve inside it)."""
    if "://" in base:
        return base
    path = Path(base).resolve()
    return path.as_uri() + "/" if base.endswith("/") or path.is_dir() else path.as_uri()


def resolver(base: str) -> Resolve:
    """Absolute refs: web URLs for a web page (a local path there would read the server's
    own disk), web URLs or absolute paths for a local page; None for data:, blob:, ..."""
    local = urlsplit(base).scheme == "file"

    def resolve(ref: str) -> str | None:
        ref = ref.strip()
        if ref.startswith("//") and local:
            ref = "https:" + ref
        parts = urlsplit(urljoin(base, ref))
        if parts.scheme in ("http", "https") and parts.netloc:
            return parts._replace(fragment="").geturl()
        if parts.scheme == "file" and local and parts.path:
            return unquote(parts.path)
        return None

    return resolve


def is_svg(ref: str) -> bool:
    """Vector files are logos and icons on shop pages, and no image stage reads them."""
    return urlsplit(ref).path.lower().endswith((".svg", ".svgz"))


def local_ref(ref: str, root: Path | None) -> str | None:
    """A media ref as the stages read it: URLs as they are; a local file as an absolute path
    (CLI), or relative to ``root`` when it lies inside it; None for a missing or outside file."""
    if "://" in ref:
        return ref
    try:
        if root is None:
            return str(Path(ref).resolve()) if Path(ref).is_file() else None
        target = keys.local_path(root, ref)
        return target.relative_to(Path(root).resolve()).as_posix() if target.is_file() else None
    except (UnsafeName, ValueError, OSError):
        return None
