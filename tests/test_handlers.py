"""Each Lambda handler with its committed sample event, on the local engine's services."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import ROOT, load_event, png_bytes
from vitrina import storage
from vitrina.config import settings
from vitrina.engine.local import LocalContext
from vitrina.lambda_support import StageHandler
from vitrina.video.stages import report_key as video_report_key

SAMPLES = ROOT / "samples" / "product"


def call(engine, logical_id: str, event: dict) -> dict:
    """The function's handler on ``event``; a stage's output is its declared model's JSON."""
    function = engine.functions[f"vitrina-{logical_id}"]
    context = LocalContext(function.name, engine.arns[logical_id], function.memory,
                           function.timeout)
    handler = engine.handler(function)
    out = handler(event, context)
    if isinstance(handler, StageHandler):
        declared = handler.stage.output.model_validate(out)
        assert declared.model_dump(mode="json", by_alias=True) == out
    return out


@pytest.fixture(scope="module")
def item_event(engine, photo) -> dict:
    event = load_event("matting_item")
    storage.put_bytes(event["source"]["bucket"], event["source"]["key"], png_bytes(photo[0]),
                      "image/png")
    return event


def test_stages_one_after_another(engine, item_event) -> None:
    out = call(engine, "MattingLoadFunction", item_event)
    assert (out["width"], out["height"], out["format"]) == (640, 480, "PNG")
    for stage in ("Segment", "Refine", "Score"):
        out = call(engine, f"Matting{stage}Function", out)
    assert 0.8 < out["confidence"] <= 1.0 and len(out["bbox"]) == 4
    assert set(out["timings"]) == {"load", "segment", "refine", "score"}
    record = call(engine, "MattingWriteFunction", out)
    assert record["status"] == "ok" and record["version"] == 1
    cutout = storage.get_array(record["outputs"]["cutout"])
    assert cutout.shape == (480, 640, 4)
    row = storage.jobs_table().get("job#evt-job", "item#00000")
    assert row["record"]["status"] == "ok"

    # A retried write with the same payload returns the stored result without redoing it.
    storage.put_bytes(settings().output_bucket, record["outputs"]["cutout"], b"sentinel",
                      "image/png")
    again = call(engine, "MattingWriteFunction", out)
    assert again == record
    assert storage.get_bytes(settings().output_bucket, record["outputs"]["cutout"]) == b"sentinel"
    with sqlite3.connect(storage.home() / "tables.sqlite3") as db:
        ids = [pk for (pk,) in db.execute("SELECT pk FROM rows WHERE tbl = ?",
                                          (settings().idempotency_table,))]
    assert any("vitrina.matting.stages.write#" in i for i in ids)


def test_load_rejects_what_is_not_an_image(engine) -> None:
    event = {**load_event("matting_item"), "item_id": "00009"}
    event["source"] = {**event["source"], "key": "uploads/evt-job/notes.txt"}
    storage.put_bytes(event["source"]["bucket"], event["source"]["key"], b"hello", "text/plain")
    with pytest.raises(Exception) as caught:
        call(engine, "MattingLoadFunction", event)
    assert type(caught.value).__name__ == "NotAnImage"


def test_record_error_and_report(engine, item_event) -> None:
    record = call(engine, "MattingRecordErrorFunction", load_event("matting_failed_item"))
    assert record["status"] == "error"
    assert record["error"] == {
        "type": "NotAnImage",
        "message": "the file is not an image (PNG, JPEG, WebP, BMP or TIFF expected)",
    }
    summary = call(engine, "MattingReportFunction", load_event("matting_report"))
    assert summary["failed"] >= 1
    report = storage.get_json(settings().output_bucket, summary["report"])
    statuses = [i["status"] for i in report["items"]]
    assert statuses == sorted(statuses, key=lambda s: s != "ok")


