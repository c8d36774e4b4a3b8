"""Both matting state machines, unchanged, on the embedded engine."""

from __future__ import annotations

import json

import numpy as np

from tests.conftest import png_bytes, product_photo
from vitrina import storage
from vitrina.config import settings
from vitrina.matting import jobs
from vitrina.matting.models import Source


def _upload(key: str, data: bytes) -> Source:
    storage.put_bytes(settings().input_bucket, key, data, "application/octet-stream")
    return Source(bucket=settings().input_bucket, key=key)


def test_single_item_succeeds_with_cutout_mask_and_record(engine, photo) -> None:
    source = _upload("uploads/sm-1/bottle.png", png_bytes(photo[0]))
    item = {"job_id": "sm-1", "item_id": "00000", "name": "bottle",
            "source": source.model_dump(mode="json")}
    execution = engine.run("MattingStateMachine", item)
    assert execution.status == "SUCCEEDED", execution.cause
    record = execution.output
    assert record["status"] == "ok" and record["confidence"] > 0.8
    for key in record["outputs"].values():
        assert storage.get_bytes(settings().output_bucket, key)
    states = [e["stateEnteredEventDetails"]["name"] for e in engine.history(execution.arn)
              if e["type"] == "TaskStateEntered"]
    assert states == ["Load", "Segment", "Refine", "Score", "Write"]


def test_single_item_failure_is_named_and_recorded(engine) -> None:
    source = _upload("uploads/sm-2/empty.png", b"")
    item = {"job_id": "sm-2", "item_id": "00000", "name": "empty",
            "source": source.model_dump(mode="json")}
    execution = engine.run("MattingStateMachine", item)
    assert execution.status == "FAILED"
    assert execution.error == "EmptyInput"
    record = storage.table(settings().jobs_table).get_item(
        Key={"pk": "job#sm-2", "sk": "item#00000"})["Item"]["record"]
    assert record["status"] == "error" and record["error"]["type"] == "EmptyInput"


def test_batch_continues_past_bad_items(engine, photo) -> None:
    good = png_bytes(photo[0])
    sources = [
        ("bottle", _upload("uploads/sm-3/bottle.png", good)),
        ("notes", _upload("uploads/sm-3/notes.txt", b"not an image at all")),
        ("half", _upload("uploads/sm-3/half.png", good[: len(good) // 2])),
        ("private", Source(url="http://127.0.0.1:9/private.png")),
        ("missing", Source(bucket=settings().input_bucket, key="uploads/sm-3/nope.png")),
    ]
    meta = jobs.create_job(sources, job_id="sm-3")
    execution = engine.wait(meta["execution_arn"], timeout_s=300)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"job_id": "sm-3", "report": jobs.report_key("sm-3"),
                                "succeeded": 1, "failed": 4}
    report = storage.get_json(settings().output_bucket, jobs.report_key("sm-3"))
    by_name = {i["name"]: i for i in report["items"]}
    assert report["items"][0]["name"] == "bottle"
    assert by_name["notes"]["error"]["type"] == "NotAnImage"
    assert by_name["half"]["error"]["type"] == "TruncatedImage"
    assert by_name["private"]["error"]["type"] == "FetchRefused"
    assert "loopback" in by_name["private"]["error"]["message"]
    assert by_name["missing"]["error"]["type"] == "NotFound"
    job = jobs.get_job("sm-3")
    assert job["status"] == "SUCCEEDED"
    assert job["counts"] == {"total": 5, "done": 5, "succeeded": 1, "failed": 4}


def test_batch_orders_by_descending_confidence(engine, photo) -> None:
    sources = [(f"p{i}", _upload(f"uploads/sm-4/p{i}.png", png_bytes(product_photo(seed=i)[0])))
               for i in range(3)]
    noise = np.random.default_rng(5).random((200, 200, 3)) * 255
    sources.append(("noise", _upload("uploads/sm-4/noise.png", png_bytes(noise.astype("uint8")))))
    meta = jobs.create_job(sources, job_id="sm-4")
    assert engine.wait(meta["execution_arn"], timeout_s=300).status == "SUCCEEDED"
    items = jobs.get_job("sm-4")["items"]
    confidences = [i["confidence"] for i in items]
    assert confidences == sorted(confidences, reverse=True)
    assert items[-1]["name"] == "noise"


def test_manifest_items_are_state_payloads(engine) -> None:
    manifest = jobs.build_manifest("m-1", [("a", Source(url="https://example.com/a.jpg"))],
                                   "u2netp")
    assert len(json.dumps(manifest[0])) < 1024
    assert manifest[0]["item_id"] == "00000"
