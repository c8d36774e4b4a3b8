"""Storage keys and local paths built from user-given names, safely.

A name a user gives (an upload's file name, a manifest's reference, an S3 key in a request)
never becomes a key or a path as it is: :func:`stem` and :func:`clean_name` reduce it to a
plain, length-limited name, :func:`upload_key` builds every upload key from an id the project
made, and :func:`local_path` is the one way a key becomes a file, refusing anything that
would leave its folder.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path, PurePosixPath

from vitrina.errors import UnsafeName

UPLOADS = "uploads/"
MAX_NAME = 100  # characters of one cleaned name (stem and extension)
MAX_STEM = 60
MAX_KEY = 1024  # S3's own limit, in UTF-8 bytes
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
# Letters and digits of any script, and a few harmless marks; everything else becomes "_".
_UNSAFE = re.compile(r"[^\w .,()+=@~-]")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")
# A key named in a request, as one regular expression, so that the OpenAPI schema states the
# very rule the server applies: not absolute, no empty, "." or ".." part, no backslash, no
# control or invisible formatting character (bidi overrides, zero-width spaces, BOM). Checked
# beside it: S3's limit of 1,024 UTF-8 bytes, and no lone surrogate (a JSON "\ud800" is not
# text; schema regex engines cannot name surrogates).
_HIDDEN = r"\\\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
_PARTS = r"(?!/)(?!.*//)(?!(?:.*/)?\.\.?(?:/|$))"  # looked at once, from where it stands
KEY_PATTERN = rf"^{_PARTS}[^{_HIDDEN}]+$"
UPLOAD_FILE_PATTERN = rf"^{UPLOADS}[0-9a-f]{{32}}/{_PARTS}[^{_HIDDEN}]*$"  # uploads/<id>/<name>
_KEY, _UPLOAD_FILE = re.compile(KEY_PATTERN), re.compile(UPLOAD_FILE_PATTERN)


def new_id() -> str:
    """128 random bits as 32 hex digits: result, upload and job ids nobody can guess."""
    return uuid.uuid4().hex


def clean_name(name: str, max_len: int = MAX_NAME, fallback: str = "upload") -> str:
    """One path component a user gave, as a plain name: no folders, no control or shell
    characters, no leading dots (``..``, hidden files), at most ``max_len`` characters with
    the extension kept; ``fallback`` when nothing is left."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    suffix = PurePosixPath(name).suffix if _SUFFIX.match(PurePosixPath(name).suffix) else ""
    base = name[: len(name) - len(suffix)] if suffix else name
    base = base[: max(1, max_len - len(suffix))].rstrip(" .") or fallback
    return base + suffix


def stem(name: str, max_len: int = MAX_STEM) -> str:
    """A display and output name from a file name, URL or key: its last part without the
    extension, cleaned and at most ``max_len`` characters (``image`` when nothing is left)."""
    last = name.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return clean_name(PurePosixPath(last).stem if "." in last else last, max_len, "image")


def check_key(key: str) -> str:
    """A storage key named in a request: :data:`KEY_PATTERN`, within S3's length. Returned
    unchanged when it is fine."""
    try:
        size = len(key.encode())
    except UnicodeEncodeError:
        size = MAX_KEY + 1
    if not _KEY.fullmatch(key) or size > MAX_KEY:
        raise UnsafeName(f"{key[:80]!r} is not a usable storage key")
    return key


def upload_prefix(upload_id: str) -> str:
    if not _UPLOAD_ID.match(upload_id):
        raise UnsafeName(f"{upload_id[:40]!r} is not an upload id")
    return f"{UPLOADS}{upload_id}/"


def upload_key(upload_id: str, name: str) -> str:
    """The key of one uploaded file: ``uploads/<id>/<path>``, each part of ``name`` (a file
    name, or a relative path that keeps a page's layout) cleaned; ``..`` parts are refused."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise UnsafeName(f"{name[:80]!r} is not a usable file name")
    return upload_prefix(upload_id) + "/".join(clean_name(p) for p in parts)


def upload_of(key: str) -> str:
    """The upload prefix (``uploads/<id>/``) that ``key`` lies in; UnsafeName otherwise."""
    check_key(key)
    if not _UPLOAD_FILE.fullmatch(key):
        raise UnsafeName(f"{key[:80]!r} is not a file of an upload (uploads/<id>/<name>)")
    return upload_prefix(key.split("/")[1])


def local_path(root: Path, relative: str) -> Path:
    """``root / relative``, refusing a result outside ``root`` (``..``, absolute paths,
    symlinks that point out): the one way a key or a reference becomes a local file."""
    base = Path(root).resolve()
    if "\x00" in relative:
        raise UnsafeName("a path holds a NUL character")
    target = (base / relative).resolve()  # an absolute ``relative`` replaces ``base``
    if target != base and not target.is_relative_to(base):
        raise UnsafeName(f"{relative[:80]!r} points outside its folder")
    return target
