"""Request bodies read the same way by every product's routes: JSON and multipart uploads."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile

from vitrina.errors import InputError, UploadTooLarge

MAX_UPLOAD = 50 * 1024 * 1024


async def read_upload(upload: UploadFile, label: str) -> bytes:
    """The file's bytes; past ``MAX_UPLOAD`` it is refused without reading the rest."""
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise UploadTooLarge(f"{label} is larger than {MAX_UPLOAD:,} bytes")
    return data


def parse_json(raw: bytes | str, what: str = "the body") -> Any:
    """JSON from a caller: a 400 with a sentence for anything that is not plain JSON, also
    for a document nested deeper than Python's recursion limit."""
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise InputError(f"{what} is nested too deeply to be a request") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = getattr(exc, "msg", None) or "not UTF-8"
        raise InputError(f"{what} is not valid JSON: {message}") from exc
