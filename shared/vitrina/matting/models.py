"""Pydantic models at the matting product's edges: state payloads, manifests, HTTP bodies."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field

from vitrina.config import settings
from vitrina.errors import ModelUnavailable
from vitrina.inference import model_path
from vitrina.matting.strokes import Stroke
from vitrina.payloads import JOB_ID, ErrorRecord, Failed, json_int
from vitrina.sources import ImageRef, NonEmpty, Source


def offered_models() -> list[str]:
    """The models a caller may ask this server for: the installed ones, and the server's
    default (whose absence is the server's fault, a 503, not the caller's)."""
    offered = []
    for name in get_args(Literal["u2netp", "u2net"]):
        try:
            model_path(name)
            offered.append(name)
        except ModelUnavailable:
            if name == settings().matting_model:
                offered.append(name)
    return offered


def _offered_here(schema: dict[str, Any]) -> None:
    schema["enum"] = offered_models()  # the served schema names what this server has


ModelName = Annotated[Literal["u2netp", "u2net"], Field(json_schema_extra=_offered_here)]


class MattingItem(BaseModel):
    """One image as a batch manifest lists it and the load stage reads it."""

    job_id: str = Field(pattern=JOB_ID)
    item_id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1, max_length=200)
    source: Source
    model: ModelName = "u2netp"
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")

    @property
    def result_id(self) -> str:
        return f"{self.job_id}-{self.item_id}"


class LoadedItem(MattingItem):
    """After load: the decoded image's size and format (its pixels wait in the output
    bucket); segment and refine pass it on with their timings."""

    width: int
    height: int
    format: str


class ScoredItem(LoadedItem):
    """After score: how far the cutout can be trusted, and where the subject is."""

    confidence: float
    cues: dict[str, float]
    bbox: list[int] | None = Field(description="[x, y, width, height]; None: nothing kept")


class ItemRecord(BaseModel):
    """A finished item, as its job lists it and its version's ``record.json`` keeps it."""

    job_id: str
    item_id: str
    name: str
    source: str
    status: Literal["ok"]
    model: ModelName
    confidence: float
    cues: dict[str, float]
    bbox: list[int] | None
    width: int
    height: int
    timings: dict[str, float]
    result_id: str
    version: int
    outputs: dict[str, str]


class FailedItem(MattingItem, Failed):
    """The item a stage failed on, with the Catch output beside its own fields."""


class ItemError(ErrorRecord):
    item_id: str
    name: str
    source: str
    result_id: str


class JobItemIn(ImageRef):
    name: str | None = Field(None, description="display name; longer ones are shortened")


class JobRequest(BaseModel):
    items: list[JobItemIn] = Field(min_length=1, max_length=100_000)
    model: ModelName = "u2netp"


class UrlRequest(BaseModel):
    url: NonEmpty = Field(description="http(s) URL of the photo, fetched safely")
    model: ModelName = "u2netp"


class RefineRequest(BaseModel):
    strokes: list[Stroke] = Field(min_length=1, max_length=500)
    base_version: json_int(ge=1) | None = Field(None,
                                     description="version to edit; latest if absent")
