"""Per-audience Thompson sampling over templates: each segment sees first what it clicks.

Every (segment, template) pair keeps a Beta posterior of its reward rate, where an
impression is a trial and a click or a download a success. Ordering templates by one draw
from each posterior shows the proven styles most while still giving newer ones a chance.
State lives in the jobs table (``pk = segment#<name>``, ``sk = template#<name>``), updated
with atomic ADDs so concurrent feedback never loses a count.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from vitrina import storage
from vitrina.config import settings

Event = Literal["impression", "click", "download"]
REWARDS: dict[str, int] = {"impression": 0, "click": 1, "download": 1}


@dataclass(frozen=True)
class Arm:
    impressions: int = 0
    rewards: int = 0

    def sample(self, rng: random.Random) -> float:
        failures = max(0, self.impressions - self.rewards)
        return rng.betavariate(1 + self.rewards, 1 + failures)


class Store(Protocol):
    def arms(self, segment: str) -> dict[str, Arm]: ...

    def record(self, segment: str, template: str, impressions: int, rewards: int) -> None: ...


class MemoryStore:
    """For simulations and tests of the policy itself."""

    def __init__(self) -> None:
        self._arms: dict[tuple[str, str], Arm] = {}

    def arms(self, segment: str) -> dict[str, Arm]:
        return {t: a for (s, t), a in self._arms.items() if s == segment}

    def record(self, segment: str, template: str, impressions: int, rewards: int) -> None:
        arm = self._arms.get((segment, template), Arm())
        self._arms[(segment, template)] = Arm(arm.impressions + impressions,
                                              arm.rewards + rewards)


class DynamoStore:
    def _table(self):
        return storage.table(settings().jobs_table)

    def arms(self, segment: str) -> dict[str, Arm]:
        from boto3.dynamodb.conditions import Key

        kwargs = {"KeyConditionExpression": Key("pk").eq(f"segment#{segment}")}
        found: dict[str, Arm] = {}
        while True:
            page = self._table().query(**kwargs)
            for row in page["Items"]:
                found[row["sk"].removeprefix("template#")] = Arm(
                    int(row.get("impressions", 0)), int(row.get("rewards", 0)))
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def record(self, segment: str, template: str, impressions: int, rewards: int) -> None:
        self._table().update_item(
            Key={"pk": f"segment#{segment}", "sk": f"template#{template}"},
            UpdateExpression="ADD impressions :i, rewards :r",
            ExpressionAttributeValues={":i": impressions, ":r": rewards},
        )


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
    """A click or download implies the impression it came from only if none was sent:
    callers report impressions separately, so a reward never adds a trial here."""
    impressions = count if event == "impression" else 0
    store.record(segment, template, impressions, REWARDS[event] * count)
