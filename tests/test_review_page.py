"""The batch review page in a real headless Chromium (Debian's, driven by Playwright).

The app runs under uvicorn on 127.0.0.1 inside the session's local engine, so the page
talks to the real API, the real state machines and moto's S3 exactly as a browser would.
"""

from __future__ import annotations

import math
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import png_bytes, product_photo
from tests.security.servers import api_server
from vitrina.api.app import create_app
from vitrina.imaging import decode_png_array

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
JOB_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def live_server(engine) -> Iterator[str]:
    """The real app on a free loopback port, served from a background thread."""
    with api_server(create_app()) as base:
        yield base


@pytest.fixture(scope="module")
def api(live_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, trust_env=False, timeout=30) as client:
        yield client


@contextmanager
def chromium() -> Iterator[Browser]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests use Debian's Chromium. Run `make test` "
            "(its .chromium target runs `apt-get install chromium`).",
            pytrace=False,
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _start_job(api: httpx.Client) -> str:
    from vitrina import storage
    from vitrina.config import settings

    prefix = f"review/{uuid.uuid4().hex[:8]}"
    noise = np.random.default_rng(7).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    images = {
        "bottle-a": product_photo(seed=1)[0],
        "bottle-b": product_photo(seed=2)[0],
        "noise": noise,
    }
    for name, rgb in images.items():
        storage.put_bytes(settings().input_bucket, f"{prefix}/{name}.png", png_bytes(rgb),
                          "image/png")
    items = [{"s3_key": f"{prefix}/{name}.png", "name": name} for name in images]
    response = api.post("/v1/matting/jobs",
                        json={"items": [*items, {"url": "http://127.0.0.1:9/x.png"}]})
    assert response.status_code == 202, response.text
    return response.json()["job_id"]


