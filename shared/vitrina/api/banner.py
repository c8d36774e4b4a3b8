"""HTTP routes of the banner product and the audience feedback that personalises it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from vitrina import keys, storage
from vitrina.api.pages import Cursor, PageLimit
from vitrina.api.schemas import json_or_multipart
from vitrina.api.uploads import parse_json, read_upload
from vitrina.api.workers import pool
from vitrina.banner import bandit, inline
from vitrina.banner import jobs as banner_jobs
from vitrina.banner.models import (
    BannerJobRequest,
    BannerRequest,
    BannerSpec,
    BannerTask,
    FeedbackBatch,
    FeedbackEvent,
)
from vitrina.banner.templates import load_templates
from vitrina.config import settings
from vitrina.errors import EmptyInput, InputError, describe
from vitrina.jobs import new_job_id
from vitrina.sources import Source

router = APIRouter(tags=["banner"])
UPLOAD_FIELDS = ("image", "scene", "logo")


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
            spec = BannerSpec.model_validate(parse_json(str(form.get("spec") or "{}"),
                                                        "the spec field"))
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
                raise InputError("multipart body needs a file field named 'image'")
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
        raise InputError(f"invalid request: {describe(exc)}") from exc
    if not ctype:
        raise EmptyInput("send JSON with a product image reference, or a multipart upload")
    raise InputError(f"unsupported content type {ctype!r}: use multipart/form-data or JSON")


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
    openapi_extra=json_or_multipart(
        BannerRequest, {"image": "the product photo", "scene": "optional scene photo",
                        "logo": "optional logo"},
        {"spec": {"type": "string", "description": "BannerSpec as JSON: copy and options"}},
        required=("image",)),
)
async def create_banners(request: Request) -> dict[str, Any]:
    task, files = await _read_request(request, new_job_id())
    return await pool(request).run(request, _design, task, files)


@router.get("/v1/banners/templates", summary="The designer templates available")
def list_templates() -> list[dict[str, Any]]:
    return [{"name": t.name, "title": t.title, "description": t.description,
             "tags": list(t.tags)} for t in load_templates().values()]


@router.post("/v1/banners/jobs", status_code=202,
             summary="Design banners for a manifest of products (sizes x variants each)")
def create_banner_job(body: BannerJobRequest) -> JSONResponse:
    meta = banner_jobs.create_job(body)
    return JSONResponse({"job_id": meta["job_id"], "total": meta["total"],
                         "status_url": f"/v1/banners/jobs/{meta['job_id']}"}, 202)


@router.get("/v1/banners/jobs/{job_id}", summary="A banner job's status, products and errors")
def get_banner_job(job_id: str, limit: PageLimit = 100, cursor: Cursor = None
                   ) -> dict[str, Any]:
    return banner_jobs.get_job(job_id, limit, cursor)


@router.post("/v1/feedback", summary="Record impressions, clicks and downloads of variants",
             description="One event or `{\"events\": [...]}`. Each segment's bandit learns "
                         "which templates its shoppers respond to.")
def record_feedback(body: FeedbackEvent | FeedbackBatch) -> dict[str, Any]:
    events = body.events if isinstance(body, FeedbackBatch) else [body]
    known = load_templates()
    unknown = sorted({e.template for e in events if e.template not in known})
    if unknown:
        raise InputError(f"unknown templates: {', '.join(unknown)}")
    bandit.record_batch(bandit.TableStore(),
                        [(e.segment, e.template, e.event, e.count) for e in events])
    return {"recorded": len(events)}


@router.get("/v1/feedback/{segment}", summary="What a segment's bandit has learned")
def get_segment(segment: str) -> dict[str, Any]:
    arms = bandit.TableStore().arms(segment)
    return {"segment": segment, "templates": {
        name: {"impressions": arm.impressions, "rewards": arm.rewards,
               "rate": round(arm.rate(), 4)}
        for name, arm in sorted(arms.items())}}
