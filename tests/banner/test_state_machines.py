"""Both banner state machines, unchanged, on the embedded engine, with the real model."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.conftest import ROOT, png_bytes, product_photo
from vitrina import storage
from vitrina.banner import bandit, jobs
from vitrina.banner.document import Layout
from vitrina.banner.models import BannerCopy, BannerJobItem, BannerJobRequest
from vitrina.banner.stages import report_key
from vitrina.config import settings

COPY = {"title": "保温杯 Thermo bottle", "subtitle": "Hot for 12 h, cold for 24 h",
        "price": "89", "original_price": "129", "cta": "Buy now", "badge": "NEW"}


def _upload(key: str, data: bytes) -> dict[str, str]:
    storage.put_bytes(settings().input_bucket, key, data, "application/octet-stream")
    return {"bucket": settings().input_bucket, "key": key}


def _task(job_id: str, product: dict, **options) -> dict:
    return {"task": {"job_id": job_id, "product_id": "0", "name": "bottle", "product": product,
                     "copy": COPY, **options}}


def test_one_product_several_sizes(engine) -> None:
    product = _upload("uploads/bn-1/bottle.png", png_bytes(product_photo(seed=1)[0]))
    execution = engine.run("BannerStateMachine", _task(
        "bn-1", product, sizes=["1200x628", "300x250", "600x1200"], variants=3, seed=1))
    assert execution.status == "SUCCEEDED", execution.cause
    report = storage.get_json(settings().output_bucket, report_key("bn-1", "0"))
    assert report["status"] == "ok" and report["subject"]["clear"]
    assert [s["size"] for s in report["sizes"]] == ["1200x628", "300x250", "600x1200"]
    for size in report["sizes"]:
        width, height = map(int, size["size"].split("x"))
        assert len(size["variants"]) == 3
        assert [v["rank"] for v in size["variants"]] == [1, 2, 3]
        assert len({v["template"] for v in size["variants"]}) == 3
        for variant in size["variants"]:
            assert variant["evaluation"]["passed"], variant["evaluation"]["problems"]
            image = Image.open(io.BytesIO(storage.get_bytes(settings().output_bucket,
                                                            variant["image"])))
            assert image.size == (width, height)
            layout = Layout.from_dict(storage.get_json(settings().output_bucket,
                                                       variant["layout"]))
            assert (layout.width, layout.height) == (width, height)
    states = {e["stateEnteredEventDetails"]["name"] for e in engine.history(execution.arn)
              if e["type"] == "TaskStateEntered"}
    assert states == {"Analyse", "Plan", "Layout", "Render", "Evaluate", "Rank"}


def test_second_request_for_the_same_photo_reuses_the_cutout(engine) -> None:
    data = png_bytes(product_photo(seed=2)[0])
    first = engine.run("BannerStateMachine", _task(
        "bn-2a", _upload("uploads/bn-2/a.png", data), variants=1, templates=["clean-white"]))
    second = engine.run("BannerStateMachine", _task(
        "bn-2b", _upload("uploads/bn-2/b.png", data), variants=1, templates=["clean-white"]))
    assert first.status == second.status == "SUCCEEDED"
    reports = [storage.get_json(settings().output_bucket, report_key(j, "0"))
               for j in ("bn-2a", "bn-2b")]
    assert [r["subject"]["cached"] for r in reports] == [False, True]


def test_not_an_image_fails_with_a_named_error_report(engine) -> None:
    execution = engine.run("BannerStateMachine", _task(
        "bn-3", _upload("uploads/bn-3/notes.txt", b"hello, not a photo")))
    assert execution.status == "FAILED"
    assert execution.error == "NotAnImage"
    report = storage.get_json(settings().output_bucket, report_key("bn-3", "0"))
    assert report["status"] == "error" and report["error"]["type"] == "NotAnImage"


def test_photo_without_a_clear_subject_gets_scene_layouts(engine) -> None:
    ys, xs = np.mgrid[0:400, 0:600]
    sky = np.dstack([90 + ys // 8, 140 + ys // 10, 220 - xs // 20]).astype(np.uint8)
    execution = engine.run("BannerStateMachine", _task(
        "bn-4", _upload("uploads/bn-4/sky.png", png_bytes(sky)), variants=2,
        templates=["clean-white", "gradient-glow", "full-frame-scene"]))
    assert execution.status == "SUCCEEDED", execution.cause
    report = storage.get_json(settings().output_bucket, report_key("bn-4", "0"))
    assert report["subject"]["clear"] is False and report["subject"]["reason"]
    for variant in report["sizes"][0]["variants"]:
        layout = storage.get_json(settings().output_bucket, variant["layout"])
        assert layout["background"]["kind"] == "scene"
        assert not [e for e in layout["elements"] if e["kind"] == "product"]


def test_the_segment_bandit_orders_the_styles(engine) -> None:
    store = bandit.TableStore()
    for _ in range(30):
        bandit.record_feedback(store, "night-owls", "tech-night", "impression")
        bandit.record_feedback(store, "night-owls", "tech-night", "click")
        bandit.record_feedback(store, "night-owls", "clean-white", "impression")
    product = _upload("uploads/bn-5/bottle.png", png_bytes(product_photo(seed=3)[0]))
    execution = engine.run("BannerStateMachine", _task(
        "bn-5", product, variants=2, segment="night-owls", seed=5))
    assert execution.status == "SUCCEEDED", execution.cause
    report = storage.get_json(settings().output_bucket, report_key("bn-5", "0"))
    assert report["sizes"][0]["variants"][0]["template"] == "tech-night"


def test_batch_continues_past_bad_products(engine) -> None:
    good = png_bytes(product_photo(seed=4)[0])
    _upload("uploads/bn-6/good.png", good)
    _upload("uploads/bn-6/bad.png", good[: len(good) // 3])
    request = BannerJobRequest(
        products=[
            BannerJobItem(name="good", s3_key="uploads/bn-6/good.png", copy=BannerCopy(**COPY)),
            BannerJobItem(name="truncated", s3_key="uploads/bn-6/bad.png",
                          copy=BannerCopy(title="Broken")),
            BannerJobItem(name="private", url="http://127.0.0.1:9/p.png",
                          copy=BannerCopy(title="Refused")),
        ],
        sizes=["1000x250", "300x600"], variants=2,
    )
    meta = jobs.create_job(request, job_id="bn-6")
    execution = engine.wait(meta["execution_arn"], timeout_s=600)
    assert execution.status == "SUCCEEDED", execution.cause
    job = jobs.get_job("bn-6")
    assert job["counts"] == {"total": 3, "done": 3, "succeeded": 1, "failed": 2}
    errors = {e["name"]: e["error"]["type"] for e in job["errors"]}
    assert errors == {"truncated": "TruncatedImage", "private": "FetchRefused"}
    report = storage.get_json(settings().output_bucket, jobs.report_key("bn-6"))
    assert report["succeeded"] == 1 and report["failed"] == 2
    assert (ROOT / "statemachines" / "banner_batch.asl.json").is_file()
