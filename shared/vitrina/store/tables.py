"""The table contract every product writes through: rows keyed by (pk, sk), plain JSON
attributes, prefix queries in sort-key order, and atomic conditional transactions.

It is the subset of DynamoDB that vitrina uses, stated once, so that the SQLite backend can
keep exactly DynamoDB's semantics (each request atomic; a transaction all or nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

Row = dict[str, Any]


@dataclass(frozen=True)
class Absent:
    """The row does not exist yet."""


@dataclass(frozen=True)
class Equals:
    """The row exists and ``attr`` equals ``value``."""

    attr: str
    value: Any


@dataclass(frozen=True)
class AtMost:
    """``attr`` is missing (the row may be missing too) or at most ``value``."""

    attr: str
    value: int | float


Condition = Absent | Equals | AtMost


@dataclass(frozen=True)
class Put:
    pk: str
    sk: str
    attrs: Row
    when: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Add:
    """Atomic ADD of numbers to attributes (a missing attribute counts as 0)."""

    pk: str
    sk: str
    deltas: dict[str, int]
    when: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Delete:
    pk: str
    sk: str


Op = Put | Add | Delete


class ConditionFailed(Exception):
    """A condition of op number ``index`` did not hold: nothing of the request was written."""

    def __init__(self, index: int) -> None:
        super().__init__(f"condition of operation {index} failed")
        self.index = index


@dataclass
class Page:
    rows: list[Row]
    next_after: str | None = None  # the sort key to pass as ``after`` for the next page
    extra: dict[str, Any] = field(default_factory=dict)


class Table(Protocol):
    def get(self, pk: str, sk: str) -> Row | None:
        """The row's attributes (without pk and sk), strongly consistent."""

    def put(self, pk: str, sk: str, attrs: Row) -> None: ...

    def delete(self, pk: str, sk: str) -> None: ...

    def add(self, pk: str, sk: str, deltas: dict[str, int]) -> dict[str, int]:
        """Atomic ADD; returns the attributes' new values."""

    def query(self, pk: str, prefix: str = "", limit: int | None = None,
              after: str | None = None) -> Page:
        """Rows of ``pk`` whose sort key starts with ``prefix``, in sort-key (byte) order,
        after the sort key ``after``; each row carries its ``sk``."""

    def write(self, ops: list[Op]) -> None:
        """All ops at once or none (raises :class:`ConditionFailed`)."""


def holds(condition: Condition, row: Row | None) -> bool:
    """Whether ``condition`` holds for ``row`` (None: no such row): the rule both backends
    share, in Python for SQLite and as a ConditionExpression for DynamoDB."""
    if isinstance(condition, Absent):
        return row is None
    if isinstance(condition, Equals):
        return row is not None and row.get(condition.attr) == condition.value
    value = None if row is None else row.get(condition.attr)
    return value is None or value <= condition.value
