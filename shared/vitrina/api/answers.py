"""What the routes answer, as documented in OpenAPI with an example each.

Documentation only (``responses=``, never ``response_model``): the answers are built by the
products, and these models say which fields a client can rely on. Extra fields are allowed,
so a product may add one without breaking a client; schemathesis checks every real answer
against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

JOB = "20261206T231447-e25b18e50b334dccb732add87b517aea"
RESULT = "b66c37d3f2384908a921cd070712188c"
FILE_URL = "http://127.0.0.1:8000/v1/files/vitrina-output/{key}?expires=1796602486&signature=5c60…"


def _answer(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": [example]})


JobStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "INTERRUPTED"]


class Health(BaseModel):
    model_config = _answer({"status": "ok", "version": "0.1.0"})

    status: Literal["ok"]
    version: str


class ResultAnswer(BaseModel):
    """A matting result: one version's record, with URLs of its files."""

    model_config = _answer({
        "result_id": RESULT, "version": 1, "name": "coffee", "status": "ok", "model": "u2netp",
        "confidence": 0.9203, "bbox": [76, 18, 404, 372], "width": 600, "height": 400,
        "outputs": {"cutout": f"matting/{RESULT}/v1/cutout.png"},
        "urls": {"cutout": FILE_URL.format(key=f"matting/{RESULT}/v1/cutout.png")},
        "versions": [1]})

    result_id: str
    version: int = Field(ge=1)
    confidence: float | None = Field(description="0..1: how far the cutout can be trusted")
    bbox: list[int] | None = Field(description="[x, y, width, height] of what was kept")
    width: int
    height: int
    outputs: dict[str, str] = Field(description="storage keys of the version's files")
    urls: dict[str, str] = Field(description="presigned URLs of the same files")
    versions: list[int] | None = Field(None, description="every version (GET only)")


class JobStarted(BaseModel):
    model_config = _answer({"job_id": JOB, "total": 2,
                            "status_url": f"/v1/matting/jobs/{JOB}"})

    job_id: str
    total: int | None = Field(None, description="items in the job")
    status_url: str


class Counts(BaseModel):
    total: int
    done: int
    succeeded: int
    failed: int


