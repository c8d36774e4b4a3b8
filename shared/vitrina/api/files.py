"""``POST /v1/uploads``: files for a later request (a video manifest and its pictures...).

Each call makes a new upload with an id nobody can guess; its files are stored under
``uploads/<id>/`` by cleaned names, and a manifest in it can name only files of its own upload.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from vitrina import keys, storage
from vitrina.api.answers import UploadAnswer
from vitrina.api.schemas import BUSY, errors, multipart
from vitrina.api.uploads import read_upload
from vitrina.api.workers import pool
from vitrina.config import settings
from vitrina.errors import InvalidEvent, WrongContentType

router = APIRouter(tags=["uploads"])
MAX_FILES = 50


class UploadForm(BaseModel):
    files: list[bytes] = Field(min_length=1, max_length=MAX_FILES,
                               description="the files; a manifest names the others by name")


def _store(files: dict[str, bytes]) -> None:
    for key, data in files.items():
        storage.put_bytes(settings().input_bucket, key, data, "application/octet-stream")


@router.post("/v1/uploads", status_code=201, summary="Upload files for a later request",
             description="Multipart, one or more `files` fields (up to 50). Returns the "
             "upload's id and each file's key, e.g. for `POST /v1/videos` with "
             "`manifest_key`: a manifest names the other files of its upload by name.",
             responses={201: {"model": UploadAnswer}, **errors(400, 413, 415, BUSY)},
             openapi_extra=multipart(UploadForm))
async def create_upload(request: Request) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise WrongContentType("send multipart/form-data with one or more 'files' fields")
    form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES)
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not uploads:
        raise InvalidEvent("multipart body needs at least one file field named 'files'")
    upload_id = keys.new_id()
    stored: dict[str, bytes] = {}
    names: list[dict[str, Any]] = []
    for upload in uploads:
        key = keys.upload_key(upload_id, keys.clean_name(upload.filename or "upload"))
        base, dot, suffix = key.rpartition(".")
        n = 1
        while key in stored:
            n += 1
            key = f"{base}-{n}.{suffix}" if dot else f"{suffix}-{n}"
        stored[key] = await read_upload(upload, upload.filename or "a file")
        names.append({"filename": (upload.filename or "")[:200], "key": key,
                      "name": key.removeprefix(keys.upload_prefix(upload_id)),
                      "bytes": len(stored[key])})
    await pool(request).run(request, _store, stored)
    return JSONResponse({"upload_id": upload_id, "files": names}, 201)
