"""Progress on stderr for runs on the local engine: a line saying what was queued at once,
then a tqdm bar with counts, rate and ETA (tqdm: well kept, and quiet when disabled)."""

from __future__ import annotations

import sys
import time
from collections import Counter

from tqdm import tqdm

from vitrina.engine.local import LocalEngine


class Progress:
    """A bar over ``total`` units; :meth:`say` prints a line above it with the elapsed time."""

    def __init__(self, queued: str, total: int, unit: str, enabled: bool = True) -> None:
        self.enabled, self.started = enabled, time.monotonic()
        if enabled:
            print(f"queued {queued}", file=sys.stderr, flush=True)
        self.bar = tqdm(total=total or None, unit=f" {unit}", file=sys.stderr,
                        disable=not enabled, dynamic_ncols=True, mininterval=0.2, leave=True,
                        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, "
                                   "{rate_fmt}{postfix}]")

    def say(self, text: str) -> None:
        if self.enabled:
            self.bar.write(f"{time.monotonic() - self.started:6.1f}s  {text}", file=sys.stderr)

    def update_to(self, done: int, note: str = "") -> None:
        if note:
            self.bar.set_postfix_str(note, refresh=False)
        if done != self.bar.n:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


class StateProgress:
    """Progress read from an execution's history: a line each time a labelled state
    finishes (``{n}``: how many times so far, ``{total}``), and the bar counting ``counted``."""

    def __init__(self, engine: LocalEngine, arn: str, labels: dict[str, str], progress: Progress,
                 counted: str, total: int = 0) -> None:
        self.engine, self.arn, self.labels, self.progress = engine, arn, labels, progress
        self.counted, self.total, self.seen, self.counts = counted, total, 0, Counter[str]()

    def __call__(self) -> None:
        if not self.progress.enabled:
            return
        events = self.engine.history(self.arn)
        for event in events[self.seen:]:
            name = (event.get("stateExitedEventDetails") or {}).get("name")
            if name in self.labels:
                self.counts[name] += 1
                self.progress.say(self.labels[name].format(n=self.counts[name], total=self.total))
        self.seen = len(events)
        self.progress.update_to(self.counts[self.counted])

