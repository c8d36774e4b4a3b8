"""Both matting state machines, unchanged, on the embedded engine."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from tests.conftest import png_bytes, product_photo
from vitrina import storage
from vitrina.config import settings
from vitrina.matting import jobs
from vitrina.matting.models import Source


def _upload(key: str, data: bytes) -> Source:
    storage.put_bytes(settings().input_bucket, key, data, "application/octet-stream")
    return Source(bucket=settings().input_bucket, key=key)


def test_single_item_succeeds_with_cutout_mask_and_record(engine, photo) -> None:
    source = _upload("uploads/sm-1/bottle.png", png_bytes(photo[0]))
    item = {"job_id": "sm-1", "item_id": "00000", "name": "bottle",
            "source": source.model_dump(mode="json")}
    execution = engine.run("MattingStateMachine", item)
    assert execution.status == "SUCCEEDED", execution.cause
    record = execution.output
    assert record["status"] == "ok" and record["confidence"] > 0.8
    for key in record["outputs"].values():
        assert storage.get_bytes(settings().output_bucket, key)
    states = [e["stateEnteredEventDetails"]["name"] for e in engine.history(execution.arn)
              if e["type"] == "TaskStateEntered"]
    assert states == ["Load", "Segment", "Refine", "Score", "Write"]


def test_single_item_failure_is_named_and_recorded(engine) -> None:
    source = _upload("uploads/sm-2/empty.png", b"")
    item = {"job_id": "sm-2", "item_id": "00000", "name": "empty",
            "source": source.model_dump(mode="json")}
    execution = engine.run("MattingStateMachine", item)
    assert execution.status == "FAILED"
    assert execution.error == "EmptyInput"
    record = storage.jobs_table().get("job#sm-2", "item#00000")["record"]
    assert record["status"] == "error" and record["error"]["type"] == "EmptyInput"


def test_batch_continues_past_bad_items(engine, photo) -> None:
    good = png_bytes(photo[0])
    sources = [
        ("bottle", _upload("uploads/sm-3/bottle.png", good)),
        ("notes", _upload("uploads/sm-3/notes.txt", b"not an image at all")),
        ("half", _upload("uploads/sm-3/half.png", good[: len(good) // 2])),
        ("private", Source(url="http://127.0.0.1:9/private.png")),
        ("missing", Source(bucket=settings().input_bucket, key="uploads/sm-3/nope.png")),
    ]
    meta = jobs.create_job(sources, job_id="sm-3")
    execution = engine.wait(meta["execution_arn"], timeout_s=300)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"job_id": "sm-3", "report": jobs.report_key("sm-3"),
                                "succeeded": 1, "failed": 4}
    report = storage.get_json(settings().output_bucket, jobs.report_key("sm-3"))
    by_name = {i["name"]: i for i in report["items"]}
    assert report["items"][0]["name"] == "bottle"
    assert by_name["notes"]["error"]["type"] == "NotAnImage"
    assert by_name["half"]["error"]["type"] == "TruncatedImage"
    assert by_name["private"]["error"]["type"] == "FetchRefused"
    assert "loopback" in by_name["private"]["error"]["message"]
    assert by_name["missing"]["error"]["type"] == "NotFound"
    job = jobs.get_job("sm-3")
    assert job["status"] == "SUCCEEDED"
    assert job["counts"] == {"total": 5, "done": 5, "succeeded": 1, "failed": 4}


def test_batch_orders_by_descending_confidence(engine, photo) -> None:
    sources = [(f"p{i}", _upload(f"uploads/sm-4/p{i}.png", png_bytes(product_photo(seed=i)[0])))
               for i in range(3)]
    noise = np.random.default_rng(5).random((200, 200, 3)) * 255
    sources.append(("noise", _upload("uploads/sm-4/noise.png", png_bytes(noise.astype("uint8")))))
    meta = jobs.create_job(sources, job_id="sm-4")
    assert engine.wait(meta["execution_arn"], timeout_s=300).status == "SUCCEEDED"
    items = jobs.get_job("sm-4")["items"]
    confidences = [i["confidence"] for i in items]
    assert confidences == sorted(confidences, reverse=True)
    assert items[-1]["name"] == "noise"


def test_manifest_items_are_state_payloads(engine) -> None:
    manifest = jobs.build_manifest("m-1", [("a", Source(url="https://example.com/a.jpg"))],
                                   "u2netp")
    assert len(json.dumps(manifest[0])) < 1024
    assert manifest[0]["item_id"] == "00000"


class _Flaky:
    """A loopback image server serving ``body``, whose first answer comes too late (a fetch
    timeout) when ``stall_first``. Bounded: at most 10 requests, 30 s."""

    def __init__(self, body: bytes, stall_first: bool) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        flaky = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                flaky.requests += 1
                if stall_first and flaky.requests == 1:
                    time.sleep(1.5)  # past VITRINA_FETCH_TIMEOUT_S=0.5
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        deadline = time.monotonic() + 30
        self.server.timeout = 0.2
        while self.requests < 10 and time.monotonic() < deadline and not self.stopped:
            self.server.handle_request()

    def __enter__(self) -> str:
        self.stopped = False
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/p.png"

    def __exit__(self, *exc: object) -> None:
        self.stopped = True
        self.thread.join(5)
        self.server.server_close()


@pytest.fixture()
def no_retry_waits(monkeypatch) -> None:
    """Step Functions' Retry intervals really sleep in the interpreter: not in tests."""
    from types import SimpleNamespace

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=lambda s: None))


def test_a_transient_fetch_timeout_is_retried_and_a_bad_image_is_not(
        engine, monkeypatch, photo, no_retry_waits) -> None:
    monkeypatch.setenv("VITRINA_FETCH_TIMEOUT_S", "0.5")
    """A first-try fetch timeout succeeds on the Retry the ASL names it in; a bad image (an
    input error) fails once, never retried."""
    for body, stall, status, requests in ((png_bytes(photo[0]), True, "SUCCEEDED", 2),
                                          (b"not an image at all", False, "FAILED", 1)):
        flaky = _Flaky(body, stall)
        with flaky as url:
            port = url.rsplit(":", 1)[1].split("/")[0]
            monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", f"127.0.0.1:{port}")
            item = {"job_id": f"retry-{requests}", "item_id": "00000", "name": "p",
                    "source": {"url": url}}
            execution = engine.run("MattingStateMachine", item, timeout_s=120)
        assert execution.status == status, execution.cause
        assert flaky.requests == requests
