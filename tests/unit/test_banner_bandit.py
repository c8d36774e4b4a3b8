"""The audience bandit: deterministic with a seed, and it learns a segment's favourite."""

from __future__ import annotations

import random

from vitrina.banner import bandit

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
