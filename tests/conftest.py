"""Shared fixtures: synthetic product photos, the local engine, sample events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = Path(__file__).parent / "events"
SHARED_DATA = ROOT.parent / "shared" / "data"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


def product_photo(
    size: tuple[int, int] = (480, 640), seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A studio-style product shot (a red bottle on a light, slightly graded backdrop)
    and its true mask, so tests know the right answer."""
    h, w = size
    rng = np.random.default_rng(seed)
    yy = np.linspace(0, 1, h)[:, None, None]
    backdrop = (np.array([236, 236, 232]) - 30 * yy + rng.normal(0, 2, (h, w, 3))).clip(0, 255)
    mask = np.zeros((h, w), np.uint8)
    cx, cy = w // 2, h // 2 + h // 12
    cv2.ellipse(mask, (cx, cy), (w // 7, h // 4), 0, 0, 360, 1, -1)
    cv2.rectangle(mask, (cx - w // 28, cy - h // 4 - h // 6), (cx + w // 28, cy - h // 5), 1, -1)
    shade = np.linspace(0.75, 1.1, w)[None, :, None]
    body = (np.array([200, 30, 40]) * shade).clip(0, 255) * np.ones((h, 1, 1))
    image = np.where(mask[..., None] > 0, body, backdrop)
    image = cv2.GaussianBlur(image.astype(np.float32), (3, 3), 0)
    return image.clip(0, 255).astype(np.uint8), mask.astype(bool)


def png_bytes(rgb: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    return buf.tobytes()


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def in_network_namespace() -> bool:
    """Only lo is visible: a namespace made with `unshare -n`, with no route off the machine."""
    import socket

    return [name for _, name in socket.if_nameindex()] == ["lo"]


@pytest.fixture(autouse=True)
def _private_addresses_only_in_a_namespace(request: pytest.FixtureRequest) -> None:
    """Tests that name private or link-local addresses run only where no packet can leave."""
    if request.node.get_closest_marker("netns") and not in_network_namespace():
        pytest.fail("this test uses private or link-local addresses: run it inside a network "
                    "namespace, as `make test` does (unshare -n ... pytest -m netns)")


@pytest.fixture(scope="session", autouse=True)
def _data_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The embedded engine's durable store lives in a folder of the test session, never in
    the checkout's ./.vitrina (subprocesses such as `vitrina serve` inherit it)."""
    import os

    os.environ["VITRINA_HOME"] = str(tmp_path_factory.mktemp("vitrina-home"))


@pytest.fixture(scope="session")
def photo() -> tuple[np.ndarray, np.ndarray]:
    return product_photo()


@pytest.fixture(scope="session")
def engine():
    """One embedded stack for the session; tests use unique job ids so they never clash."""
    from vitrina.engine.local import LocalEngine

    with LocalEngine() as running:
        yield running
