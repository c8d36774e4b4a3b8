"""Pydantic models at the banner product's edges: HTTP bodies, state payloads, manifests."""

from __future__ import annotations

import re
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from vitrina.banner.layout import Copy, check_size
from vitrina.errors import InputError
from vitrina.payloads import JOB_ID, ErrorDetail, Failed, ReportedError, StageError
from vitrina.payloads import TaskRef as BaseTaskRef
from vitrina.sources import ImageRef, Source

ImageFormat = Literal["png", "jpeg", "webp"]
_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*$")
_SEGMENT = r"^[A-Za-z0-9_.-]{1,64}$"
MAX_EVENT_COUNT = 10_000  # one feedback event's count
MAX_BATCH_COUNT = 100_000  # the counts of one request's events together


def parse_size(value: str) -> tuple[int, int]:
    """``"1200x628"`` -> (1200, 628), refusing what the solver cannot lay out."""
    match = _SIZE.match(value)
    if not match:
        raise InputError(f"size {value!r} is not WIDTHxHEIGHT, e.g. 1200x628")
    width, height = int(match.group(1)), int(match.group(2))
    check_size(width, height)
    return width, height


class BannerCopy(BaseModel):
    """The words on the banner. Only the title is required."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=5000, description="headline; long text is fitted or shortened")
    subtitle: str = Field("", max_length=5000)
    price: str = Field("", max_length=40, description="e.g. 199 or 199.90 (currency added)")
    original_price: str = Field("", max_length=40, description="shown struck through")
    cta: str = Field("", max_length=200, description="call-to-action button text")
    badge: str = Field("", max_length=200, description="e.g. NEW or -30%")

    @field_validator("price", "original_price", mode="before")
    @classmethod
    def _number_to_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _has_title(self) -> BannerCopy:
        if not self.title.strip():
            raise ValueError("title must contain some text")
        return self

    def to_copy(self) -> Copy:
        return Copy(**self.model_dump())


class BannerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sizes: list[str] = Field(default_factory=lambda: ["1200x628"], min_length=1, max_length=8,
                             description="WIDTHxHEIGHT, 250..3000 a side, aspect 1:4..4:1")
    variants: int = Field(6, ge=1, le=12)
    segment: str = Field("default", pattern=_SEGMENT,
                         description="audience segment whose feedback orders the styles")
    templates: list[str] | None = Field(None, description="restrict to these templates")
    format: ImageFormat = "png"
    seed: int | None = Field(None, description="makes the style sampling repeatable")

    @field_validator("sizes")
    @classmethod
    def _valid_sizes(cls, sizes: list[str]) -> list[str]:
        for size in sizes:
            try:
                parse_size(size)
            except InputError as exc:
                raise ValueError(exc.message) from exc
        return sizes

    def parsed_sizes(self) -> list[tuple[int, int]]:
        return [parse_size(s) for s in self.sizes]


class BannerTask(BannerOptions):
    """One product as the state machine carries it: references, never pixels."""

    # A state payload: fields it does not declare are dropped (HTTP bodies refuse them).
    model_config = ConfigDict(extra="ignore")

    job_id: str = Field(pattern=JOB_ID)
    product_id: str = Field(pattern=JOB_ID)
    name: str = ""
    product: Source
    scene: Source | None = None
    logo: Source | None = None
    copy_: BannerCopy = Field(alias="copy")


class Analysis(BaseModel):
    """What the analyse stage found in the photo (cached by its content) and the keys of
    what it stored: photo, cutout ("" without a clear subject), saliency, scene, logo."""

    palette: dict[str, Any]
    confidence: float
    clear_subject: bool
    reason: str
    cached: bool
    assets: dict[str, str]
    seconds: float


class AnalysedTask(BannerTask):
    """The task once the analyse stage has set its ``analysis``: what every later stage reads."""

    analysis: Analysis


class DesignItem(BaseModel):
    """One (size, template) of one product: a Map item of the banner state machine."""

    job_id: str = Field(pattern=JOB_ID)
    product_id: str = Field(pattern=JOB_ID)
    width: int
    height: int
    template: str
    format: ImageFormat = "png"
    order: int = 0  # position in the plan: the last tie-breaker of the ranking
    prior: float | None = None


class Plan(BaseModel):
    items: list[DesignItem]
    learned: bool = Field(description="the segment's bandit has feedback to order them by")


class LaidOutItem(DesignItem):
    layout_key: str
    warnings: list[str]


class RenderedItem(LaidOutItem):
    image_key: str


class EvaluatedItem(RenderedItem):
    evaluation: dict[str, Any]


class FailedDesign(BaseModel):
    """A (size, template) that could not be designed: reported without sinking the product.
    The state machine keeps the Catch output; the in-process run, the exception."""

    template: str
    width: int
    height: int
    error: StageError | ErrorDetail


Item = TypeVar("Item", bound=DesignItem)


class DesignRequest(BaseModel, Generic[Item]):
    """A design stage's input: the task, and the item as the previous stage left it."""

    task: AnalysedTask
    item: Item


class RankRequest(BaseModel):
    task: AnalysedTask
    designs: list[EvaluatedItem | FailedDesign]


class Subject(BaseModel):
    clear: bool
    reason: str
    confidence: float
    cached: bool


class ProductSummary(BaseModel):
    """A designed product as its job lists it: its report's key and what the report says."""

    job_id: str
    product_id: str
    name: str
    status: Literal["ok"]
    report: str
    subject: Subject
    variants: int


class TaskRef(BaseTaskRef):
    product_id: str = Field(pattern=JOB_ID)
    name: str = ""


class FailedTask(Failed):
    task: TaskRef


class ProductError(ReportedError):
    product_id: str
    name: str


class BannerRun(BaseModel):
    """The banner state machine's input."""

    task: BannerTask


class FeedbackEvent(BaseModel):
    """What a shopper did with a variant: feeds the segment's bandit.

    ``count`` is a strict integer (``true`` or ``"5"`` are refused, not read as numbers) and
    bounded, so that one request cannot outweigh a segment's real traffic.
    """

    segment: str = Field("default", pattern=_SEGMENT)
    template: str
    event: Literal["impression", "click", "download"]
    count: StrictInt = Field(1, ge=1, le=MAX_EVENT_COUNT)


class FeedbackBatch(BaseModel):
    events: list[FeedbackEvent] = Field(min_length=1, max_length=1000)

    @field_validator("events")
    @classmethod
    def _bounded_total(cls, events: list[FeedbackEvent]) -> list[FeedbackEvent]:
        total = sum(e.count for e in events)
        if total > MAX_BATCH_COUNT:
            raise ValueError(f"the events' counts add up to {total:,}, more than the "
                             f"{MAX_BATCH_COUNT:,} one request may report")
        return events


class BannerJobItem(ImageRef):
    """One product of a batch manifest."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    scene_url: str | None = None
    copy_: BannerCopy = Field(alias="copy")


class BannerSpec(BannerOptions):
    """Copy and options of one request; the images come as uploads or as references."""

    copy_: BannerCopy = Field(alias="copy")


class BannerRequest(BannerSpec):
    """``POST /v1/banners`` as JSON."""

    product: ImageRef
    scene: ImageRef | None = None
    logo: ImageRef | None = None


class BannerJobRequest(BannerOptions):
    products: list[BannerJobItem] = Field(min_length=1, max_length=10_000)
