"""One contract, two backends: every table and object test runs on the local store (SQLite
and files) and on AWS's (DynamoDB and S3, through moto), so both keep the same semantics."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from vitrina.errors import NotFound, UnsafeName
from vitrina.store.dynamo import DynamoTable
from vitrina.store.objects import FileObjects, ObjectStore, S3Objects
from vitrina.store.sqlite import SqliteTable
from vitrina.store.tables import (
    Absent,
    Add,
    AtMost,
    ConditionFailed,
    Delete,
    Equals,
    Put,
    Table,
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's S3 and DynamoDB in-process. DynamoDB applies each request atomically; moto's
    tables do not lock, so one lock around each request gives back DynamoDB's rule."""
    from moto import mock_aws
    from moto.dynamodb.responses import DynamoHandler

    lock, call_action = threading.Lock(), DynamoHandler.call_action

    def serialised(handler: DynamoHandler) -> object:
        with lock:
            return call_action(handler)

    monkeypatch.setattr(DynamoHandler, "call_action", serialised)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


@pytest.fixture(params=["sqlite", "dynamodb"])
def table(request: pytest.FixtureRequest, tmp_path: Path) -> Table:
    if request.param == "sqlite":
        return SqliteTable(tmp_path / "tables.sqlite3", "jobs")
    request.getfixturevalue("aws")
    client, name = boto3.client("dynamodb"), f"jobs-{uuid.uuid4().hex}"  # a session mock may
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}])
    return DynamoTable(name, client, boto3.resource("dynamodb").Table(name))


BUCKET = f"out-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["files", "s3"])
def objects(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "files":
        return FileObjects(tmp_path / "objects")
    request.getfixturevalue("aws")
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    for key in S3Objects(client).list(BUCKET, ""):  # a session-wide mock may keep it
        client.delete_object(Bucket=BUCKET, Key=key)
    return S3Objects(client)


def test_rows_round_trip_plain_json(table: Table) -> None:
    assert table.get("p", "s") is None
    record = {"name": "咖啡 ☕", "score": 0.5, "n": 3, "nested": {"a": [1, 2.5, None, True]}}
    table.put("p", "s", {"record": record})
    assert table.get("p", "s") == {"record": record}
    table.delete("p", "s")
    assert table.get("p", "s") is None


def test_query_is_in_sort_key_order_with_prefix_and_pages(table: Table) -> None:
    for sk in ["listed#b", "listed#a", "item#1", "listed#c", "listed#d", "other"]:
        table.put("job", sk, {"v": sk})
    table.put("job2", "listed#a", {"v": "x"})
    page = table.query("job", "listed#")
    assert [r["sk"] for r in page.rows] == ["listed#a", "listed#b", "listed#c", "listed#d"]
    assert page.next_after is None
    first = table.query("job", "listed#", limit=2)
    assert [r["v"] for r in first.rows] == ["listed#a", "listed#b"]
    second = table.query("job", "listed#", limit=2, after=first.next_after)
    assert [r["v"] for r in second.rows] == ["listed#c", "listed#d"]
    assert second.next_after is None  # an exactly full last page says there is no more


def test_add_is_atomic_under_concurrent_writers(table: Table) -> None:
    """8 threads x 500 ADDs give exactly 4,000: no lost update (the issue's own figure), by
    plain ADDs and by the bandit's conditional ones in transactions alike."""
    errors: list[BaseException] = []

    def adder() -> None:
        try:
            for n in range(500):
                if n % 2:
                    table.add("segment#s", "template#t", {"impressions": 1})
                else:
                    table.write([Add("segment#s", "template#t", {"impressions": 1},
                                     (AtMost("impressions", 10**9),))])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=adder) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert table.get("segment#s", "template#t") == {"impressions": 4000}


def test_a_transaction_is_all_or_nothing(table: Table) -> None:
    table.put("job", "item#1", {"rank": "a"})
    with pytest.raises(ConditionFailed) as failed:
        table.write([Put("job", "listed#x", {"v": 1}),
                     Add("job", "counts", {"done": 1}),
                     Put("job", "item#1", {"rank": "b"}, (Absent(),))])
    assert failed.value.index == 2
    assert table.get("job", "listed#x") is None and table.get("job", "counts") is None
    table.write([Put("job", "item#1", {"rank": "b"}, (Equals("rank", "a"),)),
                 Add("job", "counts", {"done": 1, "ok": 1}),
                 Delete("job", "listed#a")])
    assert table.get("job", "item#1") == {"rank": "b"}
    assert table.get("job", "counts") == {"done": 1, "ok": 1}


