"""The video routes and the `vitrina video` command, end to end on the local engine."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT
from vitrina import keys, storage
from vitrina.api.app import create_app
from vitrina.config import settings
from vitrina.video import probe

VITRINA = str(ROOT / ".venv/bin/vitrina")


@pytest.fixture(scope="module")
def client(engine) -> TestClient:
    return TestClient(create_app())


def wait(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 300
    while True:
        body = client.get(f"/v1/videos/{job_id}").json()
        if body["status"] != "RUNNING" or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def test_manifest_in_the_bucket_becomes_a_video(client) -> None:
    prefix = keys.upload_prefix(keys.new_id())
    for name in ("crema.jpg", "spoon.jpg"):
        storage.put_bytes(settings().input_bucket, prefix + name,
                          (ROOT / "samples/product" / name).read_bytes(), "image/jpeg")
    manifest = {"title": "Espresso 浓缩咖啡", "images": ["crema.jpg", "spoon.jpg"],
                "texts": ["Roasted this week"], "price": "89", "currency": "CNY"}
    storage.put_bytes(settings().input_bucket, prefix + "manifest.json",
                      json.dumps(manifest).encode(), "application/json")
    response = client.post("/v1/videos", json={"manifest_key": prefix + "manifest.json",
                                               "aspect": "1:1", "duration": 5, "width": 320,
                                               "rhythm": "fast", "template": "slide"})
    assert response.status_code == 202, response.text
    body = wait(client, response.json()["job_id"])
    assert body["status"] == "SUCCEEDED" and body["passed"], body
    assert set(body["urls"]) == {"video", "poster", "storyboard", "storyboard_png"}


@pytest.mark.parametrize(("json_body", "words"), [
    ({"page_url": "https://example.com/p", "duration": 3}, "duration"),
    ({"page_url": "https://example.com/p", "aspect": "21:9"}, "aspect"),
    ({"duration": 10}, "page_url or manifest_key"),
])
def test_bad_requests_are_refused_before_any_work(client, json_body, words) -> None:
    response = client.post("/v1/videos", json=json_body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert words in response.json()["error"]["message"]


def test_a_refused_url_ends_as_a_named_error(client) -> None:
    response = client.post("/v1/videos", json={"page_url": "http://127.0.0.1:9/p.html"})
    body = wait(client, response.json()["job_id"])
    assert body["status"] == "FAILED" and body["error"]["type"] == "FetchRefused"


def test_cli_renders_the_sample_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run([VITRINA, "video", str(ROOT / "samples/product/index.html"),
                             "--aspect", "3:4", "--duration", "6", "--width", "360",
                             "--rhythm", "slow", "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "rendered segment" in result.stderr  # progress
    for name in ("video.mp4", "poster.jpg", "storyboard.json", "storyboard.png",
                 "report.json"):
        assert (out / name).stat().st_size > 0
    info = probe.probe(out / "video.mp4")
    assert (info.width, info.height, info.frames) == (360, 480, 150)
    bad = subprocess.run([VITRINA, "video", "nope.jpg", "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no such file" in bad.stderr


def test_cli_manifest_with_its_own_music(tmp_path: Path) -> None:
    """A local manifest's music file travels with its pictures and is the video's track."""
    from vitrina.video import music

    for name in ("crema.jpg", "spoon.jpg"):
        (tmp_path / name).write_bytes((ROOT / "samples/product" / name).read_bytes())
    music.write_wav(music.synthesise("calm", 8.0, bpm=90.0, seed=2), tmp_path / "tune.wav")
    (tmp_path / "m.json").write_text(json.dumps(
        {"title": "Espresso", "images": ["crema.jpg", "spoon.jpg"], "music": "tune.wav"}))
    out = tmp_path / "out"
    result = subprocess.run([VITRINA, "video", "--manifest", str(tmp_path / "m.json"),
                             "--duration", "5", "--width", "320", "--quiet", "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["passed"] and report["track"]["style"] == "user"
    assert abs(report["track"]["bpm"] - 90) < 2
