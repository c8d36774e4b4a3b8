"""AWS_ENDPOINT_URL sends S3 and DynamoDB to a real endpoint (here a moto server in its own
process) while the state machines still run on the embedded engine."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import boto3
import pytest

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def endpoint():
    port = _free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/moto_server"), "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "moto_server did not start"
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_outputs_land_in_the_external_endpoint(endpoint: str, tmp_path: Path) -> None:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run(
        [str(ROOT / ".venv/bin/vitrina"), "matting", str(ROOT / "samples/coffee.png"),
         "--out", str(tmp_path), "--quiet"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="vitrina-output")["Contents"]]
    assert any(k.endswith("/v1/cutout.png") for k in keys)
    assert any(k.endswith("/report.json") for k in keys)
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    rows = dynamodb.scan(TableName="vitrina-jobs")["Items"]
    assert any(r["sk"]["S"] == "item#00000" for r in rows)


def test_an_operator_setting_wins_over_the_template_default() -> None:
    """VITRINA_FETCH_ALLOW_PRIVATE comes from a template parameter (default false): set by the
    operator, the local engine keeps it (it overwrote it before); engine names still win.
    In a process of its own: one engine per process."""
    script = ("from vitrina.config import settings\n"
              "from vitrina.engine.local import LocalEngine\n"
              "with LocalEngine():\n"
              "    print(settings().fetch_allow_private, settings().input_bucket)\n")
    env = {**os.environ, "VITRINA_FETCH_ALLOW_PRIVATE": "true",
           "VITRINA_INPUT_BUCKET": "not-the-engines"}
    result = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", script], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "vitrina-input"]
