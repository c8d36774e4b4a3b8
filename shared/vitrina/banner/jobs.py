"""Banner batch jobs: a manifest of products, one report per product, one per job."""

from __future__ import annotations

from typing import Any

from vitrina import jobs, storage
from vitrina.banner.models import BannerJobRequest, BannerTask
from vitrina.config import settings
from vitrina.payloads import JobRef, JobSummary
from vitrina.sources import Source

KIND = "banner"


def report_key(job_id: str) -> str:
    return f"banner-jobs/{job_id}/report.json"


def build_manifest(job_id: str, request: BannerJobRequest) -> list[dict[str, Any]]:
    options = request.model_dump(exclude={"products"})
    manifest = []
    for i, product in enumerate(request.products):
        source = product.to_source()
        scene = Source(url=product.scene_url) if product.scene_url else None
        task = BannerTask(job_id=job_id, product_id=jobs.item_id(i, len(request.products)),
                          name=product.name or source.describe().rsplit("/", 1)[-1],
                          product=source, scene=scene, copy=product.copy_, **options)
        manifest.append(task.model_dump(mode="json", by_alias=True, exclude_none=True))
    return manifest


def create_job(request: BannerJobRequest, job_id: str | None = None) -> dict[str, Any]:
    job_id = job_id or jobs.new_job_id()
    return jobs.start(job_id, KIND, settings().banner_batch_state_machine_arn,
                      build_manifest(job_id, request), sizes=request.sizes,
                      variants=request.variants, segment=request.segment)


def record_product(record: dict[str, Any]) -> None:
    jobs.put_item(record["job_id"], record["product_id"], record, record["product_id"])


def _summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    records = sorted(records, key=lambda r: r["product_id"])
    failed = sum(1 for r in records if r["status"] != "ok")
    return {"succeeded": len(records) - failed, "failed": failed,
            "products": [r for r in records if r["status"] == "ok"],
            "errors": [r for r in records if r["status"] != "ok"]}


def get_job(job_id: str, limit: int | None = None, cursor: str | None = None
            ) -> dict[str, Any]:
    """The job with its kept counts and one page of its products (all when limit is None)."""
    meta, status = jobs.meta(job_id, KIND)
    page, next_cursor = jobs.listed(job_id, limit, cursor)
    counts = jobs.counts(job_id)
    summary = _summary(page)
    return {**meta, "status": status,
            "counts": {"total": meta["total"], "done": counts["done"],
                       "succeeded": counts["ok"], "failed": counts["failed"]},
            "products": summary["products"], "errors": summary["errors"],
            "next_cursor": next_cursor}


def report(request: JobRef) -> JobSummary:
    """Final batch stage: every product's report or error in one document."""
    job_id = request.job_id
    summary = _summary(jobs.listed(job_id)[0])
    body = {"job_id": job_id, **summary}
    storage.put_json(settings().output_bucket, report_key(job_id), body)
    return JobSummary(job_id=job_id, report=report_key(job_id), succeeded=summary["succeeded"],
                      failed=summary["failed"])