def test_s3_trigger_handler_starts_one_cutout_per_event(engine, photo) -> None:
    event = load_event("s3_object_created")
    record = event["Records"][0]["s3"]
    event["Records"][0]["s3"]["object"]["key"] = "incoming/matting/handler/bottle.png"
    storage.put_bytes(record["bucket"]["name"], "incoming/matting/handler/bottle.png",
                      png_bytes(photo[0]), "image/png")
    started = call(engine, "MattingTriggerFunction", event)["started"]
    assert len(started) == 1
    assert engine.wait(started[0]).status == "SUCCEEDED"
    assert call(engine, "MattingTriggerFunction", event)["started"] == []


def test_banner_stages_one_after_another(engine, photo) -> None:
    """Analyse -> plan -> layout -> render -> evaluate -> rank, each through its handler."""
    task = load_event("banner_task")
    storage.put_bytes(task["product"]["bucket"], task["product"]["key"], png_bytes(photo[0]),
                      "image/png")
    task["analysis"] = call(engine, "BannerAnalyseFunction", task)
    assert task["analysis"]["clear_subject"] and task["analysis"]["palette"]["vivid"]
    plan = call(engine, "BannerPlanFunction", task)
    assert [i["template"] for i in plan["items"]] == ["clean-white"]
    item = plan["items"][0]
    for stage in ("Layout", "Render", "Evaluate"):
        item = call(engine, f"Banner{stage}Function", {"task": task, "item": item})
    assert item["evaluation"]["passed"] and item["image_key"].endswith("clean-white.png")
    summary = call(engine, "BannerRankFunction", {"task": task, "designs": [item]})
    assert summary["status"] == "ok" and summary["variants"] == 1
    failed = call(engine, "BannerRecordErrorFunction", {
        "task": task, "error": {"Error": "NotAnImage",
                                "Cause": '{"errorType": "NotAnImage", "errorMessage": "no"}'}})
    assert failed["error"] == {"type": "NotAnImage", "message": "no"}
    report = call(engine, "BannerReportFunction", load_event("banner_report"))
    assert report["report"].endswith("report.json")


def test_video_stages_one_after_another(engine) -> None:
    """Ingest -> analyse -> script -> render -> join -> evaluate, each through its handler."""
    task = load_event("video_task")
    folder = task["manifest"]["key"].rsplit("/", 1)[0]
    manifest = {"title": "Espresso", "images": ["crema.jpg", "spoon.jpg"],
                "texts": ["Fresh roast every week"]}
    files = {"manifest.json": json.dumps(manifest).encode(),
             **{name: (SAMPLES / name).read_bytes() for name in ("crema.jpg", "spoon.jpg")}}
    for name, data in files.items():
        storage.put_bytes(task["manifest"]["bucket"], f"{folder}/{name}", data, "")
    task["ingested"] = call(engine, "VideoIngestFunction", task)
    assert [m["ref"] for m in task["ingested"]["media"]] == ["crema.jpg", "spoon.jpg"]
    analysed = [call(engine, "VideoAnalyseFunction", m) for m in task["ingested"]["media"]]
    assert all(a["usable"] for a in analysed)
    script = call(engine, "VideoScriptFunction", {"task": task, "analysed": analysed})
    segments = [call(engine, "VideoRenderFunction", s) for s in script["segments"]]
    request = {"task": task, "script": script, "segments": segments}
    joined = call(engine, "VideoJoinFunction", request)
    summary = call(engine, "VideoEvaluateFunction", {**request, "joined": joined})
    assert summary["passed"], summary["checks"]
    assert summary["outputs"] == joined["outputs"]


def test_video_record_error_writes_the_error_report(engine) -> None:
    record = call(engine, "VideoRecordErrorFunction", load_event("video_failed"))
    report = video_report_key("evt-video-failed")
    assert record == {"job_id": "evt-video-failed", "status": "error", "report": report,
                      "error": {"type": "InvalidEvent", "message":
                                "duration: Input should be greater than or equal to 5"}}
    assert storage.get_json(settings().output_bucket, report) == record
