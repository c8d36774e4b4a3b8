"""Powertools idempotency records in the local SQLite tables, with the rules of its
DynamoDB layer (one put wins; an expired or abandoned in-progress record may be taken over).

On AWS the handlers use Powertools' own DynamoDBPersistenceLayer; this is its twin for the
embedded engine, so a retried stage returns its stored result after a restart too.
"""

from __future__ import annotations

import time

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import (
    STATUS_CONSTANTS,
    DataRecord,
)

from vitrina.store.sqlite import SqliteTable
from vitrina.store.tables import Row

_SK = "idempotency"


def _record(key: str, row: Row) -> DataRecord:
    return DataRecord(idempotency_key=key, status=row["status"],
                      expiry_timestamp=row["expiration"],
                      in_progress_expiry_timestamp=row.get("in_progress_expiration"),
                      response_data=row.get("data", ""), payload_hash=row.get("validation", ""))


class SqlitePersistenceLayer(BasePersistenceLayer):
    def __init__(self, table: SqliteTable) -> None:
        super().__init__()
        self.table = table

    def _get_record(self, idempotency_key: str) -> DataRecord:
        row = self.table.get(idempotency_key, _SK)
        if row is None:
            raise IdempotencyItemNotFoundError
        return _record(idempotency_key, row)

    def _put_record(self, data_record: DataRecord) -> None:
        new: Row = {"status": data_record.status, "expiration": data_record.expiry_timestamp,
                    "in_progress_expiration": data_record.in_progress_expiry_timestamp,
                    "validation": data_record.payload_hash if self.payload_validation_enabled
                    else ""}

        def claim(old: Row | None) -> Row:
            now = time.time()
            taken_over = old is None or old["expiration"] < int(now) or (
                old["status"] == STATUS_CONSTANTS["INPROGRESS"]
                and old.get("in_progress_expiration") is not None
                and old["in_progress_expiration"] < int(now * 1000))
            if not taken_over:
                assert old is not None
                stored = _record(data_record.idempotency_key, old)
                self._validate_payload(data_payload=data_record, stored_data_record=stored)
                self._save_to_cache(data_record=stored)
                raise IdempotencyItemAlreadyExistsError(old_data_record=stored)
            return new

        self.table.swap(data_record.idempotency_key, _SK, claim)

    def _update_record(self, data_record: DataRecord) -> None:
        def update(old: Row | None) -> Row:
            return {**(old or {}), "status": data_record.status,
                    "expiration": data_record.expiry_timestamp,
                    "data": data_record.response_data,
                    **({"validation": data_record.payload_hash}
                       if self.payload_validation_enabled else {})}

        self.table.swap(data_record.idempotency_key, _SK, update)

    def _delete_record(self, data_record: DataRecord) -> None:
        self.table.delete(data_record.idempotency_key, _SK)
