"""Cooperative deadlines and cancellation for long work (a refine, a render, a fetch).

Python cannot stop a thread from outside, so long loops call :func:`check` between steps:
it raises :class:`DeadlineExceeded` once the work's deadline has passed or its request has
gone away. The current budget lives in a context variable, so it follows the work into the
worker thread that runs it (``contextvars.copy_context().run``) and is absent (no limit) for
the CLI and the state machine stages unless they set one.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from vitrina.errors import DeadlineExceeded


@dataclass
class Budget:
    """When the work must stop, and a flag that stops it sooner (the client left)."""

    expires: float  # time.monotonic() value
    cancelled: threading.Event = field(default_factory=threading.Event)

    def remaining(self) -> float:
        return self.expires - time.monotonic()


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "vitrina_deadline", default=None
)


@contextmanager
def within(seconds: float, cancelled: threading.Event | None = None) -> Iterator[Budget]:
    """Run the block under a budget of ``seconds`` (a nested budget never extends one)."""
    outer = _current.get()
    expires = time.monotonic() + seconds
    if outer is not None:
        expires = min(expires, outer.expires)
    budget = Budget(expires, cancelled or (outer.cancelled if outer else threading.Event()))
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def remaining(default: float) -> float:
    """Seconds left in the current budget, or ``default`` when there is none."""
    budget = _current.get()
    return default if budget is None else min(default, budget.remaining())


def check() -> None:
    """Raise DeadlineExceeded when the current work must stop."""
    budget = _current.get()
    if budget is None:
        return
    if budget.cancelled.is_set():
        raise DeadlineExceeded("the request was cancelled (the client went away)")
    if budget.remaining() <= 0:
        raise DeadlineExceeded(
            "the work ran past its deadline and was stopped (VITRINA_REQUEST_DEADLINE_S)"
        )
