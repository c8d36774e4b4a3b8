"""HTTP routes of the matting product."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError

from vitrina import keys, storage
from vitrina.api.answers import JobStarted, MattingJobAnswer, ResultAnswer
from vitrina.api.pages import Cursor, JobId, PageLimit
from vitrina.api.schemas import BUSY, IMAGE_ERRORS, errors, json_or_multipart, link
from vitrina.api.uploads import parse_json, read_upload
from vitrina.api.workers import pool
from vitrina.config import settings
from vitrina.errors import (
    EmptyInput,
    InvalidEvent,
    ModelUnavailable,
    WrongContentType,
    describe,
)
from vitrina.fetch import fetch
from vitrina.imaging import decode_image
from vitrina.inference import model_path
from vitrina.matting import edits, jobs, results
from vitrina.matting.models import (
    JobRequest,
    ModelName,
    RefineRequest,
    UrlRequest,
    offered_models,
)
from vitrina.matting.pipeline import cut_out

router = APIRouter(prefix="/v1/matting", tags=["matting"])
ResponseKind = Literal["png", "json"]
# A new id's hex digits, or a batch item's job id (a timestamp) and item: never "jobs".
ResultId = Annotated[str, Path(pattern=r"^[0-9a-f][A-Za-z0-9_.-]{0,159}$",
                               description="`result_id` of a cutout")]


class CutoutForm(BaseModel):
    """``POST /v1/matting`` as a multipart upload."""

    file: bytes = Field(description="the product photo (JPEG, PNG, WebP, TIFF...)")
    model: ModelName = "u2netp"


# What a new result's id leads to (it comes as a header with the PNG, and in the JSON).
_RESULT_LINKS = {name: {"operationId": op, "parameters": {
    "result_id": "$response.header.X-Vitrina-Result-Id"}}
    for name, op in (("GetResult", "get_result"), ("GetCutout", "get_cutout_png"),
                     ("GetMask", "get_mask_png"), ("Refine", "refine"))}


def _urls(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "urls": storage.output_urls(record.get("outputs", {}))}


def _respond(record: dict[str, Any], rgba_png: bytes, kind: ResponseKind) -> Response:
    headers = {
        "X-Vitrina-Result-Id": record["result_id"],
        "X-Vitrina-Version": str(record["version"]),
    }
    if record.get("confidence") is not None:
        headers["X-Vitrina-Confidence"] = f"{record['confidence']:.4f}"
    if kind == "json":
        return JSONResponse(_urls(record), headers=headers)
    return Response(rgba_png, media_type="image/png", headers=headers)


async def _read_input(request: Request) -> tuple[bytes | str, str, str]:
    """(image bytes or the URL to fetch, name, model) from a multipart upload or a JSON
    ``{"url": ...}`` body. The URL is fetched later, in a worker, never on the event loop."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        upload, model = form.get("file"), form.get("model", "u2netp")
        if upload is None or isinstance(upload, str):
            raise InvalidEvent("multipart body needs a file field named 'file'")
        if not isinstance(model, str):
            raise InvalidEvent("the model field is text: u2netp or u2net")
        data = await read_upload(upload, "upload")
        return data, keys.stem(upload.filename or "upload"), model
    if ctype.startswith("application/json"):
        try:
            body = UrlRequest.model_validate(parse_json(await request.body()))
        except ValidationError as exc:
            raise InvalidEvent(f"JSON body must be {{\"url\": ...}}: {describe(exc)}") from exc
        return body.url, keys.stem(body.url), body.model
    if not ctype:
        raise EmptyInput("send a multipart image (field 'file') or JSON {\"url\": ...}")
    raise WrongContentType(f"unsupported content type {ctype!r}: use multipart/form-data or JSON")


def _offered(model: str) -> None:
    """A model the caller may ask for (the larger u2net is an option an operator may not
    have installed, which the caller can fix by choosing u2netp)."""
    if model not in offered_models():
        try:
            model_path(model)
            reason = "it is not one of this server's models"
        except ModelUnavailable as exc:
            reason = exc.message
        raise InvalidEvent(f"this server does not offer {model}: use u2netp ({reason})")


def _cut_out_and_store(data: bytes | str, name: str, model: str) -> tuple[dict[str, Any], bytes]:
    """Check the model, fetch (for a URL), decode, cut out and store version 1 of a new
    result: all of it blocking work, run in a worker."""
    _offered(model)
    image = decode_image(fetch(data).content if isinstance(data, str) else data)
    cutout = cut_out(image, model)
    result_id = keys.new_id()
    storage.put_array(results.source_key(result_id), image.rgb)
    results.put_prob(result_id, cutout.prob)
    h, w = image.rgb.shape[:2]
    return results.write_version(
        result_id,
        1,
        cutout.rgba,
        {
            "name": name,
            "status": "ok",
            "model": model,
            "confidence": round(cutout.confidence, 4),
            "cues": cutout.score.cues(),
            "bbox": cutout.bbox,
            "width": w,
            "height": h,
            "timings": cutout.timings,
        },
    )


