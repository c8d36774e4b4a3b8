"""The one way a product declares itself: its stages, its state machines, how it files errors.

Each product package declares a :class:`Product` as ``PRODUCT`` in
``vitrina/<name>/product.py``; :data:`PRODUCTS` imports it by name when first asked (so the
core imports no product), and every stage's Lambda handler is built from it
(:func:`vitrina.lambda_support.handler_for`). A stage's input and output are pydantic models,
so what one state writes and the next one reads is declared, and tests check the ASL against
those declarations.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from vitrina import storage
from vitrina.config import settings
from vitrina.payloads import ErrorDetail, ErrorRecord, Failed, ReportedError

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)
F = TypeVar("F", bound=Failed)
R = TypeVar("R", bound=ErrorRecord)


@dataclass(frozen=True)
class Stage(Generic[In, Out]):
    """One Lambda: the model it parses, what it does, the model it returns."""

    name: str
    run: Callable[[In], Out]
    input: type[In]
    output: type[Out]


@dataclass(frozen=True)
class Machine:
    """One of the product's state machines: its file in ``statemachines/``, the input it is
    started with and, for a Distributed Map, the manifest items its ItemReader reads."""

    asl: str
    input: type[BaseModel]
    items: type[BaseModel] | None = None


@dataclass(frozen=True)
class Errors(Generic[F, R]):
    """How a product files a failed unit: what its RecordError state passes (``failed``), the
    record that becomes (``record``, built by ``build``) and, for batches, how the record is
    listed in its job. A :class:`ReportedError` is also written as the unit's report."""

    failed: type[F]
    record: type[R]
    build: Callable[[F, ErrorDetail], R]
    listed: Callable[[dict[str, Any]], None] | None = None


@dataclass(frozen=True)
class Product:
    """A product as the core runs it: its stages in order (their functions and models), its
    state machines, and how it files a failure."""

    name: str
    stages: tuple[Stage[Any, Any], ...]
    errors: Errors[Any, Any]
    machines: tuple[Machine, ...]

    @cached_property
    def by_name(self) -> dict[str, Stage[Any, Any]]:
        """Every stage by name, with the generic ``record_error`` built from ``errors``."""
        filing = Stage("record_error", partial(record_error, self.errors), self.errors.failed,
                       self.errors.record)
        return {stage.name: stage for stage in (*self.stages, filing)}


def record_error(errors: Errors[F, R], failed: F) -> R:
    """Every product's RecordError stage: the caught failure becomes the unit's error record,
    written as its report and listed in its job where the product keeps those, so a batch
    always ends with every unit's outcome."""
    record = errors.build(failed, ErrorDetail.caught(failed.error))
    body = record.model_dump(mode="json")
    if isinstance(record, ReportedError):
        storage.put_json(settings().output_bucket, record.report, body)
    if errors.listed is not None:
        errors.listed(body)
    return record


class Registry(Mapping[str, Product]):
    """Products by name, each imported from ``vitrina.<name>.product`` when first asked."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names

    def __getitem__(self, name: str) -> Product:
        if name not in self._names:
            raise KeyError(name)
        product: Product = importlib.import_module(f"vitrina.{name}.product").PRODUCT
        return product

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


PRODUCTS = Registry(("matting", "banner", "video", "detail_page"))
