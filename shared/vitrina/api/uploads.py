"""Multipart uploads, read the same way by every product's routes."""

from __future__ import annotations

from starlette.datastructures import UploadFile

from vitrina.errors import InputError

MAX_UPLOAD = 50 * 1024 * 1024


async def read_upload(upload: UploadFile, label: str) -> bytes:
    """The file's bytes; past ``MAX_UPLOAD`` it is refused without reading the rest."""
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError(f"{label} is larger than {MAX_UPLOAD} bytes")
    return data
