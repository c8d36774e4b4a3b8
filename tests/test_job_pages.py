"""Finding 9 (low): job reads are paginated with kept counts; long S3 keys still get a
record; credentials in URLs are never stored or returned; the CLI says what it skipped."""

from __future__ import annotations

import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT, png_bytes, product_photo
from vitrina import jobs, keys, storage
from vitrina.api.app import create_app
from vitrina.config import settings


@pytest.fixture(scope="module")
def client(engine) -> TestClient:
    return TestClient(create_app())


def _finished(client: TestClient, path: str) -> dict:
    deadline = time.monotonic() + 180
    while (job := client.get(path).json())["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return job


def test_job_reads_are_paginated_with_kept_counts(client) -> None:
    bucket, upload = settings().input_bucket, keys.new_id()
    items = []
    for i in range(3):
        key = keys.upload_key(upload, f"p{i}.png")
        storage.put_bytes(bucket, key, png_bytes(product_photo((120, 160), seed=i)[0]), "")
        items.append({"s3_key": key})
    items += [{"url": "http://127.0.0.1:9/x.png"}, {"s3_key": keys.upload_key(upload, "no.png")}]
    job_id = client.post("/v1/matting/jobs", json={"items": items}).json()["job_id"]
    path = f"/v1/matting/jobs/{job_id}"
    first = _finished(client, f"{path}?limit=2")
    assert first["counts"] == {"total": 5, "done": 5, "succeeded": 3, "failed": 2}
    seen, cursor, pages = [], None, 0
    while True:
        page = client.get(path, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        body = page.json()
        assert len(body["items"]) + len(body["errors"]) <= 2
        seen += body["items"] + body["errors"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 5
    confidences = [i["confidence"] for i in seen[:3]]
    assert confidences == sorted(confidences, reverse=True)
    assert [i["status"] for i in seen] == ["ok"] * 3 + ["error"] * 2
    assert client.get(path, params={"cursor": "\x01bad"}).status_code == 400
    assert client.get(path, params={"limit": 0}).status_code == 400


def test_a_retried_item_moves_its_count_instead_of_adding_one(engine) -> None:
    job_id = jobs.new_job_id()
    jobs.put_item(job_id, "00000", {"status": "error"}, "z#00000")
    jobs.put_item(job_id, "00000", {"status": "error"}, "z#00000")
    assert jobs.counts(job_id) == {"done": 1, "ok": 0, "failed": 1}
    jobs.put_item(job_id, "00000", {"status": "ok", "confidence": 0.9}, "a#00000")
    assert jobs.counts(job_id) == {"done": 1, "ok": 1, "failed": 0}
    assert jobs.listed(job_id)[0] == [{"status": "ok", "confidence": 0.9}]


def test_concurrent_items_never_lose_a_count(engine) -> None:
    job_id = jobs.new_job_id()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: jobs.put_item(job_id, f"{i:05d}", {"status": "ok"},
                                              f"a#{i:05d}"), range(40)))
    assert jobs.counts(job_id) == {"done": 40, "ok": 40, "failed": 0}
    assert len(jobs.listed(job_id)[0]) == 40


def test_s3_trigger_gives_a_long_key_a_short_stem_and_a_record(engine, photo) -> None:
    arn = engine.state_machines["MattingStateMachine"]
    sfn = storage.client("stepfunctions")
    before = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]}
    key = "incoming/matting/" + "long-name-" * 30 + "bottle.png"
    storage.put_bytes(settings().input_bucket, key, png_bytes(photo[0][:96, :96]), "image/png")
    new = [e for e in sfn.list_executions(stateMachineArn=arn)["executions"]
           if e["executionArn"] not in before]
    assert len(new) == 1
    execution = engine.wait(new[0]["executionArn"], timeout_s=120)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["name"].startswith("long-name-") and \
        len(execution.output["name"]) <= keys.MAX_STEM


def test_credentials_in_urls_are_never_stored_or_returned(client) -> None:
    answer = client.post("/v1/matting/jobs", json={"items": [
        {"url": "http://alice:hunter2@127.0.0.1:9/x.png"}]})
    assert answer.status_code == 202
    job_id = answer.json()["job_id"]
    job = _finished(client, f"/v1/matting/jobs/{job_id}")
    assert "hunter2" not in json.dumps(job) and "alice" not in json.dumps(job)
    assert job["errors"][0]["error"]["type"] == "FetchRefused"
    assert "password" in job["errors"][0]["error"]["message"]
    manifest = storage.get_bytes(settings().output_bucket, jobs.manifest_key(job_id))
    assert b"hunter2" not in manifest


def test_cli_lists_the_files_it_skipped(tmp_path) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    (folder / "bottle.png").write_bytes(png_bytes(product_photo((120, 160))[0]))
    (folder / "notes.txt").write_text("not a picture")
    (folder / "clip.mov").write_bytes(b"\x00" * 10)
    out = tmp_path / "out"
    result = subprocess.run([str(ROOT / ".venv/bin/vitrina"), "matting", str(folder), "--out",
                             str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "skipped 2 file(s)" in result.stderr
    assert "notes.txt" in result.stderr and "clip.mov" in result.stderr
    report = json.loads((out / "report.json").read_text())
    assert sorted(p.rsplit("/", 1)[1] for p in report["skipped"]) == ["clip.mov", "notes.txt"]


def test_a_page_url_with_credentials_is_refused_without_echoing_them(engine) -> None:
    from vitrina.errors import FetchRefused
    from vitrina.sources import Source
    from vitrina.video import stages
    from vitrina.video.models import VideoTask

    task = VideoTask(job_id="creds-page", page=Source(url="http://alice:hunter2@127.0.0.1:9/p"))
    assert "hunter2" not in task.model_dump_json()
    with pytest.raises(FetchRefused, match="password") as caught:
        stages.ingest_page(task)
    assert "hunter2" not in caught.value.message and "alice" not in caught.value.message
