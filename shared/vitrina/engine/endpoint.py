"""Buckets and tables on a real endpoint (``AWS_ENDPOINT_URL``), created once: an endpoint
keeps them between runs, the embedded store needs none."""

from __future__ import annotations

import contextlib
from typing import Any

from vitrina import storage


def create_bucket(name: str) -> None:
    s3 = storage.client("s3")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=name)


def create_table(name: str, props: dict[str, Any]) -> None:
    """A table as template.yaml declares it (a DynamoDB table or a SAM SimpleTable)."""
    if "KeySchema" in props:
        keys, attrs = props["KeySchema"], props["AttributeDefinitions"]
    else:
        primary = props.get("PrimaryKey", {"Name": "id", "Type": "String"})
        keys = [{"AttributeName": primary["Name"], "KeyType": "HASH"}]
        attrs = [{"AttributeName": primary["Name"], "AttributeType": primary["Type"][0]}]
    dynamodb = storage.client("dynamodb")
    with contextlib.suppress(dynamodb.exceptions.ResourceInUseException):
        dynamodb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                              BillingMode="PAY_PER_REQUEST")
