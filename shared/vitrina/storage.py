"""S3 and DynamoDB access shared by every product.

Clients honour ``AWS_ENDPOINT_URL`` (boto3 reads it itself), so the same code talks to
moto's in-process services, a local endpoint, or AWS.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import boto3
import numpy as np
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from vitrina.config import settings
from vitrina.errors import NotFound

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_session: boto3.session.Session | None = None
_generation = 0
_local = threading.local()
_SERIALIZER = TypeSerializer()


def _shared_session() -> boto3.session.Session:
    global _session
    if _session is None:
        _session = boto3.session.Session()
    return _session


def client(service: str):
    """One boto3 client per service for the whole process: clients are thread-safe and costly
    to create (the local engine runs Map branches in fresh threads)."""
    found = _clients.get(service)
    if found is None:
        with _lock:
            found = _clients.get(service)
            if found is None:
                found = _clients[service] = _shared_session().client(service)
    return found


def table(name: str):
    """A DynamoDB Table per thread (resources are not thread-safe), built from the shared
    session so that its model files load once."""
    if getattr(_local, "generation", None) != _generation:
        _local.tables = {}
        _local.generation = _generation
    if name not in _local.tables:
        with _lock:
            _local.tables[name] = _shared_session().resource("dynamodb").Table(name)
    return _local.tables[name]


def reset_clients() -> None:
    """Forget cached clients, e.g. after the local engine starts or stops its mock."""
    global _session, _generation
    with _lock:
        _clients.clear()
        _session = None
        _generation += 1


def get_bytes(bucket: str, key: str) -> bytes:
    try:
        return client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"NoSuchKey", "404", "NoSuchBucket"}:
            raise NotFound(f"s3://{bucket}/{key} does not exist") from exc
        raise


def put_bytes(bucket: str, key: str, data: bytes, content_type: str) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)


def delete(bucket: str, key: str) -> None:
    client("s3").delete_object(Bucket=bucket, Key=key)


def put_array(key: str, array: np.ndarray) -> None:
    """An image-like array (uint8/uint16, 1, 3 or 4 channels) as a PNG in the output bucket."""
    from vitrina.imaging import encode_png

    put_bytes(settings().output_bucket, key, encode_png(array), "image/png")


def get_array(key: str) -> np.ndarray:
    from vitrina.imaging import decode_png_array

    return decode_png_array(get_bytes(settings().output_bucket, key))


def get_json(bucket: str, key: str) -> Any:
    return json.loads(get_bytes(bucket, key))


def put_json(bucket: str, key: str, value: Any) -> None:
    body = json.dumps(value, ensure_ascii=False, indent=1, default=_plain).encode()
    put_bytes(bucket, key, body, "application/json")


def list_keys(bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in client("s3").get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix
    ):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return keys


def presign(bucket: str, key: str, expiry_s: int) -> str:
    return client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expiry_s
    )


def output_urls(keys: dict[str, str]) -> dict[str, str]:
    """Presigned GET URLs of output-bucket objects, by the same names."""
    cfg = settings()
    return {name: presign(cfg.output_bucket, key, cfg.url_expiry_s) for name, key in keys.items()}


def to_dynamo(value: Any) -> Any:
    """DynamoDB wants Decimal, not float."""
    return json.loads(json.dumps(value, default=_plain), parse_float=Decimal)


def dynamo_attribute(value: Any) -> dict[str, Any]:
    """A value in the low-level client's typed form ({"S": ...}), for transactions."""
    return _SERIALIZER.serialize(to_dynamo(value))


def from_dynamo(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
