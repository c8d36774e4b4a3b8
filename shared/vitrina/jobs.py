"""Batch jobs of every product: a manifest in S3, a state machine run, rows in DynamoDB.

The jobs table holds one ``meta`` row per job and one row per finished item, so progress is
readable while the batch runs.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from botocore.exceptions import ClientError

from vitrina import keys, storage
from vitrina.config import settings
from vitrina.errors import InvalidEvent, NotFound
from vitrina.store.tables import Absent, Add, ConditionFailed, Delete, Equals, Op, Put

LISTED = "listed#"  # rows of finished items, in the order a job lists them
COUNTS = "counts"  # the job's kept counts: done, ok, failed
FINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
_JOB_ID = re.compile(r"\d{8}T\d{6}-[0-9a-f]{32}")


def new_job_id() -> str:
    """Sortable by start time, and unguessable: the id is what lets a caller see the job."""
    return time.strftime("%Y%m%dT%H%M%S") + "-" + keys.new_id()


def is_job_id(name: str) -> bool:
    return _JOB_ID.fullmatch(name) is not None


def _pk(job_id: str) -> str:
    return f"job#{job_id}"


def put_row(job_id: str, sk: str, record: dict[str, Any]) -> None:
    storage.jobs_table().put(_pk(job_id), sk, {"record": record})


def put_item(job_id: str, item: str, record: dict[str, Any], rank: str) -> None:
    """A finished item's record (its own row, and a row at its place in the job's listing:
    ``rank`` orders them) and the job's kept counts, written in one transaction: a retried
    item replaces its rows and moves its count instead of adding one, and concurrent items
    never lose one."""
    table = storage.jobs_table()
    pk = _pk(job_id)
    status = "ok" if record.get("status") == "ok" else "failed"
    for _ in range(8):
        old = table.get(pk, f"item#{item}")
        old_rank, old_status = (old.get("rank"), old.get("counted")) if old else (None, None)
        guard = (Absent(),) if old is None else (Equals("rank", old_rank),)
        ops: list[Op] = [
            Put(pk, f"item#{item}", {"rank": rank, "counted": status, "record": record}, guard),
            Put(pk, f"{LISTED}{rank}", {"record": record}),
        ]
        if old_status != status:
            ops.append(Add(pk, COUNTS, {status: 1, **({old_status: -1} if old_status
                                                      else {"done": 1})}))
        if old_rank is not None and old_rank != rank:
            ops.append(Delete(pk, f"{LISTED}{old_rank}"))
        try:
            table.write(ops)
            return
        except ConditionFailed:
            continue  # another writer of this item won: read again and redo
    raise RuntimeError(f"could not record item {item} of job {job_id}: too much contention")


def counts(job_id: str) -> dict[str, int]:
    row = storage.jobs_table().get(_pk(job_id), COUNTS) or {}
    return {k: int(row.get(k, 0)) for k in ("done", "ok", "failed")}


def listed(job_id: str, limit: int | None = None, cursor: str | None = None
           ) -> tuple[list[dict[str, Any]], str | None]:
    """Finished items' records in rank order: one page of ``limit`` after ``cursor`` (the
    previous page's last rank) and the next page's cursor, or every one when limit is None."""
    if cursor is not None and (len(cursor) > 200 or not cursor.isprintable()):
        raise InvalidEvent("cursor is not one this API gave out")
    page = storage.jobs_table().query(_pk(job_id), LISTED, limit,
                                      f"{LISTED}{cursor}" if cursor else None)
    records = [row["record"] for row in page.rows]
    return records, (page.next_after.removeprefix(LISTED) if page.next_after else None)


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
    """The job's meta record and its status; NotFound for another kind's job.

    A job's final status is kept with it (:func:`finish`), so it outlives the execution's
    history; a running job whose execution the engine no longer knows (the embedded engine
    was stopped or killed mid-run) is reported INTERRUPTED, never as silently half-done."""
    row = storage.jobs_table().get(_pk(job_id), "meta")
    found = row["record"] if row else None
    if found is None or found.get("kind", "matting") != kind:
        raise NotFound(f"no {kind} job {job_id!r}")
    kept = storage.jobs_table().get(_pk(job_id), "status")
    if kept and kept["status"] in FINAL:
        return found, kept["status"]
    try:
        execution = storage.client("stepfunctions").describe_execution(
            executionArn=found["execution_arn"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ExecutionDoesNotExist":
            raise
        return found, "INTERRUPTED"
    return found, execution["status"]


def finish(job_id: str, status: str) -> None:
    """Keep a job's final status in a row of its own (the local engine calls this when an
    execution named after a job ends): one put, no read-modify-write."""
    storage.jobs_table().put(_pk(job_id), "status", {"status": status})
