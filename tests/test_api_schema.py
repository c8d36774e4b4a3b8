"""Property-based tests of the HTTP API, generated from its own OpenAPI schema (schemathesis),
plus deterministic regression tests for the faults such runs have found.

Every response must be: not a 5xx (a 503 is allowed only with ``Retry-After``); for a 4xx,
JSON of the project's error shape ``{"error": {"code": ..., "message": ...}}``; and, where
the schema documents the status, of the documented content type and body schema.
"""

from __future__ import annotations

import json
import time
import zlib
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.conftest import png_bytes, product_photo
from vitrina.api.app import create_app

# Generated URLs could name any host, so even the DNS look-up stays inside the namespace.
pytestmark = pytest.mark.netns


@pytest.fixture(scope="module")
def app(engine) -> FastAPI:
    return create_app()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    # 500s must come back as responses, not as the server's exception re-raised in the test.
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def known_ids(client: TestClient) -> dict[str, str]:
    """Ids that name something, so the routes behind the 404 get exercised too: a matting
    result (a small generated photo) and a finished matting job (one missing input key; no
    address is named, so nothing here needs a network namespace)."""
    rgb, _ = product_photo((96, 128), seed=5)
    created = client.post("/v1/matting?response=json",
                          files={"file": ("bottle.png", png_bytes(rgb))})
    assert created.status_code == 200, created.text
    job = client.post("/v1/matting/jobs", json={"items": [{"s3_key": "schema-test/missing.png"}]})
    assert job.status_code == 202, job.text
    job_id = job.json()["job_id"]
    deadline = time.monotonic() + 60
    while client.get(f"/v1/matting/jobs/{job_id}").json().get("status") == "RUNNING":
        assert time.monotonic() < deadline, "the matting job did not finish in 60 s"
        time.sleep(0.1)
    return {"result_id": created.json()["result_id"], "job_id": job_id}


def swap_in_known_ids(case, known: dict[str, str]) -> None:
    """Replace about half of the generated ids with real ones; a stable hash of the generated
    value decides, so a derandomized run stays repeatable."""
    for name, real in known.items():
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, str) and zlib.crc32(value.encode()) % 2 == 0:
            case.path_parameters[name] = real


def error_shape_problem(status: int, body: bytes) -> str | None:
    """Why a 4xx body breaks the API's error shape, or None when it keeps it."""
    try:
        payload = json.loads(body)
    except ValueError:
        return f"{status} body is not JSON"
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return f"{status} body has no 'error' object"
    code, message = error.get("code"), error.get("message")
    if not (isinstance(code, str) and code):
        return f"{status} error.code is not a non-empty string"
    if not (isinstance(message, str) and len(message) >= 10):
        return f"{status} error.message is not a sentence (>= 10 chars)"
    return None


def assert_error_shape(response, status: int | None = None) -> dict[str, Any]:
    """For the TestClient regression tests: a 4xx (or ``status``) with the error shape."""
    text = response.text[:300]
    if status is not None:
        assert response.status_code == status, f"{response.status_code}: {text}"
    assert 400 <= response.status_code < 500, f"{response.status_code}: {text}"
    problem = error_shape_problem(response.status_code, response.content)
    assert problem is None, f"{problem}: {text}"
    return response.json()["error"]


# --- schemathesis checks: plain functions (ctx, response, case), raising AssertionError ---


def not_a_server_error(ctx, response, case) -> None:
    """No 5xx, except a 503 that says when to retry (the API may shed load)."""
    if response.status_code >= 500:
        retry_after = response.headers.get("retry-after")
        assert response.status_code == 503 and retry_after, (
            f"server error {response.status_code}: {response.text_lossy()[:300]}"
        )


def error_shape(ctx, response, case) -> None:
    """Every 4xx is JSON {"error": {"code": non-empty str, "message": a sentence}}."""
    if 400 <= response.status_code < 500:
        problem = error_shape_problem(response.status_code, response.content)
        assert problem is None, f"{problem}: {response.text_lossy()[:300]}"


