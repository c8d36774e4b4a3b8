"""``GET /v1/files/...``: the embedded store's presigned URLs, answered like S3's.

On AWS results are presigned S3 URLs; locally the same answers carry URLs of this route,
signed with the data directory's key (``vitrina.store.objects.FileObjects.presign``), so
they open in a browser or curl until they expire, without the API token.
"""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from vitrina import storage
from vitrina.api.workers import pool
from vitrina.errors import Forbidden, NotFound
from vitrina.store.objects import FILES_ROUTE

router = APIRouter(tags=["files"])


@router.get(FILES_ROUTE + "/{bucket}/{key:path}", summary="A stored result by presigned URL",
            description="Only the embedded engine's store answers here; the URLs come from "
            "other answers' `urls` and expire like S3's presigned URLs.",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "the file"}})
async def get_file(request: Request, bucket: str, key: str,
                   expires: int = Query(..., ge=0, le=2**40),
                   signature: str = Query(..., pattern=r"^[0-9a-f]{64}$")) -> Response:
    if not storage.is_local():
        raise NotFound("no file route: results are presigned S3 URLs on this deployment")
    files = storage.local_objects()
    if not files.verify(bucket, key, expires, signature):
        raise Forbidden("this file URL is not valid (expired, or not one this server gave out)")
    data = await pool(request).run(request, files.get, bucket, key)
    kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
    return Response(data, media_type=kind, headers={"Cache-Control": "private, max-age=60"})
