"""The HTTP API through FastAPI's test client and through the Mangum Lambda handler."""

from __future__ import annotations

import base64
import importlib.util
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT, iou, load_event, png_bytes
from vitrina.api.app import create_app
from vitrina.engine.local import LocalContext
from vitrina.imaging import decode_png_array


@pytest.fixture(scope="module")
def client(engine) -> TestClient:
    return TestClient(create_app())


def test_cutout_png_with_confidence_header(client, photo) -> None:
    rgb, mask = photo
    response = client.post("/v1/matting", files={"file": ("bottle.png", png_bytes(rgb))})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert 0.8 < float(response.headers["x-vitrina-confidence"]) <= 1
    rgba = decode_png_array(response.content)
    assert rgba.shape == (*mask.shape, 4)
    assert iou(rgba[..., 3] >= 128, mask) > 0.95


def test_cutout_json_with_urls(client, photo) -> None:
    response = client.post("/v1/matting?response=json",
                           files={"file": ("bottle.png", png_bytes(photo[0]))})
    body = response.json()
    assert response.status_code == 200
    assert body["version"] == 1 and body["name"] == "bottle"
    assert set(body["urls"]) == {"cutout", "mask", "record"}
    served = client.get(body["urls"]["cutout"])  # the embedded store's presigned URL works
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert decode_png_array(served.content).shape[2] == 4
    forged = body["urls"]["cutout"].replace("cutout.png", "mask.png")
    assert client.get(forged).status_code == 403
    assert client.get(forged).json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"files": {"file": ("a.png", b"")}}, 415, "empty_input"),
        ({"files": {"file": ("a.txt", b"hello there")}}, 415, "not_an_image"),
        ({"json": {"url": "http://127.0.0.1:8/a.png"}}, 403, "url_refused"),
        ({"json": {"url": "file:///etc/passwd"}}, 403, "url_refused"),
        ({"json": {"nope": 1}}, 400, "invalid_request"),
        ({"content": b"raw", "headers": {"content-type": "text/plain"}}, 415,
         "unsupported_media_type"),
    ],
)
def test_bad_input_is_a_4xx_with_code_and_sentence(client, kwargs, status, code) -> None:
    response = client.post("/v1/matting", **kwargs)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and len(error["message"]) > 10


def test_refine_creates_new_versions_and_keeps_old_ones(client, photo) -> None:
    rgb = photo[0]
    first = client.post("/v1/matting?response=json",
                        files={"file": ("bottle.png", png_bytes(rgb))}).json()
    rid = first["result_id"]
    strokes = {"strokes": [{"tool": "eraser", "radius": 10, "points": [[320, 300], [330, 310]]}]}
    second = client.post(f"/v1/matting/{rid}/refine", json=strokes)
    assert second.status_code == 200, second.text
    assert second.json()["version"] == 2 and second.json()["based_on"] == 1
    png = client.post(f"/v1/matting/{rid}/refine?response=png", json={
        "base_version": 1,
        "strokes": [{"tool": "pen", "radius": 5, "points": [[10, 10]]}]})
    assert png.headers["x-vitrina-version"] == "3"
    assert decode_png_array(png.content)[10, 10, 3] == 255
    info = client.get(f"/v1/matting/{rid}").json()
    assert info["versions"] == [1, 2, 3]
    assert client.post("/v1/matting/0nope/refine", json=strokes).json()["error"]["code"] == \
        "not_found"
    bad = client.post(f"/v1/matting/{rid}/refine", json={"strokes": [{"tool": "x"}]})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_request"


def test_jobs_accept_then_report(client, photo, engine) -> None:
    from vitrina import storage
    from vitrina.config import settings

    storage.put_bytes(settings().input_bucket, "api/bottle.png", png_bytes(photo[0]), "image/png")
    response = client.post("/v1/matting/jobs", json={"items": [
        {"s3_key": "api/bottle.png"}, {"url": "http://127.0.0.1:9/x.png"}]})
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    deadline = time.monotonic() + 120
    while (job := client.get(f"/v1/matting/jobs/{job_id}").json())["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["counts"] == {"total": 2, "done": 2, "succeeded": 1, "failed": 1}
    assert job["items"][0]["name"] == "bottle"
    assert job["errors"][0]["error"]["type"] == "FetchRefused"
    assert client.get("/v1/matting/jobs/none").status_code == 404
    assert client.post("/v1/matting/jobs", json={"items": []}).status_code == 400


def test_openapi_docs(client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/matting", "/v1/matting/{result_id}/refine", "/v1/matting/jobs",
            "/v1/matting/jobs/{job_id}"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
    # The error shape the API really answers with is the one it documents.
    error = spec["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message"}
    missing = spec["paths"]["/v1/matting/{result_id}"]["get"]["responses"]["404"]
    assert missing["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert set(client.get("/v1/matting/0nope").json()["error"]) >= {"code", "message"}


def _api_handler(monkeypatch: pytest.MonkeyPatch, base_path: str):
    monkeypatch.setenv("VITRINA_API_BASE_PATH", base_path)
    spec = importlib.util.spec_from_file_location("api_app_test", ROOT / "functions/api/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


def test_mangum_handler_with_api_gateway_v2_event(engine, monkeypatch) -> None:
    handler = _api_handler(monkeypatch, "/")
    context = LocalContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api", 1024, 29)
    response = handler(load_event("apigw_v2_healthz"), context)
    assert response["statusCode"] == 200 and '"status":"ok"' in response["body"]


@pytest.mark.netns
def test_mangum_strips_the_stage_base_path_and_refuses_metadata_urls(engine, monkeypatch) -> None:
    handler = _api_handler(monkeypatch, "/prod")
    context = LocalContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api", 1024, 29)
    response = handler(load_event("apigw_v2_matting_url_stage"), context)
    assert response["statusCode"] == 403
    assert "link-local" in response["body"] and "url_refused" in response["body"]


def test_mangum_returns_png_base64(engine, monkeypatch, photo) -> None:
    handler = _api_handler(monkeypatch, "/")
    event = load_event("apigw_v2_healthz")
    boundary = "vitrinaboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"b.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + \
        png_bytes(photo[0]) + f"\r\n--{boundary}--\r\n".encode()
    event.update(rawPath="/v1/matting", body=base64.b64encode(body).decode(),
                 isBase64Encoded=True)
    event["headers"] = {"content-type": f"multipart/form-data; boundary={boundary}"}
    event["requestContext"]["http"].update(method="POST", path="/v1/matting")
    context = LocalContext("api", "arn:aws:lambda:us-east-1:123456789012:function:api", 1024, 29)
    response = handler(event, context)
    assert response["statusCode"] == 200 and response["isBase64Encoded"]
    rgba = decode_png_array(base64.b64decode(response["body"]))
    assert rgba.shape[2] == 4 and np.any(rgba[..., 3] == 255)
