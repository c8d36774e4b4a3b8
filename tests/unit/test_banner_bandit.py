"""The audience bandit: deterministic with a seed, and it learns a segment's favourite."""

from __future__ import annotations

import random
import re

import pytest
from pydantic import ValidationError

from vitrina import storage
from vitrina.banner import bandit
from vitrina.banner.models import HAS_TEXT, FeedbackBatch, FeedbackEvent
from vitrina.errors import InputError

TEMPLATES = ["clean-white", "bold-promo", "dark-luxury", "pastel-soft", "tech-night"]


def test_same_seed_same_order() -> None:
    store = bandit.MemoryStore()
    store.record("students", "bold-promo", 10, 3)
    first = bandit.rank_templates(store, "students", TEMPLATES, seed=42)
    second = bandit.rank_templates(store, "students", TEMPLATES, seed=42)
    assert first == second
    assert sorted(first[0]) == sorted(TEMPLATES)


def test_converges_to_the_best_template_on_a_simulated_segment() -> None:
    """Click-through rates known only to the simulation; the policy must find the best."""
    true_ctr = {"clean-white": 0.02, "bold-promo": 0.09, "dark-luxury": 0.03,
                "pastel-soft": 0.04, "tech-night": 0.01}
    store = bandit.MemoryStore()
    world = random.Random(7)
    shown_first = []
    for round_no in range(3000):
        order, _ = bandit.rank_templates(store, "bargain-hunters", TEMPLATES, seed=round_no)
        top = order[0]
        bandit.record_feedback(store, "bargain-hunters", top, "impression")
        if world.random() < true_ctr[top]:
            bandit.record_feedback(store, "bargain-hunters", top, "click")
        shown_first.append(top)
    late = shown_first[-1000:]
    assert late.count("bold-promo") / len(late) > 0.8
    arms = store.arms("bargain-hunters")
    assert max(arms, key=lambda t: arms[t].impressions) == "bold-promo"


def test_segments_learn_separately() -> None:
    store = bandit.MemoryStore()
    for _ in range(200):
        bandit.record_feedback(store, "luxury", "dark-luxury", "impression")
        bandit.record_feedback(store, "luxury", "dark-luxury", "download")
        bandit.record_feedback(store, "luxury", "bold-promo", "impression")
    assert bandit.rank_templates(store, "luxury", TEMPLATES, seed=1)[0][0] == "dark-luxury"
    assert store.arms("students") == {}


def test_rewards_without_impressions_never_break_the_posterior() -> None:
    arm = bandit.Arm(impressions=1, rewards=5)
    assert 0.0 <= arm.sample(random.Random(0)) <= 1.0


def test_bandit_rewards_never_exceed_impressions() -> None:
    """``{"event": "click", "count": 1000000}`` with no impressions once gave a rate of
    500000.5 and a posterior pinned at 1: a poisoned template always shown first."""
    store = bandit.MemoryStore()
    bandit.record_feedback(store, "seg", "bold-promo", "click", 1_000_000)
    bandit.record_feedback(store, "seg", "dark-luxury", "impression", 10)
    bandit.record_feedback(store, "seg", "dark-luxury", "download", 500)
    arms = store.arms("seg")
    rng = random.Random(0)
    draws = [arms["bold-promo"].sample(rng) for _ in range(4000)]
    assert abs(sum(draws) / len(draws) - 0.5) < 0.03  # Beta(1, 1), not Beta(1000001, 1)
    draws = [arms["dark-luxury"].sample(rng) for _ in range(4000)]
    assert abs(sum(draws) / len(draws) - 11 / 12) < 0.03
    assert arms["bold-promo"].rate() == 0.5  # no trial yet: the prior
    assert arms["dark-luxury"].rate() == 11 / 12  # at most one success per impression
    assert bandit.Arm(100, 9).rate() == 10 / 102
    assert all(0 < a.rate() < 1 for a in [*arms.values(), bandit.Arm(-5, -5), bandit.Arm()])


