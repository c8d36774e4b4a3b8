"""Finding 8: an open API. A token guards every route but liveness and the docs, `vitrina
serve` will not listen beyond loopback without one, and ids cannot be guessed."""

from __future__ import annotations

import re
import subprocess

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ROOT, png_bytes
from vitrina.api.app import create_app
from vitrina.jobs import new_job_id


@pytest.fixture()
def guarded(engine, monkeypatch) -> TestClient:
    monkeypatch.setenv("VITRINA_API_TOKEN", "s3cret-token-for-tests")
    return TestClient(create_app())


def test_api_token_guards_every_route_but_health_and_docs(guarded) -> None:
    for method, path in [("get", "/v1/banners/templates"), ("post", "/v1/feedback"),
                         ("get", "/v1/matting/jobs/x"), ("post", "/v1/matting/x/refine"),
                         ("get", "/review/matting/x"), ("get", "/nope")]:
        response = getattr(guarded, method)(path)
        assert response.status_code == 401, (path, response.text)
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    wrong = guarded.get("/v1/banners/templates",
                        headers={"Authorization": "Bearer s3cret-token-for-testz"})
    assert wrong.status_code == 401
    right = guarded.get("/v1/banners/templates",
                        headers={"Authorization": "Bearer s3cret-token-for-tests"})
    assert right.status_code == 200 and right.json()
    for path in ("/healthz", "/docs", "/openapi.json"):
        assert guarded.get(path).status_code == 200


def test_serve_refuses_a_public_bind_without_a_token() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    result = subprocess.run([str(ROOT / ".venv/bin/vitrina"), "serve", "--host", "0.0.0.0"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert "VITRINA_API_TOKEN" in result.stderr and "refusing" in result.stderr


def test_result_and_job_ids_carry_128_random_bits(engine, photo) -> None:
    client = TestClient(create_app())
    answer = client.post("/v1/matting?response=json",
                         files={"file": ("b.png", png_bytes(photo[0][:64, :64]))})
    assert re.fullmatch(r"[0-9a-f]{32}", answer.json()["result_id"])
    assert re.fullmatch(r"\d{8}T\d{6}-[0-9a-f]{32}", new_job_id())