@router.post(
    "",
    summary="Cut out one product photo",
    description="Multipart image (field `file`) or JSON `{\"url\": ...}`. Returns the RGBA "
    "PNG with `X-Vitrina-Confidence`, or JSON with result URLs when `response=json`.",
    responses={200: {"content": {"image/png": {}, "application/json": {
        "schema": {"$ref": "#/components/schemas/ResultAnswer"}}},
        "links": _RESULT_LINKS}, **errors(*IMAGE_ERRORS, BUSY)},
    openapi_extra=json_or_multipart(UrlRequest, CutoutForm),
)
async def create_cutout(
    request: Request, response: Annotated[ResponseKind, Query()] = "png"
) -> Response:
    data, name, model = await _read_input(request)
    record, png = await pool(request).run(request, _cut_out_and_store, data, name, model)
    return _respond(record, png, response)


@router.get("/{result_id}", summary="A result's latest record and its versions",
            operation_id="get_result",
            responses={200: {"model": ResultAnswer}, **errors(400, 404)})
def get_result(result_id: ResultId) -> dict[str, Any]:
    versions, latest = results.existing_versions(result_id)
    return {**_urls(results.record(result_id, latest)), "versions": versions}


def _stored_png(result_id: str, version: int | None, kind: Literal["cutout", "mask"]) -> Response:
    _, chosen = results.existing_versions(result_id, version)
    key = results.version_keys(result_id, chosen)[kind]
    # A numbered version never changes; "latest" does, so it must be revalidated.
    cache = "private, max-age=86400, immutable" if version is not None else "no-cache"
    return Response(
        storage.get_bytes(settings().output_bucket, key),
        media_type="image/png",
        headers={"X-Vitrina-Version": str(chosen), "Cache-Control": cache},
    )


VersionQuery = Annotated[
    int | None, Query(ge=1, description="version to return; latest if absent")
]


@router.get(
    "/{result_id}/cutout.png",
    summary="A result's RGBA cutout PNG, streamed from storage",
    response_class=Response, operation_id="get_cutout_png",
    responses={200: {"content": {"image/png": {}}}, **errors(400, 404)},
)
def get_cutout_png(result_id: ResultId, version: VersionQuery = None) -> Response:
    return _stored_png(result_id, version, "cutout")


@router.get(
    "/{result_id}/mask.png",
    summary="A result's 8-bit alpha mask PNG, streamed from storage",
    response_class=Response, operation_id="get_mask_png",
    responses={200: {"content": {"image/png": {}}}, **errors(400, 404)},
)
def get_mask_png(result_id: ResultId, version: VersionQuery = None) -> Response:
    return _stored_png(result_id, version, "mask")


@router.post(
    "/{result_id}/refine",
    summary="Refine a result with brush strokes",
    description="`foreground`/`background` brushes move the boundary around them; `pen` and "
    "`eraser` set alpha directly. Creates a new version; earlier versions stay.",
    operation_id="refine",
    responses={200: {"content": {"image/png": {}, "application/json": {
        "schema": {"$ref": "#/components/schemas/ResultAnswer"}}}}, **errors(400, 404, 413, BUSY)},
)
async def refine(
    request: Request, result_id: ResultId, body: RefineRequest,
    response: Annotated[ResponseKind, Query()] = "json",
) -> Response:
    record, png = await pool(request).run(request, edits.refine_result, result_id,
                                          body.strokes, body.base_version)
    return _respond(record, png, response)


@router.post("/jobs", status_code=202, summary="Start a batch of cutouts",
             responses={202: {"model": JobStarted, "links": {"GetJob": link(
                 "get_matting_job", "job_id", "$response.body#/job_id")}}, **errors(400)})
def create_job(body: JobRequest) -> JSONResponse:
    _offered(body.model)
    sources = [
        (
            keys.clean_name(item.name, keys.MAX_STEM) if item.name
            else keys.stem(item.url or item.s3_key or f"item{i}"),
            item.to_source(),
        )
        for i, item in enumerate(body.items)
    ]
    meta = jobs.create_job(sources, body.model)
    return JSONResponse(
        {"job_id": meta["job_id"], "total": meta["total"],
         "status_url": f"/v1/matting/jobs/{meta['job_id']}"},
        status_code=202,
    )


@router.get("/jobs/{job_id}", summary="Job status, counts, items by descending confidence",
            description="Items come a page at a time, best first then the errors: pass the "
            "answer's `next_cursor` as `cursor` for the next page (null: no more).",
            operation_id="get_matting_job",
            responses={200: {"model": MattingJobAnswer}, **errors(400, 404)})
def get_job(job_id: JobId, limit: PageLimit = 100, cursor: Cursor = None) -> dict[str, Any]:
    return jobs.get_job(job_id, limit, cursor)