def _drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A mouse drag across the canvas; coordinates are fractions of its displayed box."""
    box = page.locator("#canvas").bounding_box()
    assert box and box["width"] > 100, box
    x0, y0 = box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"]
    x1, y1 = box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=12)
    page.mouse.up()


def _alpha(api: httpx.Client, result_id: str, version: int) -> np.ndarray:
    response = api.get(f"/v1/matting/{result_id}/cutout.png", params={"version": version})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    return decode_png_array(response.content)[..., 3]


def test_review_page_lists_filters_and_refines(api, live_server, tmp_path: Path) -> None:
    job_id = _start_job(api)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page_errors: list[str] = []
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        page.goto(f"{live_server}/review/matting/{job_id}")
        expect(page.locator("h1")).to_contain_text(job_id)

        cards = page.locator("#cards .card")
        expect(cards).to_have_count(3, timeout=JOB_TIMEOUT_MS)
        expect(page.locator("#errors li")).to_have_count(1, timeout=JOB_TIMEOUT_MS)
        expect(page.locator("#progress")).to_have_text("4 / 4")
        expect(page.locator("#errors li")).to_contain_text("FetchRefused")

        job = api.get(f"/v1/matting/jobs/{job_id}").json()
        shown = [float(c) for c in cards.evaluate_all("cs => cs.map(c => c.dataset.confidence)")]
        assert shown == sorted(shown, reverse=True)
        assert shown == [item["confidence"] for item in job["items"]]
        ids = cards.evaluate_all("cs => cs.map(c => c.dataset.resultId)")
        assert ids == [item["result_id"] for item in job["items"]]
        assert job["items"][-1]["name"] == "noise"
        expect(cards.first).to_contain_text(f"{shown[0]:.2f}")

        # hide the lowest card with the threshold slider
        threshold = math.floor(shown[-1] * 100 + 1) / 100
        assert shown[-1] < threshold <= shown[-2], shown
        page.locator("#threshold").fill(f"{threshold:.2f}")
        expect(cards.last).to_be_hidden()
        expect(cards.nth(0)).to_be_visible()
        expect(cards.nth(1)).to_be_visible()
        expect(page.locator("#shown")).to_have_text("2 of 3 shown")

        # a function, not a bare expression: the page's CSP forbids eval
        page.wait_for_function(
            "() => [...document.querySelectorAll('.card img')]"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        shot = tmp_path / "review.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000

        # editor: eraser across the middle of the bottle -> version 2
        result_id = ids[0]
        cards.first.click()
        expect(page.locator("#editor")).to_be_visible()
        expect(page.locator("#version")).to_have_text("version 1")
        page.click("[data-tool=eraser]")
        expect(page.locator("[data-tool=eraser]")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("[data-tool=foreground]")).to_have_attribute("aria-pressed", "false")
        with page.expect_request(lambda r: r.url.endswith("/refine?response=json")) as sent:
            _drag(page, (0.4, 0.5), (0.6, 0.5))
        stroke = sent.value.post_data_json["strokes"][0]
        assert stroke["tool"] == "eraser" and stroke["radius"] == 12
        xs, ys = zip(*stroke["points"], strict=True)
        # display pixels were scaled to the 640 x 480 image
        assert 250 <= min(xs) <= 262 and 378 <= max(xs) <= 390, (min(xs), max(xs))
        assert all(236 <= y <= 244 for y in ys), ys
        expect(page.locator("#version")).to_have_text("version 2", timeout=20_000)
        assert api.get(f"/v1/matting/{result_id}").json()["versions"] == [1, 2]
        before, after = _alpha(api, result_id, 1), _alpha(api, result_id, 2)
        assert before[240, 300:340].min() > 200 and after[240, 300:340].max() == 0

        # pen in the empty top-left corner -> version 3
        page.click("[data-tool=pen]")
        _drag(page, (0.1, 0.15), (0.3, 0.15))
        expect(page.locator("#version")).to_have_text("version 3", timeout=20_000)
        assert api.get(f"/v1/matting/{result_id}").json()["versions"] == [1, 2, 3]
        assert _alpha(api, result_id, 2)[72, 100:160].max() == 0
        assert _alpha(api, result_id, 3)[72, 100:160].min() == 255
        expect(cards.first.locator("img")).to_have_attribute("src", re.compile(r"version=3$"))
        expect(page.locator("#message")).to_be_empty()

        # an API error is shown to the user, and the version stays
        page.route("**/refine?response=json", lambda route: route.fulfill(
            status=404, json={"error": {"code": "not_found", "message": "no such result"}}))
        _drag(page, (0.5, 0.8), (0.55, 0.8))
        expect(page.locator("#message")).to_contain_text("no such result")
        expect(page.locator("#message")).to_be_visible()
        expect(page.locator("#version")).to_have_text("version 3")
        page.keyboard.press("Escape")
        expect(page.locator("#editor")).to_be_hidden()
        assert page_errors == []


def test_png_routes_and_page_escaping(api, live_server) -> None:
    from vitrina.matting import results

    response = api.post("/v1/matting?response=json",
                        files={"file": ("b.png", png_bytes(product_photo(seed=3)[0]))})
    rid = response.json()["result_id"]
    assert results.versions(rid) == [1]
    latest = api.get(f"/v1/matting/{rid}/cutout.png")
    assert latest.status_code == 200 and latest.headers["x-vitrina-version"] == "1"
    assert decode_png_array(latest.content).shape == (480, 640, 4)
    mask = api.get(f"/v1/matting/{rid}/mask.png", params={"version": 1})
    assert mask.headers["content-type"] == "image/png"
    assert decode_png_array(mask.content).shape == (480, 640)
    missing = api.get(f"/v1/matting/{rid}/cutout.png", params={"version": 9})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert api.get("/v1/matting/0nope/mask.png").status_code == 404
    assert api.get(f"/v1/matting/{rid}/cutout.png?version=0").status_code == 400

    # A job id is letters, digits and ._- (the schema says so): markup is refused, not echoed.
    hostile = api.get("/review/matting/<img src=x onerror=alert(1)>")
    assert hostile.status_code == 400 and hostile.json()["error"]["code"] == "invalid_request"
    assert "<img" not in hostile.text
    page = api.get("/review/matting/some-job.1")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'nonce-" in page.headers["content-security-policy"]


def test_api_docs_render_offline(live_server) -> None:
    """/docs (Swagger UI) draws the whole API from packaged files: a browser that may reach
    nothing but this server still shows every operation."""
    elsewhere: list[str] = []
    with chromium() as browser:
        page = browser.new_page()

        def only_here(route) -> None:
            if route.request.url.startswith(live_server):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_here)
        page.goto(f"{live_server}/docs")
        expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
        assert page.locator(".opblock").count() >= 15
        assert page.get_by_text("/v1/matting/{result_id}/refine").first.is_visible()
    assert elsewhere == []
