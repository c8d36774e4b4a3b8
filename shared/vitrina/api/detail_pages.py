"""HTTP routes of the detail_page product: analyse a page into the database; read and search
the database."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from vitrina import jobs, storage
from vitrina.api.answers import PageAnswer, PageJobAnswer, PageSearch, PageStarted, PageStats
from vitrina.api.pages import JobId
from vitrina.api.schemas import errors, link
from vitrina.config import settings
from vitrina.detail_page.database import PageQuery, database
from vitrina.detail_page.models import PAGE_ID, PageTask
from vitrina.detail_page.stages import page_id_for, report_key
from vitrina.errors import NotFound
from vitrina.sources import NonEmpty, Source, StorageKey

router = APIRouter(prefix="/v1/pages", tags=["detail_page"])
KIND = "detail_page"
PageId = Annotated[str, Path(pattern=PAGE_ID, description="`page_id` of a page")]
Attr = Annotated[str, StringConstraints(pattern=r"^[^:]+:", max_length=400)]


class PageRequest(BaseModel):
    """A page to analyse: its URL or its HTML's key (an upload), and/or its long images'
    keys in page order. The same URL or keys give the same page id, so analysing it again
    makes a new version; ``page_id`` names the page to re-analyse from other inputs."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "anyOf": [{"required": ["url"], "properties": {"url": {"type": "string"}}},
                  {"required": ["html_key"], "properties": {"html_key": {"type": "string"}}},
                  {"required": ["image_keys"],
                   "properties": {"image_keys": {"type": "array", "minItems": 1}}}],
        "not": {"required": ["url", "html_key"], "properties": {
            "url": {"type": "string"}, "html_key": {"type": "string"}}}})

    url: NonEmpty | None = Field(None, description="the product page, fetched safely")
    html_key: StorageKey | None = Field(None, description="a saved page in the input bucket")
    image_keys: list[StorageKey] = Field(default_factory=list, max_length=50,
                                         description="long detail images, in page order")
    page_id: str | None = Field(None, pattern=PAGE_ID)
    name: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _something_to_read(self) -> PageRequest:
        if not (self.url or self.html_key or self.image_keys):
            raise ValueError("give url, html_key or image_keys")
        if self.url and self.html_key:
            raise ValueError("give url or html_key, not both")
        return self


@router.post("", status_code=202, summary="Analyse a detail page into the database",
             description="The page is cut into modules, read (OCR at full resolution) and "
             "stored as its next version. Poll `status_url`; the record is at `page_url`.",
             responses={202: {"model": PageStarted, "links": {
                 "GetJob": link("get_page_job", "job_id", "$response.body#/job_id"),
                 "GetPage": link("get_page", "page_id", "$response.body#/page_id")}},
                 **errors(400)})
def analyse_page(body: PageRequest) -> JSONResponse:
    bucket = settings().input_bucket
    job_id = jobs.new_job_id()
    page_id = body.page_id or page_id_for(*([body.url] if body.url else []),
                                          *([f"s3:{body.html_key}"] if body.html_key else []),
                                          *(f"s3:{key}" for key in body.image_keys))
    task = PageTask(job_id=job_id, page_id=page_id, name=body.name or "",
                    html=Source(url=body.url) if body.url else
                    Source(bucket=bucket, key=body.html_key) if body.html_key else None,
                    images=[Source(bucket=bucket, key=key) for key in body.image_keys])
    jobs.launch(job_id, KIND, settings().detail_page_state_machine_arn,
                {"task": task.model_dump(mode="json", exclude_none=True)}, total=1,
                page_id=page_id)
    return JSONResponse({"job_id": job_id, "page_id": page_id,
                         "status_url": f"/v1/pages/jobs/{job_id}",
                         "page_url": f"/v1/pages/{page_id}"}, 202)


@router.get("/jobs/{job_id}", summary="An analysis: its status, then its summary or error",
            operation_id="get_page_job",
            responses={200: {"model": PageJobAnswer}, **errors(400, 404)})
def get_page_job(job_id: JobId) -> dict[str, Any]:
    meta, status = jobs.meta(job_id, KIND)
    if status == "RUNNING":
        return {"job_id": job_id, "page_id": meta["page_id"], "status": status}
    try:
        report = storage.get_json(settings().output_bucket, report_key(job_id, meta["page_id"]))
    except NotFound:
        report = {"status": "error", "error": {"type": "Failed", "message": status}}
    return {**report, "job_id": job_id, "page_id": meta["page_id"], "status": status,
            "result": report.get("status")}


@router.get("/stats", summary="Counts: pages, brands, categories, attribute values",
            responses={200: {"model": PageStats}})
def page_stats() -> dict[str, Any]:
    return database().stats()


@router.get("/{page_id}", summary="A page's record (the latest version, or `version`)",
            operation_id="get_page", responses={200: {"model": PageAnswer}, **errors(400, 404)})
def get_page(page_id: PageId,
             version: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    db = database()
    record = db.get(page_id, version)
    return {**record.model_dump(mode="json"), "versions": db.versions(page_id)}


@router.get("", summary="Search the pages (their latest versions)",
            description="Words in any script (`q`: all must occur; Chinese is matched as "
            "written), brand, category, price range, attribute values (`attr=key:value`, "
            "repeatable). A page of results; pass `next_cursor` back as `cursor`.",
            responses={200: {"model": PageSearch}, **errors(400)})
def search_pages(
    q: Annotated[str | None, Query(max_length=200)] = None,
    brand: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    attr: Annotated[list[Attr], Query(max_length=20, description="key:value")] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,9}$")] = None,
) -> dict[str, Any]:
    pairs = [a.partition(":") for a in attr]
    found, next_cursor = database().search(PageQuery(
        q=q or None, brand=brand, category=category, min_price=min_price, max_price=max_price,
        attributes={k: v for k, _, v in pairs}, limit=limit, cursor=cursor))
    return {"pages": [vars(page) for page in found], "next_cursor": next_cursor}
