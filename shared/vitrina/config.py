"""Configuration from environment variables: the same names locally and on AWS.

Read on every call (it is cheap) so that tests and the local engine can change it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in os.environ.get(name, "").split(",") if p.strip())


@dataclass(frozen=True)
class Settings:
    input_bucket: str = "vitrina-input"
    output_bucket: str = "vitrina-output"
    jobs_table: str = "vitrina-jobs"
    idempotency_table: str = "vitrina-idempotency"
    matting_model: str = "u2netp"
    u2net_path: str = ""
    max_pixels: int = 40_000_000
    fetch_max_bytes: int = 25 * 1024 * 1024
    fetch_timeout_s: float = 10.0
    fetch_deadline_s: float = 20.0
    fetch_max_redirects: int = 5
    fetch_allow_private: bool = False
    fetch_allow_nets: tuple[str, ...] = field(default_factory=tuple)
    matting_state_machine_arn: str = ""
    matting_batch_state_machine_arn: str = ""
    banner_batch_state_machine_arn: str = ""
    video_state_machine_arn: str = ""
    detail_page_state_machine_arn: str = ""
    url_expiry_s: int = 3600
    max_decode_bytes: int = 400 * 1024 * 1024
    max_stroke_cost: float = 5e8
    api_token: str = ""
    api_workers: int = 4
    api_queue: int = 32
    request_deadline_s: float = 60.0
    api_self: tuple[str, ...] = field(default_factory=tuple)
    store: str = "aws"
    home: str = ".vitrina"
    log_file: str = ""


def settings() -> Settings:
    """Current settings; every variable is documented in README.md (Configuration)."""
    env = os.environ.get
    return Settings(
        input_bucket=env("VITRINA_INPUT_BUCKET", Settings.input_bucket),
        output_bucket=env("VITRINA_OUTPUT_BUCKET", Settings.output_bucket),
        jobs_table=env("VITRINA_JOBS_TABLE", Settings.jobs_table),
        idempotency_table=env("VITRINA_IDEMPOTENCY_TABLE", Settings.idempotency_table),
        matting_model=env("VITRINA_MATTING_MODEL", Settings.matting_model),
        u2net_path=env("VITRINA_U2NET_PATH", ""),
        max_pixels=int(env("VITRINA_MAX_PIXELS", str(Settings.max_pixels))),
        fetch_max_bytes=int(env("VITRINA_FETCH_MAX_BYTES", str(Settings.fetch_max_bytes))),
        fetch_timeout_s=float(env("VITRINA_FETCH_TIMEOUT_S", str(Settings.fetch_timeout_s))),
        fetch_deadline_s=float(env("VITRINA_FETCH_DEADLINE_S", str(Settings.fetch_deadline_s))),
        fetch_max_redirects=int(
            env("VITRINA_FETCH_MAX_REDIRECTS", str(Settings.fetch_max_redirects))
        ),
        fetch_allow_private=_bool("VITRINA_FETCH_ALLOW_PRIVATE", False),
        fetch_allow_nets=_list("VITRINA_FETCH_ALLOW_NETS"),
        matting_state_machine_arn=env("VITRINA_MATTING_STATE_MACHINE_ARN", ""),
        matting_batch_state_machine_arn=env("VITRINA_MATTING_BATCH_STATE_MACHINE_ARN", ""),
        banner_batch_state_machine_arn=env("VITRINA_BANNER_BATCH_STATE_MACHINE_ARN", ""),
        video_state_machine_arn=env("VITRINA_VIDEO_STATE_MACHINE_ARN", ""),
        detail_page_state_machine_arn=env("VITRINA_DETAIL_PAGE_STATE_MACHINE_ARN", ""),
        url_expiry_s=int(env("VITRINA_URL_EXPIRY_S", str(Settings.url_expiry_s))),
        max_decode_bytes=int(env("VITRINA_MAX_DECODE_BYTES", str(Settings.max_decode_bytes))),
        max_stroke_cost=float(env("VITRINA_MAX_STROKE_COST", str(Settings.max_stroke_cost))),
        api_token=env("VITRINA_API_TOKEN", ""),
        api_workers=int(env("VITRINA_API_WORKERS", str(Settings.api_workers))),
        api_queue=int(env("VITRINA_API_QUEUE", str(Settings.api_queue))),
        request_deadline_s=float(
            env("VITRINA_REQUEST_DEADLINE_S", str(Settings.request_deadline_s))),
        api_self=_list("VITRINA_API_SELF"),
        store=env("VITRINA_STORE", Settings.store),
        home=env("VITRINA_HOME", Settings.home),
        log_file=env("VITRINA_LOG_FILE", ""),
    )
