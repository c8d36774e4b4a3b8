"""Powertools wiring shared by every Lambda handler: logs, traces, metrics, idempotency.

A stage's handler module is then one line: ``lambda_handler = handler_for("matting", "load")``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    BasePersistenceLayer,
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.parser import parse
from pydantic import ValidationError

from vitrina import storage
from vitrina.config import settings
from vitrina.errors import InvalidEvent, describe
from vitrina.product import PRODUCTS, Product, Stage

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "vitrina")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "vitrina")



def _log_handler() -> logging.Handler | None:
    """Lambda logs to stdout (CloudWatch); the CLI sends handler logs to a file instead
    (VITRINA_LOG_FILE), so a user's terminal shows only progress and results."""
    path = settings().log_file
    if not path:
        return None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return logging.FileHandler(path, encoding="utf-8")


logger = Logger(logger_handler=_log_handler())


class _NoTracer:
    """Stands in for Powertools' Tracer where tracing is off (the embedded engine): the real
    one imports the X-Ray SDK even to disable it, 0.4 s of every CLI run."""

    @staticmethod
    def capture_lambda_handler(handler: Callable[..., Any]) -> Callable[..., Any]:
        return handler


def _tracer() -> Tracer | _NoTracer:
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in {"1", "true"}
    return _NoTracer() if disabled else Tracer()


tracer = _tracer()
metrics = Metrics()


@lru_cache(maxsize=4)
def _persistence(local: bool, name: str) -> BasePersistenceLayer:
    """Powertools' DynamoDB layer on AWS; its SQLite twin in the embedded engine's store."""
    if local:
        from vitrina.store.idempotency import SqlitePersistenceLayer
        from vitrina.store.sqlite import SqliteTable

        return SqlitePersistenceLayer(SqliteTable(storage.home() / "tables.sqlite3", name))
    return DynamoDBPersistenceLayer(table_name=name)


@dataclass(frozen=True)
class StageHandler:
    """A Lambda handler that knows the registered stage it runs (tests follow each ASL Task
    to it)."""

    product: str
    stage: Stage[Any, Any]
    handle: Callable[[dict[str, Any], Any], dict[str, Any]]

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self.handle(event, context)


def handler_for(product: str, stage: str) -> StageHandler:
    """The handler of a stage declared in :data:`vitrina.product.PRODUCTS`."""
    declared = PRODUCTS[product]
    return stage_handler(declared, declared.by_name[stage])


def stage_handler(product: Product, stage: Stage[Any, Any]) -> StageHandler:
    """A Lambda handler that parses the stage's input model, runs it once per distinct
    payload (a retried or re-driven item returns the stored result), checks it returned its
    declared output model and reports the outcome."""
    config = IdempotencyConfig(expires_after_seconds=24 * 3600)
    name = product.name.title() + stage.name.title().replace("_", "")  # e.g. MattingRecordError
    # A payload names its job at the top, or in the task it carries.
    correlation_id_path = "job_id" if "job_id" in stage.input.model_fields else "task.job_id"

    @logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        config.register_lambda_context(context)
        result = _run(event=event)
        metrics.add_metric(name=f"{name}Completed", unit=MetricUnit.Count, value=1)
        return result

    def _run(event: dict[str, Any]) -> dict[str, Any]:
        try:
            parsed = parse(event=event, model=stage.input)
        except ValidationError as exc:
            raise InvalidEvent(describe(exc)) from exc
        result = stage.run(parsed)
        if not isinstance(result, stage.output):
            raise TypeError(f"stage {name} returned {type(result).__name__}, "
                            f"not its declared {stage.output.__name__}")
        return result.model_dump(mode="json", by_alias=True)

    # The idempotency key includes this name: one per stage, even when every stage shares
    # a process (the local engine) and so the same AWS_LAMBDA_FUNCTION_NAME.
    _run.__qualname__ = f"vitrina.{product.name}.stages.{stage.name}"
    _run = idempotent_function(
        data_keyword_argument="event", config=config,
        persistence_store=_persistence(storage.is_local(), settings().idempotency_table)
    )(_run)
    return StageHandler(product.name, stage, handler)