def test_feedback_count_bounds_and_no_booleans() -> None:
    base = {"template": "bold-promo", "event": "click"}
    assert FeedbackEvent(**base, count=1_000).count == 1_000
    assert FeedbackEvent(**base, count=7.0).count == 7  # a JSON integer, as JSON Schema reads it
    for bad in (True, False, "5", 5.5, 0, -1, 1_001, 1_000_000):
        with pytest.raises(ValidationError):
            FeedbackEvent(**base, count=bad)
    with pytest.raises(ValidationError):
        FeedbackEvent.model_validate_json('{"template": "x", "event": "click", "count": true}')
    # At most 100 events of at most 1,000 each: one request moves a segment by 100,000 at
    # most, a bound the schema states (a sum of counts it could not).
    assert len(FeedbackBatch(events=[{**base, "count": 1_000}] * 100).events) == 100
    with pytest.raises(ValidationError, match="at most 100 items"):
        FeedbackBatch(events=[base] * 101)


def test_memory_store_refuses_growth_past_the_cap() -> None:
    store = bandit.MemoryStore()
    store.record("seg", "bold-promo", bandit.ARM_CAP, bandit.ARM_CAP)
    with pytest.raises(InputError, match="1,000,000,000"):
        store.record("seg", "bold-promo", 1, 0)
    with pytest.raises(InputError):
        store.record("seg", "bold-promo", 0, 1)
    assert store.arms("seg")["bold-promo"] == bandit.Arm(bandit.ARM_CAP, bandit.ARM_CAP)


@pytest.fixture
def jobs_table(monkeypatch: pytest.MonkeyPatch):
    from moto import mock_aws

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1",
                        "VITRINA_JOBS_TABLE": "bandit-cap-test", "VITRINA_STORE": "aws"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        storage.reset_clients()
        storage.client("dynamodb").create_table(
            TableName="bandit-cap-test", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        yield
    storage.reset_clients()


def test_table_store_refuses_growth_past_the_cap(jobs_table: None) -> None:
    store = bandit.TableStore()
    store.record("seg", "bold-promo", bandit.ARM_CAP - 5, 3)
    store.record("seg", "bold-promo", 5, 0)  # exactly at the cap: still recorded
    with pytest.raises(InputError, match="limit of 1,000,000,000"):
        store.record("seg", "bold-promo", 1, 0)
    with pytest.raises(InputError):
        store.record("seg", "dark-luxury", bandit.ARM_CAP + 1, 0)  # new arm, too big at once
    store.record("seg", "bold-promo", 0, 2)  # rewards have their own room
    assert store.arms("seg") == {"bold-promo": bandit.Arm(bandit.ARM_CAP, 5)}


def test_a_feedback_batch_is_recorded_whole_or_not_at_all(engine) -> None:
    """One arm at its cap refuses the whole batch: no other arm of it grows."""
    store = bandit.TableStore()
    bandit.record(store, "batch-seg", "bold-promo", bandit.ARM_CAP, 0)
    with pytest.raises(InputError, match="limit"):
        bandit.record_batch(store, [("batch-seg", "dark-luxury", "impression", 5),
                                    ("batch-seg", "bold-promo", "impression", 1)])
    assert "dark-luxury" not in store.arms("batch-seg")
    bandit.record_batch(store, [("batch-seg", "dark-luxury", "impression", 5),
                                ("batch-seg", "dark-luxury", "click", 2)])
    assert store.arms("batch-seg")["dark-luxury"] == bandit.Arm(5, 2)


def test_the_titles_schema_pattern_is_what_the_server_calls_text() -> None:
    """The schema says "a character that is not white space" as a class every regex engine
    reads alike; it must mean what ``str.strip`` means, or a schema-valid title is refused."""
    pattern = re.compile(HAS_TEXT)
    for code in range(0x10000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        assert bool(pattern.search(char)) == bool(char.strip()), hex(code)