class ItemFailure(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["error"]
    error: dict[str, str] = Field(description="{type, message}: why this item failed")


_JOB = {"job_id": JOB, "status": "SUCCEEDED", "total": 2, "created_at": 1796598887,
        "counts": {"total": 2, "done": 2, "succeeded": 1, "failed": 1}, "next_cursor": None,
        "errors": [{"status": "error", "name": "missing", "error": {
            "type": "NotFound", "message": "vitrina-input/x/missing.png does not exist"}}]}


class JobAnswer(BaseModel):
    job_id: str
    status: JobStatus
    total: int
    counts: Counts
    errors: list[ItemFailure]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class MattingJobAnswer(JobAnswer):
    """A matting job: its items best first, then its errors."""

    model_config = _answer({**_JOB, "kind": "matting", "model": "u2netp", "items": [
        {"status": "ok", "name": "bottle", "result_id": f"{JOB}-00000", "confidence": 0.93}]})

    items: list[dict[str, Any]]


class BannerJobAnswer(JobAnswer):
    """A banner job: each product's summary and report key, then its errors."""

    model_config = _answer({**_JOB, "kind": "banner", "sizes": ["1200x628"], "products": [
        {"status": "ok", "product_id": "00001", "name": "mug", "variants": 6,
         "report": f"banners/{JOB}/00001/report.json"}]})

    products: list[dict[str, Any]]


class BannerAnswer(BaseModel):
    """The ranked variants of each size, with URLs, layout JSON, scores and checks."""

    model_config = _answer({
        "job_id": JOB, "status": "ok", "segment": "default",
        "subject": {"clear": True, "reason": "", "confidence": 0.92, "cached": False},
        "palette": {"dominant": "#aa3313"},
        "sizes": [{"size": "300x250", "variants": [{
            "rank": 1, "template": "clean-white", "image": "banners/…/clean-white.png",
            "layout": "banners/…/clean-white.layout.json", "warnings": [],
            "evaluation": {"passed": True, "score": 1.18}, "urls": {"image": "http://…"},
            "layout_json": {"template": "clean-white", "width": 300, "height": 250}}]}]})

    job_id: str
    status: Literal["ok"]
    sizes: list[dict[str, Any]]


class Template(BaseModel):
    model_config = _answer({"name": "clean-white", "title": "Clean white", "tags": ["minimal"],
                            "description": "The product on white with a soft shadow."})

    name: str
    title: str
    description: str
    tags: list[str]


class Recorded(BaseModel):
    model_config = _answer({"recorded": 3})

    recorded: int


class Arm(BaseModel):
    impressions: int
    rewards: int
    rate: float


class SegmentAnswer(BaseModel):
    model_config = _answer({"segment": "default", "templates": {
        "clean-white": {"impressions": 120, "rewards": 9, "rate": 0.0785}}})

    segment: str
    templates: dict[str, Arm]


class UploadedFile(BaseModel):
    filename: str
    key: str = Field(description="its key in the input bucket, for a later request")
    name: str
    bytes: int


class UploadAnswer(BaseModel):
    model_config = _answer({"upload_id": RESULT, "files": [
        {"filename": "coffee.png", "key": f"uploads/{RESULT}/coffee.png", "name": "coffee.png",
         "bytes": 466706}]})

    upload_id: str
    files: list[UploadedFile]


class VideoAnswer(BaseModel):
    """A video job: RUNNING, then the video's URLs, checks and warnings, or its error."""

    model_config = _answer({"job_id": JOB, "status": "SUCCEEDED", "result": "ok",
                            "outputs": {"video": f"videos/{JOB}/video.mp4"},
                            "urls": {"video": "http://…/video.mp4?expires=…"}})

    job_id: str
    status: JobStatus
    result: Literal["ok", "error"] | None = Field(None, description="absent while RUNNING")
    urls: dict[str, str] | None = None


class PageStarted(JobStarted):
    model_config = _answer({"job_id": JOB, "page_id": "71a51b403294faaed4c7a6c8",
                            "status_url": f"/v1/pages/jobs/{JOB}",
                            "page_url": "/v1/pages/71a51b403294faaed4c7a6c8"})

    page_id: str
    page_url: str


class PageJobAnswer(BaseModel):
    """An analysis: RUNNING, then its summary (version, counts, scores) or its error."""

    model_config = _answer({"job_id": JOB, "page_id": "71a51b403294faaed4c7a6c8",
                            "status": "SUCCEEDED", "result": "ok", "version": 2, "modules": 8,
                            "lines": 25, "record": "pages/71a51b403294faaed4c7a6c8/v2/record.json",
                            "evaluation": {"coverage": 0.774, "ocr_confidence": 0.985}})

    job_id: str
    page_id: str
    status: JobStatus
    result: Literal["ok", "error"] | None = None


class PageAnswer(BaseModel):
    """A page's record: product fields with their sources, modules with their lines."""

    model_config = _answer({
        "page_id": "71a51b403294faaed4c7a6c8", "version": 2, "versions": [1, 2],
        "source": "long-page.png", "language": "zh",
        "title": {"value": "单一产地咖啡", "source": "json-ld:Product.name"},
        "attributes": [{"key": "净含量", "value": "10g×12包", "source": "html:table"}],
        "modules": [{"index": 0, "image": 0, "kind": "banner", "box": [0, 48, 750, 284],
                     "crop": "pages/…/modules/000.png", "why": "3 lines on a coloured band",
                     "lines": [{"text": "单一产地咖啡", "score": 0.99,
                                "box": [232, 80, 518, 140], "on_photo": False}]}],
        "evaluation": {"coverage": 0.774, "ocr_confidence": 0.985}})

    page_id: str
    version: int
    versions: list[int]
    modules: list[dict[str, Any]]


class FoundPage(BaseModel):
    page_id: str
    version: int
    title: str | None
    brand: str | None
    price: float | None


class PageSearch(BaseModel):
    model_config = _answer({"pages": [{"page_id": "71a51b403294faaed4c7a6c8", "version": 2,
                                       "title": "单一产地咖啡", "brand": None, "category": None,
                                       "price": 89.0, "currency": "CNY", "language": "zh",
                                       "source": "long-page.png"}], "next_cursor": None})

    pages: list[FoundPage]
    next_cursor: str | None


class PageStats(BaseModel):
    model_config = _answer({"pages": 120, "versions": 131, "brands": {"Thermos": 12},
                            "categories": {}, "languages": {"zh": 100, "en": 20},
                            "attributes": {"材质": {"不锈钢": 40, "玻璃": 9}}})

    pages: int
    versions: int
    brands: dict[str, int]
    attributes: dict[str, dict[str, int]]
