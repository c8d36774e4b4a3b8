"""Progress lines on stderr for a state machine running on the local engine."""

from __future__ import annotations

import sys
import time
from collections import Counter

from vitrina.engine.local import LocalEngine


class StateProgress:
    """One line each time a named state finishes, read from the execution's history.

    ``labels`` maps a state name to its line; a label may use ``{n}`` (how many times that
    state has finished so far) and ``{total}``.
    """

    def __init__(self, engine: LocalEngine, arn: str, labels: dict[str, str],
                 enabled: bool = True, total: int = 0) -> None:
        self.engine, self.arn, self.labels, self.enabled = engine, arn, labels, enabled
        self.total, self.seen, self.counts = total, 0, Counter[str]()
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        print(f"{time.monotonic() - self.started:6.1f}s  {text}", file=sys.stderr, flush=True)

    def __call__(self) -> None:
        if not self.enabled:
            return
        events = self.engine.history(self.arn)
        for event in events[self.seen:]:
            name = (event.get("stateExitedEventDetails") or {}).get("name")
            if name in self.labels:
                self.counts[name] += 1
                self.say(self.labels[name].format(n=self.counts[name], total=self.total))
        self.seen = len(events)
