"""Pydantic models at the matting product's edges: state payloads, manifests, HTTP bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vitrina.matting.strokes import Stroke
from vitrina.payloads import JOB_ID, StageError
from vitrina.sources import ImageRef, Source

ModelName = Literal["u2netp", "u2net"]


class MattingItem(BaseModel):
    """One image flowing through the stages; each stage adds its small outputs."""

    model_config = ConfigDict(extra="allow")

    job_id: str = Field(pattern=JOB_ID)
    item_id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1, max_length=200)
    source: Source
    model: ModelName = "u2netp"
    timings: dict[str, float] = Field(default_factory=dict)

    @property
    def result_id(self) -> str:
        return f"{self.job_id}-{self.item_id}"


class FailedItem(MattingItem):
    error: StageError


class ReportRequest(BaseModel):
    job_id: str


class JobItemIn(ImageRef):
    name: str | None = None


class JobRequest(BaseModel):
    items: list[JobItemIn] = Field(min_length=1, max_length=100_000)
    model: ModelName = "u2netp"


class UrlRequest(BaseModel):
    url: str
    model: ModelName = "u2netp"


class RefineRequest(BaseModel):
    strokes: list[Stroke] = Field(min_length=1, max_length=500)
    base_version: int | None = Field(None, ge=1, description="version to edit; latest if absent")


def item_record(item: MattingItem, **extra: Any) -> dict[str, Any]:
    return {
        "job_id": item.job_id,
        "item_id": item.item_id,
        "name": item.name,
        "source": item.source.describe(),
        **extra,
    }
