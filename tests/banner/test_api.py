"""The banner routes and the feedback loop through FastAPI's test client."""

from __future__ import annotations

import io
import json
import time

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import png_bytes, product_photo
from vitrina import storage
from vitrina.api.app import create_app
from vitrina.config import settings


@pytest.fixture(scope="module")
def client(engine) -> TestClient:
    return TestClient(create_app())


SPEC = {"copy": {"title": "Thermo bottle 保温杯", "price": 89, "cta": "Buy now"},
        "sizes": ["1200x628", "300x250"], "variants": 2}


def test_upload_returns_ranked_variants_with_layouts(client) -> None:
    response = client.post("/v1/banners", files={
        "image": ("bottle.png", png_bytes(product_photo(seed=7)[0])),
        "spec": (None, json.dumps(SPEC)),
    })
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["size"] for s in body["sizes"]] == ["1200x628", "300x250"]
    for size in body["sizes"]:
        assert [v["rank"] for v in size["variants"]] == [1, 2]
        for variant in size["variants"]:
            assert variant["evaluation"]["passed"]
            served = client.get(variant["urls"]["image"])  # the presigned URL works
            assert served.status_code == 200
            assert served.headers["content-type"] == "image/png"
            layout = variant["layout_json"]
            assert f"{layout['width']}x{layout['height']}" == size["size"]
            assert {e["id"] for e in layout["elements"]} >= {"headline", "price", "cta"}
            assert served.content == storage.get_bytes(settings().output_bucket,
                                                       variant["image"])
            image = Image.open(io.BytesIO(served.content))
            assert f"{image.width}x{image.height}" == size["size"]


def test_json_body_with_an_s3_key(client) -> None:
    key = "uploads/api-banner/bottle.png"
    storage.put_bytes(settings().input_bucket, key, png_bytes(product_photo(seed=8)[0]),
                      "image/png")
    response = client.post("/v1/banners", json={
        **SPEC, "product": {"s3_key": key}, "sizes": ["600x600"], "variants": 1,
        "format": "webp"})
    assert response.status_code == 200, response.text
    variant = response.json()["sizes"][0]["variants"][0]
    assert variant["image"].endswith(".webp")


@pytest.mark.parametrize(("body", "status", "code", "words"), [
    ({**SPEC, "product": {"url": "http://127.0.0.1:9/p.png"}}, 403, "url_refused", "loopback"),
    ({**SPEC, "product": {"s3_key": "x.png"}, "sizes": ["100x100"]}, 400, "invalid_request",
     "250..3000 a side"),
    ({**SPEC, "product": {"s3_key": "x.png"}, "sizes": ["2000x260"]}, 422, "unsupported_size",
     "aspect"),
    ({**SPEC, "product": {"s3_key": "x.png"}, "copy": {"title": "   "}}, 400, "invalid_request",
     "title"),
    ({**SPEC, "product": {"s3_key": "x.png"}, "copy": {}}, 400, "invalid_request", "title"),
    ({**SPEC, "product": {"s3_key": "no/such.png"}}, 404, "not_found", "does not exist"),
    ({**SPEC, "product": {"s3_key": "x.png"}, "templates": ["comic-sans"]}, 400,
     "invalid_request", "unknown template 'comic-sans'"),
])
def test_bad_requests_are_4xx_with_a_code_and_a_sentence(client, body, status, code,
                                                         words) -> None:
    storage.put_bytes(settings().input_bucket, "x.png", png_bytes(product_photo(seed=9)[0]),
                      "image/png")
    response = client.post("/v1/banners", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and words in error["message"]


def test_not_an_image_upload(client) -> None:
    response = client.post("/v1/banners", files={"image": ("a.txt", b"hello"),
                                                 "spec": (None, json.dumps(SPEC))})
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "not_an_image"


def test_feedback_then_segment_state(client) -> None:
    events = [{"segment": "api-seg", "template": "dark-luxury", "event": "impression",
               "count": 10},
              {"segment": "api-seg", "template": "dark-luxury", "event": "click", "count": 4}]
    assert client.post("/v1/feedback", json={"events": events}).json() == {"recorded": 2}
    assert client.post("/v1/feedback", json={"segment": "api-seg", "template": "dark-luxury",
                                             "event": "download"}).status_code == 200
    state = client.get("/v1/feedback/api-seg").json()["templates"]["dark-luxury"]
    assert state["impressions"] == 10 and state["rewards"] == 5
    bad = client.post("/v1/feedback", json={"template": "nope", "event": "click"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_request"


def test_batch_job_accepts_then_reports(client, engine) -> None:
    key = "uploads/api-banner-job/bottle.png"
    storage.put_bytes(settings().input_bucket, key, png_bytes(product_photo(seed=10)[0]),
                      "image/png")
    response = client.post("/v1/banners/jobs", json={
        "products": [{"s3_key": key, "copy": {"title": "Bottle"}},
                     {"s3_key": "uploads/api-banner-job/missing.png",
                      "copy": {"title": "Missing"}}],
        "sizes": ["1000x500"], "variants": 1})
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    deadline = time.monotonic() + 300
    while True:
        job = client.get(f"/v1/banners/jobs/{job_id}").json()
        if job["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job["status"] == "SUCCEEDED"
    assert job["counts"]["succeeded"] == 1 and job["counts"]["failed"] == 1
    assert job["errors"][0]["error"]["type"] == "NotFound"
    assert client.get("/v1/banners/jobs/nope").status_code == 404


def test_templates_are_listed_and_documented(client) -> None:
    templates = client.get("/v1/banners/templates").json()
    assert len(templates) >= 12 and all(t["description"] for t in templates)
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/banners", "/v1/banners/jobs", "/v1/banners/jobs/{job_id}",
            "/v1/feedback"} <= set(paths)


def test_upload_with_a_scene_and_a_logo(client) -> None:
    from tests.banner.conftest import scene_photo

    scene, _ = scene_photo()
    logo = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    logo.paste((30, 60, 200, 255), (5, 5, 115, 35))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")
    spec = {**SPEC, "sizes": ["1200x628"], "variants": 1, "templates": ["full-frame-scene"]}
    response = client.post("/v1/banners", files={
        "image": ("bottle.png", png_bytes(product_photo(seed=11)[0])),
        "scene": ("scene.png", png_bytes(scene)),
        "logo": ("logo.png", buffer.getvalue()),
        "spec": (None, json.dumps(spec)),
    })
    assert response.status_code == 200, response.text
    layout = response.json()["sizes"][0]["variants"][0]["layout_json"]
    kinds = {e["kind"] for e in layout["elements"]}
    assert layout["background"]["kind"] == "scene" and {"product", "logo"} <= kinds
