"""The bounded pool that runs the API's heavy work off the event loop.

Fetching, decoding, the models and rendering block for up to seconds; on the event loop they
would hold every other request (``/healthz`` included). They run here instead: at most
``VITRINA_API_WORKERS`` at once, at most ``VITRINA_API_QUEUE`` more waiting, and a request
beyond that is answered 503 with ``Retry-After`` at once rather than queued without end.
Each job runs under the request's deadline (``VITRINA_REQUEST_DEADLINE_S``) and is told to
stop (:mod:`vitrina.deadline`) when its client goes away.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from starlette.requests import Request

from vitrina import deadline
from vitrina.config import settings
from vitrina.errors import Overloaded

P = ParamSpec("P")
T = TypeVar("T")
_POLL_S = 0.25  # how often a waiting request checks that its client is still there


class WorkerPool:
    def __init__(self, workers: int, queue: int, deadline_s: float) -> None:
        self.workers, self.queue, self.deadline_s = workers, queue, deadline_s
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="vitrina-work")
        self._slots = threading.BoundedSemaphore(workers + queue)

    @classmethod
    def from_settings(cls) -> WorkerPool:
        cfg = settings()
        return cls(cfg.api_workers, cfg.api_queue, cfg.request_deadline_s)

    async def run(self, request: Request, fn: Callable[P, T], *args: P.args,
                  **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in a worker; Overloaded when every slot is taken."""
        if not self._slots.acquire(blocking=False):
            raise Overloaded(f"all {self.workers} workers are busy and {self.queue} requests "
                             "wait already; try again shortly", retry_after=2)
        cancelled = threading.Event()
        context = contextvars.copy_context()

        def job() -> T:
            try:
                with deadline.within(self.deadline_s, cancelled):
                    deadline.check()  # it may have waited in the queue past its deadline
                    return fn(*args, **kwargs)
            finally:
                self._slots.release()

        future = asyncio.wrap_future(self._executor.submit(context.run, job))
        try:
            while True:
                done, _ = await asyncio.wait({future}, timeout=_POLL_S)
                if done:
                    return future.result()
                if await request.is_disconnected():
                    cancelled.set()
        finally:
            if not future.done():  # this request was cancelled: so is its work
                cancelled.set()


def pool(request: Request) -> WorkerPool:
    """The app's pool (one per app, made by ``create_app``)."""
    return request.app.state.pool
