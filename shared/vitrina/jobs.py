"""Batch jobs of every product: a manifest in S3, a state machine run, rows in DynamoDB.

The jobs table holds one ``meta`` row per job and one row per finished item, so progress is
readable while the batch runs.
"""

from __future__ import annotations

import json
import time
from typing import Any

from boto3.dynamodb.conditions import Key

from vitrina import keys, storage
from vitrina.config import settings
from vitrina.errors import InvalidEvent, NotFound

LISTED = "listed#"  # rows of finished items, in the order a job lists them
COUNTS = "counts"  # the job's kept counts: done, ok, failed
_attr = storage.dynamo_attribute


def new_job_id() -> str:
    """Sortable by start time, and unguessable: the id is what lets a caller see the job."""
    return time.strftime("%Y%m%dT%H%M%S") + "-" + keys.new_id()


def _pk(job_id: str) -> str:
    return f"job#{job_id}"


def put_row(job_id: str, sk: str, record: dict[str, Any]) -> None:
    item = {"pk": _pk(job_id), "sk": sk, "record": record}
    storage.table(settings().jobs_table).put_item(Item=storage.to_dynamo(item))


def put_item(job_id: str, item: str, record: dict[str, Any], rank: str) -> None:
    """A finished item's record (its own row, and a row at its place in the job's listing:
    ``rank`` orders them) and the job's kept counts, written in one transaction: a retried
    item replaces its rows and moves its count instead of adding one, and concurrent items
    never lose one."""
    client = storage.client("dynamodb")
    name = settings().jobs_table
    pk = _pk(job_id)
    status = "ok" if record.get("status") == "ok" else "failed"
    for _ in range(8):
        old = storage.table(name).get_item(Key={"pk": pk, "sk": f"item#{item}"},
                                           ConsistentRead=True).get("Item")
        old_rank, old_status = (old.get("rank"), old.get("counted")) if old else (None, None)
        guard = ({"ConditionExpression": "attribute_not_exists(pk)"} if old is None else
                 {"ConditionExpression": "#r = :old", "ExpressionAttributeNames": {"#r": "rank"},
                  "ExpressionAttributeValues": {":old": _attr(old_rank)}})
        delta: dict[str, int] = {}
        if old_status != status:
            delta = {status: 1, **({old_status: -1} if old_status else {"done": 1})}
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": name, "Item": {
                "pk": _attr(pk), "sk": _attr(f"item#{item}"), "rank": _attr(rank),
                "counted": _attr(status), "record": _attr(record)}, **guard}},
            {"Put": {"TableName": name, "Item": {
                "pk": _attr(pk), "sk": _attr(f"{LISTED}{rank}"), "record": _attr(record)}}},
        ]
        if delta:
            writes.append({"Update": {
                "TableName": name, "Key": {"pk": _attr(pk), "sk": _attr(COUNTS)},
                "UpdateExpression": "ADD " + ", ".join(f"#{k} :{k}" for k in delta),
                "ExpressionAttributeNames": {f"#{k}": k for k in delta},
                "ExpressionAttributeValues": {f":{k}": _attr(v) for k, v in delta.items()}}})
        if old_rank is not None and old_rank != rank:
            writes.append({"Delete": {"TableName": name, "Key": {
                "pk": _attr(pk), "sk": _attr(f"{LISTED}{old_rank}")}}})
        try:
            client.transact_write_items(TransactItems=writes)
            return
        except client.exceptions.TransactionCanceledException:
            continue  # another writer of this item won: read again and redo
    raise RuntimeError(f"could not record item {item} of job {job_id}: too much contention")


def counts(job_id: str) -> dict[str, int]:
    row = storage.table(settings().jobs_table).get_item(
        Key={"pk": _pk(job_id), "sk": COUNTS}, ConsistentRead=True).get("Item") or {}
    return {k: int(row.get(k, 0)) for k in ("done", "ok", "failed")}


def listed(job_id: str, limit: int | None = None, cursor: str | None = None
           ) -> tuple[list[dict[str, Any]], str | None]:
    """Finished items' records in rank order: one page of ``limit`` after ``cursor`` (the
    previous page's last rank) and the next page's cursor, or every one when limit is None."""
    if cursor is not None and (len(cursor) > 200 or not cursor.isprintable()):
        raise InvalidEvent("cursor is not one this API gave out")
    tbl = storage.table(settings().jobs_table)
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(_pk(job_id)) & Key("sk").begins_with(LISTED)}
    if cursor:
        kwargs["ExclusiveStartKey"] = {"pk": _pk(job_id), "sk": f"{LISTED}{cursor}"}
    while True:
        if limit is not None:
            kwargs["Limit"] = limit - len(found)
        page = tbl.query(**kwargs)
        found.extend(page["Items"])
        last = page.get("LastEvaluatedKey")
        if last is None or (limit is not None and len(found) >= limit):
            break
        kwargs["ExclusiveStartKey"] = last
    records = [r["record"] for r in storage.from_dynamo(found)]
    more = limit is not None and len(found) >= limit and last is not None
    return records, (found[-1]["sk"].removeprefix(LISTED) if more else None)


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


def meta(job_id: str, kind: str) -> tuple[dict[str, Any], str]:
    """The job's meta record and the execution's status; NotFound for another kind's job."""
    row = storage.table(settings().jobs_table).get_item(
        Key={"pk": _pk(job_id), "sk": "meta"}).get("Item")
    found = storage.from_dynamo(row["record"]) if row else None
    if found is None or found.get("kind", "matting") != kind:
        raise NotFound(f"no {kind} job {job_id!r}")
    execution = storage.client("stepfunctions").describe_execution(
        executionArn=found["execution_arn"])
    return found, execution["status"]
