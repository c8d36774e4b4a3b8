"""The detail-page routes on the local engine: analyse, poll, read, search, count."""

from __future__ import annotations

import io
import time

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from vitrina.api.app import create_app
from vitrina.detail_page.sample_page import compose


@pytest.fixture(scope="module")
def client(engine) -> TestClient:
    return TestClient(create_app())


def _wait(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 300
    while (body := client.get(f"/v1/pages/jobs/{job_id}").json())["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    return body


@pytest.mark.slow
def test_a_long_image_is_analysed_read_back_searched_and_versioned(client) -> None:
    rgb, blocks = compose()
    png = io.BytesIO()
    Image.fromarray(rgb).save(png, "PNG")
    upload = client.post("/v1/uploads", files=[("files", ("长图.png", png.getvalue()))])
    key = upload.json()["files"][0]["key"]
    started = client.post("/v1/pages", json={"image_keys": [key], "name": "coffee"})
    assert started.status_code == 202, started.text
    job = _wait(client, started.json()["job_id"])
    assert job["status"] == "SUCCEEDED" and job["result"] == "ok", job
    page_id = started.json()["page_id"]
    record = client.get(f"/v1/pages/{page_id}").json()
    assert [m["kind"] for m in record["modules"]] == [b.kind for b in blocks]
    assert record["versions"] == [1] and record["source"] == "coffee"
    found = client.get("/v1/pages", params={"q": "挂耳咖啡"}).json()
    assert page_id in [p["page_id"] for p in found["pages"]]
    assert client.get("/v1/pages", params={"q": "!!!"}).json() == {"pages": [],
                                                                   "next_cursor": None}
    again = client.post("/v1/pages", json={"image_keys": [key]}).json()
    assert again["page_id"] == page_id  # the same input is the same page
    assert _wait(client, again["job_id"])["version"] == 2
    assert client.get(f"/v1/pages/{page_id}", params={"version": 1}).json()["version"] == 1
    assert client.get("/v1/pages/stats").json()["pages"] >= 1


@pytest.mark.parametrize("body", [{}, {"image_keys": []},
                                  {"url": "http://127.0.0.1:9/p", "html_key": "a.html"},
                                  {"image_keys": ["../x.png"]}, {"page_id": "nope"}])
def test_a_request_with_nothing_usable_to_read_is_a_400(client, body) -> None:
    response = client.post("/v1/pages", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_request"


def test_a_missing_image_ends_as_a_job_error_that_says_why(client) -> None:
    started = client.post("/v1/pages", json={"image_keys": ["uploads/none/missing.png"]})
    job = _wait(client, started.json()["job_id"])
    assert job["status"] == "FAILED" and job["result"] == "error"
    assert "does not exist" in job["error"]["message"]


def test_unknown_pages_and_jobs_are_404(client) -> None:
    assert client.get("/v1/pages/" + "0" * 24).status_code == 404
    assert client.get("/v1/pages/jobs/nope").status_code == 404
