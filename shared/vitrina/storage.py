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
from botocore.exceptions import ClientError

from vitrina.errors import NotFound

_local = threading.local()


def client(service: str):
    """A boto3 client per thread and service (clients are costly to create)."""
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    if service not in cache:
        cache[service] = boto3.session.Session().client(service)
    return cache[service]


def table(name: str):
    cache = getattr(_local, "tables", None)
    if cache is None:
        cache = _local.tables = {}
    if name not in cache:
        cache[name] = boto3.session.Session().resource("dynamodb").Table(name)
    return cache[name]


def reset_clients() -> None:
    """Forget cached clients, e.g. after the local engine starts or stops its mock."""
    _local.__dict__.clear()


def get_bytes(bucket: str, key: str) -> bytes:
    try:
        return client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"NoSuchKey", "404", "NoSuchBucket"}:
            raise NotFound(f"s3://{bucket}/{key} does not exist") from exc
        raise


def put_bytes(bucket: str, key: str, data: bytes, content_type: str) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)


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


def to_dynamo(value: Any) -> Any:
    """DynamoDB wants Decimal, not float."""
    return json.loads(json.dumps(value, default=_plain), parse_float=Decimal)


def from_dynamo(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_plain))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
