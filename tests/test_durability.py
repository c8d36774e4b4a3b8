"""The embedded store remembers: `vitrina serve` is stopped (SIGTERM) or killed (SIGKILL) and
started again on the same VITRINA_HOME, and everything finished before is still there."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.conftest import png_bytes, product_photo
from tests.serving import serving

pytestmark = pytest.mark.slow


def _upload(c: httpx.Client, images: list[bytes]) -> list[str]:
    files = [("files", (f"p{i}.png", data, "image/png")) for i, data in enumerate(images)]
    answer = c.post("/v1/uploads", files=files)
    assert answer.status_code == 201, answer.text
    return [f["key"] for f in answer.json()["files"]]


def _without_urls(value: object) -> object:
    """Presigned URLs carry their own expiry, which moves with every answer."""
    if isinstance(value, dict):
        return {k: _without_urls(v) for k, v in value.items() if k != "urls"}
    if isinstance(value, list):
        return [_without_urls(v) for v in value]
    return value


def _until(c: httpx.Client, path: str, done: object, timeout_s: float = 240) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        body = c.get(path).json()
        if done(body):  # type: ignore[operator]
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def test_everything_finished_survives_a_restart(tmp_path: Path) -> None:
    photo = png_bytes(product_photo(seed=3)[0])
    with serving(tmp_path) as c:
        cut = c.post("/v1/matting?response=json", files={"file": ("bottle.png", photo)})
        assert cut.status_code == 200, cut.text
        result = cut.json()["result_id"]
        stroke = {"strokes": [{"tool": "background", "radius": 10, "points": [[5, 5], [60, 5]]}]}
        refined = c.post(f"/v1/matting/{result}/refine", json=stroke)
        assert refined.status_code == 200, refined.text
        keys = _upload(c, [photo, png_bytes(product_photo(seed=4)[0])])
        matting_job = c.post("/v1/matting/jobs", json={"items": [{"s3_key": k} for k in keys]})
        banner_job = c.post("/v1/banners/jobs", json={
            "products": [{"s3_key": keys[0], "copy": {"title": "Thermo bottle", "price": "89"}}],
            "sizes": ["1200x628"], "variants": 2})
        assert matting_job.status_code == banner_job.status_code == 202
        feedback = c.post("/v1/feedback", json={"events": [
            {"segment": "durable", "template": "clean-white", "event": "impression",
             "count": 7},
            {"segment": "durable", "template": "clean-white", "event": "click", "count": 2}]})
        assert feedback.status_code == 200, feedback.text
        jobs = {f"/v1/matting/jobs/{matting_job.json()['job_id']}": None,
                f"/v1/banners/jobs/{banner_job.json()['job_id']}": None}
        for path in jobs:
            jobs[path] = _until(c, path, lambda b: b["status"] != "RUNNING")
            assert jobs[path]["status"] == "SUCCEEDED"
        before = _without_urls(c.get(f"/v1/matting/{result}").json())
        cutout_url = cut.json()["urls"]["cutout"]
        cutout = c.get(cutout_url).content
        learned = c.get("/v1/feedback/durable").json()

    with serving(tmp_path) as c:
        assert _without_urls(c.get(f"/v1/matting/{result}").json()) == before
        assert before["versions"] == [1, 2]
        # A URL given out before still works (on this run's port: the test picks free ones).
        assert c.get(httpx.URL(cutout_url).raw_path.decode()).content == cutout
        for path, body in jobs.items():
            assert _without_urls(c.get(path).json()) == _without_urls(body)
        assert c.get("/v1/feedback/durable").json() == learned
        assert learned["templates"]["clean-white"]["impressions"] == 7
        # ...and the store goes on from where it was: the next refine is version 3.
        again = c.post(f"/v1/matting/{result}/refine?response=json", json=stroke)
        assert again.json()["version"] == 3


def test_a_killed_server_loses_no_finished_item_and_says_the_job_was_interrupted(
        tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    photos = [png_bytes(product_photo((900, 1200), seed=int(s))[0])
              for s in rng.integers(0, 1000, 10)]
    with serving(tmp_path, stop=signal.SIGKILL) as c:
        keys = _upload(c, photos)
        job = c.post("/v1/matting/jobs", json={"items": [{"s3_key": k} for k in keys]}).json()
        path = f"/v1/matting/jobs/{job['job_id']}"
        seen = _until(c, path, lambda b: b["counts"]["done"] >= 1)
    assert seen["counts"]["done"] < 10, "the job finished before the kill: make it longer"

    with serving(tmp_path) as c:
        body = c.get(path).json()
        assert body["status"] == "INTERRUPTED"
        done = body["counts"]["done"]
        assert done >= seen["counts"]["done"]
        assert len(body["items"]) + len(body["errors"]) == done
        for item in body["items"]:  # every finished item is whole: record, cutout, mask
            record = c.get(f"/v1/matting/{item['result_id']}").json()
            assert record["versions"] == [1]
            png = c.get(c.post(f"/v1/matting/{item['result_id']}/refine?response=json", json={
                "strokes": [{"tool": "foreground", "radius": 4, "points": [[600, 450]]}]},
            ).json()["urls"]["cutout"])
            assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_file_dropped_in_the_incoming_folder_is_cut_out(tmp_path: Path) -> None:
    with serving(tmp_path):
        drop = tmp_path / "incoming" / "matting"
        deadline = time.monotonic() + 30
        while not drop.is_dir():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        (drop / "bottle.png").write_bytes(png_bytes(product_photo(seed=5)[0]))
        deadline = time.monotonic() + 120
        outputs = tmp_path / "objects" / "vitrina-output" / "matting"
        while not list(outputs.glob("*/v1/record.json")):
            assert time.monotonic() < deadline, "the dropped file was not cut out"
            time.sleep(0.2)
        assert not (drop / "bottle.png").exists()
        assert list(outputs.glob("*/v1/cutout.png"))
