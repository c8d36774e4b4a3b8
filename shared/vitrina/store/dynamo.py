"""The table contract on DynamoDB: one item per row, keys ``pk`` and ``sk``; each
condition becomes a ConditionExpression, so DynamoDB itself enforces it atomically."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeSerializer

from vitrina.store.tables import (
    Absent,
    Add,
    AtMost,
    Condition,
    ConditionFailed,
    Delete,
    Equals,
    Op,
    Page,
    Put,
    Row,
)

_SERIALIZER = TypeSerializer()


def to_dynamo(value: Any) -> Any:
    """DynamoDB wants Decimal, not float."""
    return json.loads(json.dumps(value, default=plain), parse_float=Decimal)


def attribute(value: Any) -> dict[str, Any]:
    """A value in the low-level client's typed form ({"S": ...})."""
    return _SERIALIZER.serialize(to_dynamo(value))


def from_dynamo(value: Any) -> Any:
    return json.loads(json.dumps(value, default=plain))


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _strip(item: dict[str, Any], keep_sk: bool = False) -> Row:
    row = from_dynamo(item)
    row.pop("pk", None)
    if not keep_sk:
        row.pop("sk", None)
    return row


def _condition(conditions: tuple[Condition, ...], names: dict[str, str],
               values: dict[str, Any]) -> str:
    parts = []
    for n, cond in enumerate(conditions):
        if isinstance(cond, Absent):
            parts.append("attribute_not_exists(pk)")
            continue
        names[f"#c{n}"] = cond.attr
        values[f":c{n}"] = attribute(cond.value)
        if isinstance(cond, Equals):
            parts.append(f"#c{n} = :c{n}")
        elif isinstance(cond, AtMost):
            parts.append(f"(attribute_not_exists(#c{n}) OR #c{n} <= :c{n})")
    return " AND ".join(parts)


class DynamoTable:
    def __init__(self, name: str, client: Any, resource_table: Any) -> None:
        self.name, self.client, self.table = name, client, resource_table

    def get(self, pk: str, sk: str) -> Row | None:
        item = self.table.get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
        return None if item is None else _strip(item)

    def put(self, pk: str, sk: str, attrs: Row) -> None:
        self.table.put_item(Item=to_dynamo({**attrs, "pk": pk, "sk": sk}))

    def delete(self, pk: str, sk: str) -> None:
        self.table.delete_item(Key={"pk": pk, "sk": sk})

    def add(self, pk: str, sk: str, deltas: dict[str, int]) -> dict[str, int]:
        answer = self.table.update_item(
            Key={"pk": pk, "sk": sk},
            UpdateExpression="ADD " + ", ".join(f"#a{n} :a{n}" for n in range(len(deltas))),
            ExpressionAttributeNames={f"#a{n}": k for n, k in enumerate(deltas)},
            ExpressionAttributeValues={f":a{n}": v for n, v in enumerate(deltas.values())},
            ReturnValues="UPDATED_NEW")
        return {k: int(answer["Attributes"][k]) for k in deltas}

    def query(self, pk: str, prefix: str = "", limit: int | None = None,
              after: str | None = None) -> Page:
        condition = Key("pk").eq(pk)
        if prefix:
            condition &= Key("sk").begins_with(prefix)
        kwargs: dict[str, Any] = {"KeyConditionExpression": condition, "ConsistentRead": True}
        if after is not None:
            kwargs["ExclusiveStartKey"] = {"pk": pk, "sk": after}
        rows: list[Row] = []
        while True:
            if limit is not None:
                kwargs["Limit"] = limit - len(rows)
            page = self.table.query(**kwargs)
            rows.extend(_strip(item, keep_sk=True) for item in page["Items"])
            last = page.get("LastEvaluatedKey")
            if last is None or (limit is not None and len(rows) >= limit):
                break
            kwargs["ExclusiveStartKey"] = last
        if last is not None and limit is not None:
            # DynamoDB may say "more" when the page ended exactly at the last row: ask once.
            probe = self.table.query(**{**kwargs, "ExclusiveStartKey": last, "Limit": 1})
            last = last if probe["Items"] else None
        return Page(rows, rows[-1]["sk"] if last is not None and rows else None)

    def write(self, ops: list[Op]) -> None:
        items = [self._transact_item(op) for op in ops]
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            failed = [i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"]
            if not failed:
                raise
            raise ConditionFailed(failed[0]) from exc

    def _transact_item(self, op: Op) -> dict[str, Any]:
        key = {"pk": attribute(op.pk), "sk": attribute(op.sk)}
        if isinstance(op, Delete):
            return {"Delete": {"TableName": self.name, "Key": key}}
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        guard = _condition(op.when, names, values)
        if isinstance(op, Put):
            body: dict[str, Any] = {"TableName": self.name, "Item": {
                **{k: attribute(v) for k, v in op.attrs.items()}, **key}}
            verb = "Put"
        else:
            assert isinstance(op, Add)
            names.update({f"#a{n}": k for n, k in enumerate(op.deltas)})
            values.update({f":a{n}": attribute(v) for n, v in enumerate(op.deltas.values())})
            body = {"TableName": self.name, "Key": key, "UpdateExpression": "ADD " + ", ".join(
                f"#a{n} :a{n}" for n in range(len(op.deltas)))}
            verb = "Update"
        if guard:
            body["ConditionExpression"] = guard
        if names:
            body["ExpressionAttributeNames"] = names
        if values:
            body["ExpressionAttributeValues"] = values
        return {verb: body}
