"""Finding 1: a name a user gives never becomes a path or a key unescaped, and a manifest
sent over HTTP reads only files of its own upload, never the server's disk."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import png_bytes
from vitrina import keys, storage
from vitrina.api.app import create_app
from vitrina.config import settings
from vitrina.errors import InputError, UnsafeName
from vitrina.sources import Source
from vitrina.video import stages
from vitrina.video.models import VideoTask

UPLOAD_KEY = re.compile(r"^uploads/[0-9a-f]{32}/[^/]+$")


@pytest.fixture(scope="module")
def client(engine) -> TestClient:
    return TestClient(create_app())


def _ingest(manifest_key: str, job: str) -> dict:
    task = VideoTask(job_id=job, manifest=Source(bucket=settings().input_bucket,
                                                  key=manifest_key))
    return stages.ingest_page(task)


def _upload_keys() -> set[str]:
    return set(storage.list_keys(settings().input_bucket, "uploads/"))


def test_upload_filename_cannot_write_outside_its_folder(client, engine, tmp_path) -> None:
    """The demonstrated exploit: a multipart file named ../../../../../../tmp/x/marker.txt,
    then a video whose manifest sits next to it, wrote /tmp/x/marker.txt on the server."""
    marker = Path("/tmp") / f"vitrina-{uuid.uuid4().hex}" / "marker.txt"
    before = _upload_keys()
    response = client.post("/v1/banners", data={"spec": json.dumps({"copy": {"title": "x"}})},
                           files={"image": (f"../../../../../..{marker}", b"marker")})
    assert response.status_code in (400, 415, 422) and "error" in response.json()
    assert _upload_keys() == before  # nothing stays behind from a failed request
    # The same object planted straight in the bucket (as on AWS anyone with put access could):
    # the local store refuses to hold the key at all, and a manifest naming it reads nothing.
    upload = keys.upload_prefix(keys.new_id())
    bucket = settings().input_bucket
    with pytest.raises(UnsafeName):
        storage.put_bytes(bucket, f"{upload}../../../../../..{marker}", b"marker", "text/plain")
    storage.put_bytes(bucket, f"{upload}manifest.json", json.dumps(
        {"title": "x", "images": [f"../../../../../..{marker}"]}).encode(), "")
    with pytest.raises(InputError):
        _ingest(f"{upload}manifest.json", "paths-write")
    assert not marker.exists() and not marker.parent.exists()


def test_banner_upload_keys_are_built_by_the_project(client, photo) -> None:
    before = _upload_keys()
    spec = {"copy": {"title": "Bottle"}, "sizes": ["300x250"], "variants": 1}
    response = client.post("/v1/banners", data={"spec": json.dumps(spec)},
                           files={"image": ("../../évil\x00 name;rm -rf.png", png_bytes(photo[0]))})
    assert response.status_code == 200, response.text
    new = _upload_keys() - before
    assert len(new) == 1 and all(UPLOAD_KEY.match(k) for k in new), new
    assert ".." not in next(iter(new)) and "\x00" not in next(iter(new))


@pytest.mark.parametrize("ref", ["/etc/hostname", "/etc/no-such-file", "../../../etc/passwd"])
def test_manifest_cannot_read_server_files(engine, ref) -> None:
    """Absolute paths and ../ in a stored manifest name nothing: the same answer whether the
    server file exists or not, and no server path in it."""
    upload = keys.upload_prefix(keys.new_id())
    storage.put_bytes(settings().input_bucket, f"{upload}manifest.json",
                      json.dumps({"title": "x", "images": [ref]}).encode(), "")
    with pytest.raises(InputError) as caught:
        _ingest(f"{upload}manifest.json", "paths-read")
    assert caught.value.message == (f"the manifest manifest.json lists {ref!r}, which is not "
                                    "a file of its upload")
    assert "/tmp" not in caught.value.message


def test_manifest_cannot_reach_another_upload(engine, photo) -> None:
    bucket = settings().input_bucket
    other = keys.new_id()
    storage.put_bytes(bucket, keys.upload_key(other, "secret.png"), png_bytes(photo[0]), "")
    upload = keys.upload_prefix(keys.new_id())
    storage.put_bytes(bucket, f"{upload}manifest.json", json.dumps(
        {"title": "x", "images": [f"../{other}/secret.png"]}).encode(), "")
    with pytest.raises(InputError, match="not a file of its upload"):
        _ingest(f"{upload}manifest.json", "paths-other")


@pytest.mark.parametrize("key", ["uploads/", "uploads/x", "uploads/anything/m.json",
                                 "other/m.json", f"uploads/{'a' * 32}/../m.json", "/etc/passwd"])
def test_video_manifest_key_must_be_a_file_of_an_upload(client, key) -> None:
    response = client.post("/v1/videos", json={"manifest_key": key})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("key", ["../x.png", "a//b.png", "/abs.png", "a/./b.png", "a\x01.png"])
def test_s3_keys_in_requests_are_checked(client, key) -> None:
    response = client.post("/v1/matting/jobs", json={"items": [{"s3_key": key}]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_request"


def test_uploads_route_stores_cleaned_names_under_a_new_upload(client, photo) -> None:
    files = [("files", ("../../a b.png", png_bytes(photo[0]))), ("files", ("a b.png", b"x")),
             ("files", ("/etc/passwd", b"y"))]
    response = client.post("/v1/uploads", files=files)
    assert response.status_code == 201, response.text
    body = response.json()
    stored = [f["key"] for f in body["files"]]
    prefix = keys.upload_prefix(body["upload_id"])
    assert stored == [f"{prefix}a b.png", f"{prefix}a b-2.png", f"{prefix}passwd"]
    assert storage.get_bytes(settings().input_bucket, stored[2]) == b"y"


def test_ffmpeg_errors_carry_no_server_path(tmp_path) -> None:
    """ffmpeg names its input by full path: what reaches a user names the file only."""
    from vitrina.video import encode

    missing = tmp_path / "job-folder" / "segment.mp4"
    with pytest.raises(encode.EncodeError) as caught:
        encode.join([missing], tmp_path / "out.mp4")
    assert "segment" in caught.value.args[0] and str(tmp_path) not in caught.value.args[0]
