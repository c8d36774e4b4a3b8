"""Batch jobs of every product: a manifest in S3, a state machine run, rows in DynamoDB.

The jobs table holds one ``meta`` row per job and one row per finished item, so progress is
readable while the batch runs.
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


def new_job_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _pk(job_id: str) -> str:
    return f"job#{job_id}"


def put_row(job_id: str, sk: str, record: dict[str, Any]) -> None:
    item = {"pk": _pk(job_id), "sk": sk, "record": record}
    storage.table(settings().jobs_table).put_item(Item=storage.to_dynamo(item))


def rows(job_id: str) -> list[dict[str, Any]]:
    tbl = storage.table(settings().jobs_table)
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(_pk(job_id))}
    while True:
        page = tbl.query(**kwargs)
        found.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return storage.from_dynamo(found)
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def manifest_key(job_id: str) -> str:
    return f"jobs/{job_id}/manifest.json"


def item_id(index: int, count: int) -> str:
    """Zero-padded, so that item rows sort in manifest order."""
    return f"{index:0{max(5, len(str(count)))}d}"


def start(job_id: str, kind: str, state_machine_arn: str, manifest: list[dict[str, Any]],
          **meta: Any) -> dict[str, Any]:
    """Write the manifest, start the batch state machine and record the job."""
    cfg = settings()
    key = manifest_key(job_id)
    storage.put_json(cfg.output_bucket, key, manifest)
    payload = {"job_id": job_id, "manifest": {"bucket": cfg.output_bucket, "key": key},
               "tolerated_failure_percentage": 100}
    return launch(job_id, kind, state_machine_arn, payload, total=len(manifest), manifest=key,
                  **meta)


def launch(job_id: str, kind: str, state_machine_arn: str, payload: dict[str, Any],
           **meta: Any) -> dict[str, Any]:
    """Start the job's state machine on ``payload`` and record the job."""
    execution = storage.client("stepfunctions").start_execution(
        stateMachineArn=state_machine_arn, name=job_id, input=json.dumps(payload))
    record = {"job_id": job_id, "kind": kind, "created_at": int(time.time()),
              "execution_arn": execution["executionArn"], **meta}
    put_row(job_id, "meta", record)
    return record


def split(job_id: str, kind: str) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """The job's meta record, its finished items and the execution's status."""
    found = rows(job_id)
    meta = next((r["record"] for r in found if r["sk"] == "meta"), None)
    if meta is None or meta.get("kind", "matting") != kind:
        raise NotFound(f"no {kind} job {job_id!r}")
    execution = storage.client("stepfunctions").describe_execution(
        executionArn=meta["execution_arn"])
    return meta, [r["record"] for r in found if r["sk"] != "meta"], execution["status"]