def test_conditions_on_counts(table: Table) -> None:
    arm = ("segment#s", "template#t")
    table.write([Add(*arm, {"impressions": 5}, (AtMost("impressions", 5),))])  # missing: ok
    table.write([Add(*arm, {"impressions": 5}, (AtMost("impressions", 5),))])
    with pytest.raises(ConditionFailed):
        table.write([Add(*arm, {"impressions": 1}, (AtMost("impressions", 9),))])
    assert table.get(*arm) == {"impressions": 10}
    with pytest.raises(ConditionFailed):
        table.write([Put("job", "meta", {"v": 1}, (Equals("v", 0),))])  # no row: not equal


def test_add_returns_new_values(table: Table) -> None:
    assert table.add("result#r", "versions", {"refines": 1}) == {"refines": 1}
    assert table.add("result#r", "versions", {"refines": 1}) == {"refines": 2}


def test_objects_round_trip_list_and_delete(objects: ObjectStore) -> None:
    objects.put(BUCKET, "matting/r1/v1/cutout.png", b"png", "image/png")
    objects.put(BUCKET, "matting/r1/v2/cutout.png", b"png2", "image/png")
    objects.put(BUCKET, "matting/r10/v1/cutout.png", b"x", "image/png")
    objects.put(BUCKET, "jobs/j/report.json", b"{}", "application/json")
    assert objects.get(BUCKET, "matting/r1/v2/cutout.png") == b"png2"
    assert objects.list(BUCKET, "matting/r1/v") == ["matting/r1/v1/cutout.png",
                                                   "matting/r1/v2/cutout.png"]
    assert objects.list(BUCKET, "matting/r1") == ["matting/r1/v1/cutout.png",
                                                 "matting/r1/v2/cutout.png",
                                                 "matting/r10/v1/cutout.png"]
    assert objects.list(BUCKET, "nothing/") == []
    objects.put(BUCKET, "matting/r1/v1/cutout.png", b"again", "image/png")
    assert objects.get(BUCKET, "matting/r1/v1/cutout.png") == b"again"
    objects.delete(BUCKET, "matting/r1/v1/cutout.png")
    with pytest.raises(NotFound):
        objects.get(BUCKET, "matting/r1/v1/cutout.png")


def test_objects_take_keys_with_parts_longer_than_a_file_name(objects: ObjectStore) -> None:
    """S3 keys run to 1,024 bytes in one part; a file name to 255: the file store still
    keeps and lists them under their own key."""
    long_key = "incoming/matting/" + "长名" * 120 + ".png"
    objects.put(BUCKET, long_key, b"long", "image/png")
    objects.put(BUCKET, "incoming/matting/short.png", b"short", "image/png")
    assert objects.get(BUCKET, long_key) == b"long"
    assert objects.list(BUCKET, "incoming/") == sorted([long_key, "incoming/matting/short.png"])
    objects.delete(BUCKET, long_key)
    assert objects.list(BUCKET, "incoming/") == ["incoming/matting/short.png"]


def test_file_objects_refuse_keys_outside_their_bucket(tmp_path: Path) -> None:
    store = FileObjects(tmp_path / "objects")
    (tmp_path / "secret.txt").write_text("no")
    for key in ["../../secret.txt", "/etc/passwd", "a/../../x", "a\x00b"]:
        with pytest.raises(UnsafeName):
            store.put("out", key, b"x", "text/plain")
        with pytest.raises(UnsafeName):
            store.get("out", key)
    assert not list((tmp_path / "objects").rglob("x"))


def test_local_presigned_urls_are_signed_and_expire(tmp_path: Path) -> None:
    store = FileObjects(tmp_path / "objects")
    url = store.presign("out", "matting/r/v1/cutout.png", 60)
    path, _, query = url.partition("?")
    assert path == "/v1/files/out/matting/r/v1/cutout.png"
    params = dict(p.split("=") for p in query.split("&"))
    expires, signature = int(params["expires"]), params["signature"]
    assert store.verify("out", "matting/r/v1/cutout.png", expires, signature)
    assert not store.verify("out", "matting/r/v2/cutout.png", expires, signature)
    assert not store.verify("out", "matting/r/v1/cutout.png", expires + 1, signature)
    assert not store.verify("out", "matting/r/v1/cutout.png", 1, store.signature(
        "out", "matting/r/v1/cutout.png", 1))
    # The key is kept in the data directory: a restarted server accepts the same URL.
    assert FileObjects(tmp_path / "objects").verify("out", "matting/r/v1/cutout.png",
                                                    expires, signature)


def test_temporary_files_of_a_crashed_writer_are_swept(tmp_path: Path) -> None:
    store = FileObjects(tmp_path / "objects")
    store.put("out", "a.png", b"a", "image/png")
    partial = tmp_path / "objects" / ".partial"
    (partial / "old").write_bytes(b"half")
    (partial / "live").write_bytes(b"half")
    os.utime(partial / "old", (time.time() - 7200, time.time() - 7200))
    assert store.sweep() == 1
    assert sorted(p.name for p in partial.iterdir()) == ["live"]
    assert store.get("out", "a.png") == b"a"
