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


# Not in the OpenAPI schema: like an S3 presigned URL, it is an opaque address another
# answer gives out, not an operation a client composes (every other signature is a 403).
@router.get(FILES_ROUTE + "/{bucket}/{key:path}", include_in_schema=False,
            response_class=Response)
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