# Documented statuses only: content_type_conformance and response_schema_conformance skip a
# status the schema does not document (most 4xx), so they check 200/202 bodies and the 422
# schema (FastAPI's HTTPValidationError, whose "detail" is optional, so the error shape fits).
# Left out by design: status_code_conformance (many 4xx are deliberately undocumented),
# positive_data_acceptance / negative_data_rejection (bodies are read by hand on POST
# /v1/matting and /v1/banners, and ids in paths are free text that often name nothing, so
# schema-valid requests are rightly refused with 404), response_headers_conformance (no
# response headers are documented) and max_response_time (REQUEST_TIMEOUT_S bounds a hang).
CHECKS = [not_a_server_error, error_shape, content_type_conformance, response_schema_conformance]
# Generated inputs are small; a call this slow is a finding (it fails with ReadTimeout).
REQUEST_TIMEOUT_S = 15

# The schema is read at import from an app of its own: create_app() reads settings and
# declares routes, nothing runs until a request comes, and every request goes to the `app`
# fixture's instance, built while the embedded engine runs. (The lazy loader,
# schemathesis.pytest.from_fixture, fails under pytest 9.2 in schemathesis 4.32.5: it reads
# `Function._nodeid`, which pytest no longer has.)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=25,  # per operation, for the fuzzing phase; ~15 s for all on 2 cores
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
def test_api_honours_its_schema_and_error_contract(case, app: FastAPI, known_ids) -> None:
    if case.operation.path.startswith("/v1/matting/"):  # banner/video job ids are other kinds
        swap_in_known_ids(case, known_ids)
    case.call_and_validate(checks=CHECKS, app=app, timeout=REQUEST_TIMEOUT_S)


# --- regression tests for faults found by the runs above ---


def test_unmatched_route_uses_error_shape(client: TestClient) -> None:
    assert_error_shape(client.get("/nope"), 404)


def test_slash_path_param_is_not_a_redirect(client: TestClient) -> None:
    response = client.get("/v1/matting/%2F", follow_redirects=False)
    assert_error_shape(response, 404)


DEPTH = 100_000


@pytest.mark.parametrize("path", ["/v1/matting", "/v1/banners", "/v1/matting/jobs"])
def test_deep_json_is_a_4xx(client: TestClient, path: str) -> None:
    body = "[" * DEPTH + "]" * DEPTH
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert_error_shape(response)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),  # no boundary parameter
        ("multipart/form-data; boundary=x",  # a part's headers never end
         b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"'),
        ("multipart/form-data; boundary=x",  # a part header without a colon
         b"--x\r\nnot a header\r\n\r\ndata\r\n--x--\r\n"),
    ],
    ids=["no-boundary", "unterminated-part", "bad-part-header"],
)
def test_multipart_errors_use_error_shape(client: TestClient, content_type: str,
                                          body: bytes) -> None:
    response = client.post("/v1/matting", content=body, headers={"content-type": content_type})
    assert_error_shape(response)


def test_nan_stroke_coordinates_are_a_4xx(client: TestClient) -> None:
    rgb, _ = product_photo((96, 128), seed=3)
    created = client.post("/v1/matting?response=json",
                          files={"file": ("bottle.png", png_bytes(rgb))})
    assert created.status_code == 200, created.text
    rid = created.json()["result_id"]
    body = '{"strokes": [{"tool": "pen", "radius": 5, "points": [[NaN, 10]]}]}'
    response = client.post(f"/v1/matting/{rid}/refine", content=body,
                           headers={"content-type": "application/json"})
    assert_error_shape(response)


def test_long_job_item_name_is_accepted(client: TestClient) -> None:
    item = {"url": "http://127.0.0.1:9/a.png", "name": "x" * 201}
    response = client.post("/v1/matting/jobs", json={"items": [item]})
    assert response.status_code == 202, f"{response.status_code}: {response.text[:300]}"
    assert response.json()["job_id"]


def test_an_optional_model_this_server_lacks_is_a_4xx(client, monkeypatch) -> None:
    """Found by schemathesis: asking for u2net where it is not installed answered 503 with no
    Retry-After; the caller can fix it (use u2netp), so it is a 4xx that says so."""
    monkeypatch.setenv("VITRINA_U2NET_PATH", "/nonexistent/u2net.onnx")
    png = png_bytes(product_photo((40, 40))[0])
    for response in (client.post("/v1/matting", files={"file": ("p.png", png)},
                                 data={"model": "u2net"}),
                     client.post("/v1/matting/jobs", json={"model": "u2net", "items": [
                         {"url": "http://127.0.0.1:9/a.png"}]})):
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_request"
        assert "use u2netp" in response.json()["error"]["message"]
