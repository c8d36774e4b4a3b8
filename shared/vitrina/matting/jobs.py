"""Batch jobs: a manifest in S3, a Distributed Map over it, item records in DynamoDB.

The jobs table holds one ``meta`` row per job and one row per finished item, so progress
is readable while the batch runs; the report sorts items by descending confidence.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from boto3.dynamodb.conditions import Key

from vitrina import storage
from vitrina.config import settings
from vitrina.errors import NotFound
from vitrina.matting.models import MattingItem, ModelName, Source


def new_job_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _pk(job_id: str) -> str:
    return f"job#{job_id}"


def put_item_record(record: dict[str, Any]) -> None:
    item = {"pk": _pk(record["job_id"]), "sk": f"item#{record['item_id']}", "record": record}
    storage.table(settings().jobs_table).put_item(Item=storage.to_dynamo(item))


def manifest_key(job_id: str) -> str:
    return f"jobs/{job_id}/manifest.json"


def report_key(job_id: str) -> str:
    return f"jobs/{job_id}/report.json"


def build_manifest(
    job_id: str, sources: list[tuple[str, Source]], model: ModelName
) -> list[dict[str, Any]]:
    width = max(5, len(str(len(sources))))
    return [
        MattingItem(
            job_id=job_id, item_id=f"{i:0{width}d}", name=name, source=source, model=model
        ).model_dump(mode="json")
        for i, (name, source) in enumerate(sources)
    ]


def create_job(
    sources: list[tuple[str, Source]], model: ModelName = "u2netp", job_id: str | None = None
) -> dict[str, Any]:
    """Write the manifest, record the job and start the batch state machine."""
    cfg = settings()
    job_id = job_id or new_job_id()
    manifest = build_manifest(job_id, sources, model)
    storage.put_json(cfg.output_bucket, manifest_key(job_id), manifest)
    execution = storage.client("stepfunctions").start_execution(
        stateMachineArn=cfg.matting_batch_state_machine_arn,
        name=job_id,
        input=json.dumps(
            {
                "job_id": job_id,
                "manifest": {"bucket": cfg.output_bucket, "key": manifest_key(job_id)},
                "tolerated_failure_percentage": 100,
            }
        ),
    )
    meta = {
        "job_id": job_id,
        "total": len(manifest),
        "model": model,
        "created_at": int(time.time()),
        "execution_arn": execution["executionArn"],
        "manifest": manifest_key(job_id),
    }
    storage.table(cfg.jobs_table).put_item(
        Item=storage.to_dynamo({"pk": _pk(job_id), "sk": "meta", "record": meta})
    )
    return meta


def _rows(job_id: str) -> list[dict[str, Any]]:
    tbl = storage.table(settings().jobs_table)
    rows: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(_pk(job_id))}
    while True:
        page = tbl.query(**kwargs)
        rows.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return storage.from_dynamo(rows)
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def sort_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Good results first (descending confidence), then errors in input order."""
    ok = sorted((i for i in items if i.get("status") == "ok"), key=lambda i: -i["confidence"])
    failed = sorted((i for i in items if i.get("status") != "ok"), key=lambda i: i["item_id"])
    return ok + failed


def get_job(job_id: str) -> dict[str, Any]:
    rows = _rows(job_id)
    meta = next((r["record"] for r in rows if r["sk"] == "meta"), None)
    if meta is None:
        raise NotFound(f"no matting job {job_id!r}")
    items = sort_items([r["record"] for r in rows if r["sk"] != "meta"])
    execution = storage.client("stepfunctions").describe_execution(
        executionArn=meta["execution_arn"]
    )
    failed = sum(1 for i in items if i["status"] != "ok")
    return {
        **meta,
        "status": execution["status"],
        "counts": {
            "total": meta["total"],
            "done": len(items),
            "succeeded": len(items) - failed,
            "failed": failed,
        },
        "items": [i for i in items if i["status"] == "ok"],
        "errors": [i for i in items if i["status"] != "ok"],
    }


def report(job_id: str) -> dict[str, Any]:
    """Final stage of the batch: every input with its result or its error, best first."""
    items = sort_items([r["record"] for r in _rows(job_id) if r["sk"] != "meta"])
    failed = sum(1 for i in items if i["status"] != "ok")
    body = {"job_id": job_id, "succeeded": len(items) - failed, "failed": failed, "items": items}
    storage.put_json(settings().output_bucket, report_key(job_id), body)
    return {"job_id": job_id, "report": report_key(job_id), "succeeded": len(items) - failed,
            "failed": failed}
