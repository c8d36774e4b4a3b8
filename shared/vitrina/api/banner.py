"""HTTP routes of the banner product and the audience feedback that personalises it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from vitrina import keys, storage
from vitrina.api.answers import (
    BannerAnswer,
    BannerJobAnswer,
    JobStarted,
    Recorded,
    SegmentAnswer,
    Template,
)
from vitrina.api.pages import Cursor, JobId, PageLimit
from vitrina.api.schemas import BUSY, IMAGE_ERRORS, errors, json_or_multipart, link
from vitrina.api.uploads import parse_json, read_upload
from vitrina.api.workers import pool
from vitrina.banner import bandit, inline
from vitrina.banner import jobs as banner_jobs
from vitrina.banner.models import (
    SEGMENT_PATTERN,
    BannerJobRequest,
    BannerRequest,
    BannerSpec,
    BannerTask,
    FeedbackBatch,
    FeedbackEvent,
)
from vitrina.banner.templates import load_templates
from vitrina.config import settings
from vitrina.errors import EmptyInput, InvalidEvent, WrongContentType, describe
from vitrina.jobs import new_job_id
from vitrina.sources import Source

router = APIRouter(tags=["banner"])
UPLOAD_FIELDS = ("image", "scene", "logo")


class BannerForm(BaseModel):
    """``POST /v1/banners`` as a multipart upload."""

    image: bytes = Field(description="the product photo")
    scene: bytes | None = Field(None, description="a scene photo for the full-frame style")
    logo: bytes | None = Field(None, description="a logo (PNG with alpha works best)")
    spec: BannerSpec = Field(description="copy and options, as a JSON part")


async def _read_request(request: Request, job_id: str
                        ) -> tuple[BannerTask, dict[str, tuple[str, bytes]]]:
    """A multipart upload (``image`` [+ ``scene``, ``logo``] files and a ``spec`` JSON field)
    or a JSON body with image references, as one state-machine task, and the uploaded files
    still to store (key -> bytes): nothing is stored before the request is known to be good."""
    ctype = request.headers.get("content-type", "")
    bucket = settings().input_bucket
    try:
        if ctype.startswith("multipart/form-data"):
            form = await request.form()
            raw = form.get("spec")
            if not isinstance(raw, str):
                raise InvalidEvent("multipart body needs a 'spec' field: the copy and options "
                                   "as JSON, e.g. {\"copy\": {\"title\": \"Mug\"}}")
            spec = BannerSpec.model_validate(parse_json(raw, "the spec field"))
            upload_id = keys.new_id()
            sources: dict[str, Source] = {}
            files: dict[str, tuple[str, bytes]] = {}
            for field in UPLOAD_FIELDS:
                upload = form.get(field)
                if upload is None or isinstance(upload, str):
                    continue
                name = keys.clean_name(upload.filename or "upload")
                key = keys.upload_key(upload_id, f"{field}-{name}")
                files[field] = (key, await read_upload(upload, field))
                sources[field] = Source(bucket=bucket, key=key)
            if "image" not in sources:
                raise InvalidEvent("multipart body needs a file field named 'image'")
            task = BannerTask(job_id=job_id, product_id="0", name="upload",
                              product=sources["image"], scene=sources.get("scene"),
                              logo=sources.get("logo"),
                              **spec.model_dump(by_alias=True, exclude_none=True))
            return task, files
        if ctype.startswith("application/json"):
            body = BannerRequest.model_validate(parse_json(await request.body()))
            return BannerTask(
                job_id=job_id, product_id="0", name="request",
                product=body.product.to_source(),
                scene=body.scene.to_source() if body.scene else None,
                logo=body.logo.to_source() if body.logo else None,
                **body.model_dump(by_alias=True, exclude={"product", "scene", "logo"},
                                  exclude_none=True)), {}
    except ValidationError as exc:
        raise InvalidEvent(f"invalid request: {describe(exc)}") from exc
    if not ctype:
        raise EmptyInput("send JSON with a product image reference, or a multipart upload")
    raise WrongContentType(f"unsupported content type {ctype!r}: use multipart/form-data or JSON")


def _design(task: BannerTask, files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
    """Store the uploads and design the banners; the uploads go again on failure."""
    bucket = settings().input_bucket
    try:
        for key, data in files.values():
            storage.put_bytes(bucket, key, data, "application/octet-stream")
        return _with_urls(inline.run(task))
    except Exception:
        for key, _ in files.values():
            storage.delete(bucket, key)
        raise


def _with_urls(report: dict[str, Any]) -> dict[str, Any]:
    bucket = settings().output_bucket
    for size in report.get("sizes", []):
        for variant in size["variants"]:
            variant["urls"] = storage.output_urls({name: variant[name]
                                                   for name in ("image", "layout")})
            variant["layout_json"] = storage.get_json(bucket, variant["layout"])
    return report


@router.post(
    "/v1/banners",
    summary="Design banners for one product, now",
    description="JSON `{\"product\": {\"url\"|\"s3_key\"}, \"copy\": {\"title\": ...}, "
    "\"sizes\": [\"1200x628\"], \"variants\": 6, ...}` or multipart with an `image` file "
    "(optional `scene`, `logo`) and a `spec` field holding the same JSON without the images. "
    "Returns the ranked variants per size with URLs, layout JSON, scores and checks.",
    responses={200: {"model": BannerAnswer}, **errors(*IMAGE_ERRORS, 404, BUSY)},
    openapi_extra=json_or_multipart(BannerRequest, BannerForm, json_fields=("spec",)),
)
async def create_banners(request: Request) -> dict[str, Any]:
    task, files = await _read_request(request, new_job_id())
    task.parsed_sizes()
    return await pool(request).run(request, _design, task, files)


@router.get("/v1/banners/templates", summary="The designer templates available",
            responses={200: {"model": list[Template]}})
def list_templates() -> list[dict[str, Any]]:
    return [{"name": t.name, "title": t.title, "description": t.description,
             "tags": list(t.tags)} for t in load_templates().values()]


@router.post("/v1/banners/jobs", status_code=202,
             summary="Design banners for a manifest of products (sizes x variants each)",
             responses={202: {"model": JobStarted, "links": {"GetJob": link(
                 "get_banner_job", "job_id", "$response.body#/job_id")}}, **errors(400, 422)})
def create_banner_job(body: BannerJobRequest) -> JSONResponse:
    body.parsed_sizes()
    meta = banner_jobs.create_job(body)
    return JSONResponse({"job_id": meta["job_id"], "total": meta["total"],
                         "status_url": f"/v1/banners/jobs/{meta['job_id']}"}, 202)


@router.get("/v1/banners/jobs/{job_id}", summary="A banner job's status, products and errors",
            operation_id="get_banner_job",
            responses={200: {"model": BannerJobAnswer}, **errors(400, 404)})
def get_banner_job(job_id: JobId, limit: PageLimit = 100, cursor: Cursor = None
                   ) -> dict[str, Any]:
    return banner_jobs.get_job(job_id, limit, cursor)


@router.post("/v1/feedback", summary="Record impressions, clicks and downloads of variants",
             description="One event or `{\"events\": [...]}`. Each segment's bandit learns "
                         "which templates its shoppers respond to.",
             responses={200: {"model": Recorded}, **errors(400)})
def record_feedback(body: FeedbackEvent | FeedbackBatch) -> dict[str, Any]:
    events = body.events if isinstance(body, FeedbackBatch) else [body]
    bandit.record_batch(bandit.TableStore(),
                        [(e.segment, e.template, e.event, e.count) for e in events])
    return {"recorded": len(events)}


@router.get("/v1/feedback/{segment}", summary="What a segment's bandit has learned",
            responses={200: {"model": SegmentAnswer}, **errors(400)})
def get_segment(segment: Annotated[str, Path(pattern=SEGMENT_PATTERN)]) -> dict[str, Any]:
    arms = bandit.TableStore().arms(segment)
    return {"segment": segment, "templates": {
        name: {"impressions": arm.impressions, "rewards": arm.rewards,
               "rate": round(arm.rate(), 4)}
        for name, arm in sorted(arms.items())}}
