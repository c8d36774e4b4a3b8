"""S3 uploads under incoming/matting/ are cut out through the template's real wiring:
the bucket notification fires the trigger function, which starts the state machine."""

from __future__ import annotations

import time

from tests.conftest import png_bytes
from vitrina import storage
from vitrina.config import settings


def _executions(engine) -> list[dict]:
    return storage.client("stepfunctions").list_executions(
        stateMachineArn=engine.state_machines["MattingStateMachine"])["executions"]


def test_upload_under_the_prefix_is_cut_out_into_the_output_bucket(engine, photo) -> None:
    before = {e["executionArn"] for e in _executions(engine)}
    storage.put_bytes(settings().input_bucket, "incoming/matting/shelf/red bottle.png",
                      png_bytes(photo[0]), "image/png")
    new = [e for e in _executions(engine) if e["executionArn"] not in before]
    assert len(new) == 1
    execution = engine.wait(new[0]["executionArn"], timeout_s=120)
    assert execution.status == "SUCCEEDED", execution.cause
    record = execution.output
    assert record["name"] == "red bottle" and record["status"] == "ok"
    assert storage.get_array(record["outputs"]["cutout"]).shape[2] == 4
    output_keys = storage.list_keys(settings().output_bucket, f"matting/{record['result_id']}/")
    assert output_keys and not any(k.startswith("incoming/") for k in output_keys)
    assert not [k for k in storage.list_keys(settings().input_bucket, "incoming/matting/")
                if not k.endswith("bottle.png")]


def test_uploads_elsewhere_start_nothing(engine, photo) -> None:
    before = len(_executions(engine))
    storage.put_bytes(settings().input_bucket, "other/bottle.png", png_bytes(photo[0]),
                      "image/png")
    time.sleep(0.2)
    assert len(_executions(engine)) == before
