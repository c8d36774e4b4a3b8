"""The video state machine on the local engine, for every aspect ratio, probed for real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT
from vitrina import storage
from vitrina.config import settings
from vitrina.video.stages import report_key

SAMPLE = ROOT / "samples" / "product"


def upload_sample(job_id: str) -> dict:
    prefix = f"uploads/{job_id}/assets/"
    files = {"product/index.html": SAMPLE / "index.html", "product/crema.jpg":
             SAMPLE / "crema.jpg", "product/spoon.jpg": SAMPLE / "spoon.jpg",
             "product/cup.mp4": SAMPLE / "cup.mp4", "coffee.png": ROOT / "samples/coffee.png"}
    for name, path in files.items():
        storage.put_bytes(settings().input_bucket, prefix + name, path.read_bytes(),
                          "application/octet-stream")
    return {"bucket": settings().input_bucket, "key": prefix + "product/index.html"}, prefix


def run(engine, job_id: str, **options) -> tuple[object, dict]:
    page, prefix = upload_sample(job_id)
    task = {"job_id": job_id, "page": page, "assets_prefix": prefix, "duration": 6.0,
            "width": 480, **options}
    execution = engine.run("VideoStateMachine", {"task": task}, timeout_s=600)
    return execution, storage.get_json(settings().output_bucket, report_key(job_id))


@pytest.mark.parametrize(("aspect", "size"), [("16:9", (480, 270)), ("9:16", (480, 854)),
                                              ("1:1", (480, 480)), ("3:4", (480, 640))])
def test_sample_page_to_video_in_every_aspect(engine, aspect: str, size: tuple[int, int]) -> None:
    job_id = f"vid-{aspect.replace(':', 'x')}"
    execution, report = run(engine, job_id, aspect=aspect)
    assert execution.status == "SUCCEEDED", execution.cause
    assert report["passed"], report["checks"]
    assert (report["probe"]["width"], report["probe"]["height"]) == size
    assert report["probe"]["frames"] == 150 and report["probe"]["audio_codec"] == "aac"
    assert report["cuts"] and not report["off_beat_cuts"]
    board = storage.get_json(settings().output_bucket, report["outputs"]["storyboard"])
    clip_shots = [s for s in board["storyboard"]["shots"] if s["clip"] is not None]
    assert len(clip_shots) == 1 and board["clips"][0]["shots"]  # the page's clip, cut in
    texts = " ".join(c["text"] for c in board["captions"])
    assert "单一产地" in texts and "立即购买" in texts
    facts = " ".join(f["text"] for f in storage.get_json(
        settings().output_bucket, f"videos/{job_id}/page.json")["facts"])
    facts += " ".join(t for m in board["media"] for t in m["text"])  # read off the images
    for caption in board["captions"]:
        if caption["kind"] in ("headline", "point"):  # every claim is the page's own words
            assert caption["text"] in facts or caption["text"] in facts.replace(" ", "")


def test_bad_request_and_bad_page_end_as_named_errors(engine, tmp_path: Path) -> None:
    execution, report = run(engine, "vid-bad-duration", duration=3.0)
    assert execution.status == "FAILED" and report["error"]["type"] == "InvalidEvent"
    storage.put_bytes(settings().input_bucket, "uploads/vid-empty/assets/p.html",
                      b"<html><title>Nothing</title><body><p>no pictures</p></body></html>",
                      "text/html")
    task = {"job_id": "vid-empty", "page": {"bucket": settings().input_bucket,
                                            "key": "uploads/vid-empty/assets/p.html"}}
    execution = engine.run("VideoStateMachine", {"task": task}, timeout_s=120)
    report = storage.get_json(settings().output_bucket, report_key("vid-empty"))
    assert execution.status == "FAILED" and report["error"]["type"] == "NoUsableMedia"
    assert json.dumps(report)  # the report is plain JSON a client can read
