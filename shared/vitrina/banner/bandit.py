"""Per-audience Thompson sampling over templates: each segment sees first what it clicks.

Every (segment, template) pair keeps a Beta posterior of its reward rate, where an
impression is a trial and a click or a download a success. Ordering templates by one draw
from each posterior shows the proven styles most while still giving newer ones a chance.
State lives in the jobs table (``pk = segment#<name>``, ``sk = template#<name>``), updated
with atomic ADDs so concurrent feedback never loses a count.

Feedback comes from the public API, so it is treated as untrusted: the posterior counts at
most one success per impression (clicks reported before, or without, their impressions
cannot push a rate past 1), and no arm grows past :data:`ARM_CAP`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from vitrina import storage
from vitrina.errors import InputError
from vitrina.store.tables import Add, AtMost, ConditionFailed, Op

Event = Literal["impression", "click", "download"]
REWARDS: dict[str, int] = {"impression": 0, "click": 1, "download": 1}
# Most impressions (and rewards) one (segment, template) arm may hold: far beyond real traffic,
# so reaching it means someone is flooding the feedback endpoint.
ARM_CAP = 10**9


@dataclass(frozen=True)
class Arm:
    impressions: int = 0
    rewards: int = 0

    @property
    def successes(self) -> int:
        """Rewards the posterior believes: never more than the impressions they came from."""
        return max(0, min(self.rewards, self.impressions))

    def sample(self, rng: random.Random) -> float:
        """One draw from the Beta(1 + successes, 1 + failures) posterior."""
        successes = self.successes
        return rng.betavariate(1 + successes, 1 + max(0, self.impressions) - successes)

    def rate(self) -> float:
        """The posterior mean reward rate, always in (0, 1)."""
        return (self.successes + 1) / (max(0, self.impressions) + 2)


Updates = dict[tuple[str, str], tuple[int, int]]  # (segment, template) -> (impressions, rewards)
MAX_ARMS_PER_REQUEST = 100  # DynamoDB's limit on the items of one transaction


def _refuse_growth(segment: str, template: str) -> InputError:
    return InputError(
        f"segment {segment!r} has reached the limit of {ARM_CAP:,} impressions or rewards "
        f"for template {template!r}: no more feedback is recorded for it"
    )


class Store(Protocol):
    def arms(self, segment: str) -> dict[str, Arm]: ...

    def record_many(self, updates: Updates) -> None: ...


def record(store: Store, segment: str, template: str, impressions: int, rewards: int) -> None:
    store.record_many({(segment, template): (impressions, rewards)})


class MemoryStore:
    """For simulations and tests of the policy itself."""

    def __init__(self) -> None:
        self._arms: dict[tuple[str, str], Arm] = {}

    def arms(self, segment: str) -> dict[str, Arm]:
        return {t: a for (s, t), a in self._arms.items() if s == segment}

    def record(self, segment: str, template: str, impressions: int, rewards: int) -> None:
        record(self, segment, template, impressions, rewards)

    def record_many(self, updates: Updates) -> None:
        grown = {}
        for (segment, template), (impressions, rewards) in updates.items():
            arm = self._arms.get((segment, template), Arm())
            grown[segment, template] = Arm(arm.impressions + impressions, arm.rewards + rewards)
            if max(grown[segment, template].impressions, grown[segment, template].rewards) \
                    > ARM_CAP:
                raise _refuse_growth(segment, template)
        self._arms.update(grown)  # all of a batch or none of it


class TableStore:
    """Arms as rows of the jobs table (``segment#<name>`` / ``template#<name>``)."""

    def arms(self, segment: str) -> dict[str, Arm]:
        rows = storage.jobs_table().query(f"segment#{segment}", "template#").rows
        return {row["sk"].removeprefix("template#"): Arm(int(row.get("impressions", 0)),
                                                         int(row.get("rewards", 0)))
                for row in rows}

    def record(self, segment: str, template: str, impressions: int, rewards: int) -> None:
        record(self, segment, template, impressions, rewards)

    def record_many(self, updates: Updates) -> None:
        """Atomic ADDs in one transaction (DynamoDB's limit is 100 arms; a batch's events are
        summed per arm first), each refused by the store itself when its arm would grow past
        ARM_CAP (a condition on the stored counts, so concurrent requests cannot race past it),
        which refuses the whole batch."""
        items = list(updates.items())
        if len(items) > MAX_ARMS_PER_REQUEST:
            raise InputError(f"one request may teach at most {MAX_ARMS_PER_REQUEST} "
                             f"(segment, template) pairs, not {len(items)}")
        for (segment, template), counts in items:
            if max(counts) > ARM_CAP:
                raise _refuse_growth(segment, template)
        ops: list[Op] = [Add(f"segment#{segment}", f"template#{template}",
                             {"impressions": impressions, "rewards": rewards},
                             (AtMost("impressions", ARM_CAP - impressions),
                              AtMost("rewards", ARM_CAP - rewards)))
                         for (segment, template), (impressions, rewards) in items]
        try:
            storage.jobs_table().write(ops)
        except ConditionFailed as exc:
            raise _refuse_growth(*items[exc.index][0]) from exc


def rank_templates(store: Store, segment: str, templates: Iterable[str],
                   seed: int | None = None) -> tuple[list[str], dict[str, float]]:
    """Templates in the order this segment should see them, and each one's draw."""
    return rank_arms(store.arms(segment), templates, seed)


def rank_arms(arms: dict[str, Arm], templates: Iterable[str],
              seed: int | None = None) -> tuple[list[str], dict[str, float]]:
    """:func:`rank_templates` on a segment's arms already fetched."""
    rng = random.Random(seed)
    draws = {name: arms.get(name, Arm()).sample(rng) for name in templates}
    return sorted(draws, key=lambda n: -draws[n]), draws


def record_feedback(store: Store, segment: str, template: str, event: Event,
                    count: int = 1) -> None:
    record_batch(store, [(segment, template, event, count)])


def record_batch(store: Store, events: Iterable[tuple[str, str, Event, int]]) -> None:
    """Events as (segment, template, event, count), summed per arm and written all at once.

    A click or download implies the impression it came from only if none was sent: callers
    report impressions separately, so a reward never adds a trial here."""
    updates: Updates = {}
    for segment, template, event, count in events:
        impressions, rewards = updates.get((segment, template), (0, 0))
        updates[segment, template] = (impressions + (count if event == "impression" else 0),
                                      rewards + REWARDS[event] * count)
    store.record_many(updates)
