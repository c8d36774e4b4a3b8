"""Matting batch jobs: the report and the job view sort items by descending confidence."""

from __future__ import annotations

from typing import Any

from vitrina import jobs, storage
from vitrina.config import settings
from vitrina.matting.models import MattingItem, ModelName, Source
from vitrina.payloads import JobRef, JobSummary


def rank(record: dict[str, Any]) -> str:
    """Where an item lists: results by descending confidence, then errors in input order."""
    if record.get("status") == "ok":
        return f"a{round((1 - float(record.get('confidence') or 0)) * 1e6):07d}#{record['item_id']}"
    return f"z#{record['item_id']}"


def put_item_record(record: dict[str, Any]) -> None:
    jobs.put_item(record["job_id"], record["item_id"], record, rank(record))


def report_key(job_id: str) -> str:
    return f"jobs/{job_id}/report.json"


def build_manifest(
    job_id: str, sources: list[tuple[str, Source]], model: ModelName
) -> list[dict[str, Any]]:
    return [
        MattingItem(
            job_id=job_id, item_id=jobs.item_id(i, len(sources)), name=name, source=source,
            model=model,
        ).model_dump(mode="json")
        for i, (name, source) in enumerate(sources)
    ]


def create_job(
    sources: list[tuple[str, Source]], model: ModelName = "u2netp", job_id: str | None = None
) -> dict[str, Any]:
    """Write the manifest, record the job and start the batch state machine."""
    job_id = job_id or jobs.new_job_id()
    manifest = build_manifest(job_id, sources, model)
    return jobs.start(job_id, "matting", settings().matting_batch_state_machine_arn, manifest,
                      model=model)


def sort_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Good results first (descending confidence), then errors in input order."""
    ok = sorted((i for i in items if i.get("status") == "ok"), key=lambda i: -i["confidence"])
    failed = sorted((i for i in items if i.get("status") != "ok"), key=lambda i: i["item_id"])
    return ok + failed


def get_job(job_id: str, limit: int | None = None, cursor: str | None = None
            ) -> dict[str, Any]:
    """The job with its kept counts and one page of its items (all when ``limit`` is None)."""
    meta, status = jobs.meta(job_id, "matting")
    page, next_cursor = jobs.listed(job_id, limit, cursor)
    counts = jobs.counts(job_id)
    return {
        **meta,
        "status": status,
        "counts": {"total": meta["total"], "done": counts["done"], "succeeded": counts["ok"],
                   "failed": counts["failed"]},
        "items": [i for i in page if i["status"] == "ok"],
        "errors": [i for i in page if i["status"] != "ok"],
        "next_cursor": next_cursor,
    }


def report(request: JobRef) -> JobSummary:
    """Final stage of the batch: every input with its result or its error, best first."""
    job_id = request.job_id
    items, _ = jobs.listed(job_id)
    failed = sum(1 for i in items if i["status"] != "ok")
    body = {"job_id": job_id, "succeeded": len(items) - failed, "failed": failed, "items": items}
    storage.put_json(settings().output_bucket, report_key(job_id), body)
    return JobSummary(job_id=job_id, report=report_key(job_id), succeeded=len(items) - failed,
                      failed=failed)
