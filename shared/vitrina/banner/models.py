"""Pydantic models at the banner product's edges: HTTP bodies, state payloads, manifests."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from vitrina.banner.layout import MAX_SIDE, MIN_SIDE, Copy, check_size
from vitrina.errors import InputError
from vitrina.payloads import (
    JOB_ID,
    ErrorDetail,
    Failed,
    JsonInt,
    ReportedError,
    StageError,
    json_int,
)
from vitrina.payloads import TaskRef as BaseTaskRef
from vitrina.sources import ImageRef, Source

ImageFormat = Literal["png", "jpeg", "webp"]
# One side, MIN_SIDE..MAX_SIDE (250..3000) pixels, in a pattern the OpenAPI schema can state.
_SIDE = r"(2[5-9][0-9]|[3-9][0-9][0-9]|[12][0-9][0-9][0-9]|3000)"
SIZE_PATTERN = rf"^ *{_SIDE} *[xX×] *{_SIDE} *$"
_SIZE = re.compile(SIZE_PATTERN)
assert (MIN_SIDE, MAX_SIDE) == (250, 3000), "SIZE_PATTERN spells these sides out"
SEGMENT_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
# The text of a title: at least one character that is not white space (as str.strip sees it,
# spelled out so that every regex engine reading the schema agrees).
HAS_TEXT = r"[^\t-\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
MAX_EVENTS, MAX_EVENT_COUNT = 100, 1_000  # one request moves a segment by 100,000 at most


def parse_size(value: str) -> tuple[int, int]:
    """``"1200x628"`` -> (1200, 628), refusing what the solver cannot lay out: a size
    outside the pattern (InputError), or of an aspect outside 1:4..4:1 (UnsupportedSize)."""
    match = _SIZE.match(value)
    if not match:
        raise InputError(f"size {value!r} is not WIDTHxHEIGHT, {MIN_SIDE}..{MAX_SIDE} "
                         "a side, e.g. 1200x628")
    width, height = int(match.group(1)), int(match.group(2))
    check_size(width, height)
    return width, height


def _template_names(schema: dict[str, Any]) -> None:
    from vitrina.banner.templates import load_templates

    schema["enum"] = sorted(load_templates())


def _known_template(name: str) -> str:
    from vitrina.banner.templates import load_templates

    if name not in load_templates():
        raise ValueError(f"unknown template {name!r}: GET /v1/banners/templates lists them")
    return name


def _size_format(value: str) -> str:
    if not _SIZE.fullmatch(value):
        raise ValueError(f"size {value[:40]!r} is not WIDTHxHEIGHT, {MIN_SIDE}..{MAX_SIDE} "
                         "a side, e.g. 1200x628")
    return value


def _has_text(value: str) -> str:
    if not value.strip():
        raise ValueError("the title must contain some text")
    return value


# Validated by the functions (their messages say what to send), stated in the schema too.
Size = Annotated[str, AfterValidator(_size_format),
                 Field(json_schema_extra={"pattern": SIZE_PATTERN}, examples=["1200x628"])]
Title = Annotated[str, AfterValidator(_has_text), Field(json_schema_extra={"pattern": HAS_TEXT})]
TemplateName = Annotated[str, AfterValidator(_known_template),
                         Field(json_schema_extra=_template_names)]


MAX_PRICE = 1_000_000_000


def _text_or_number(schema: dict[str, Any]) -> None:
    text = {"type": "string", "maxLength": schema.pop("maxLength")}
    schema.pop("type")
    schema["anyOf"] = [text, {"type": "number", "minimum": 0, "maximum": MAX_PRICE}]


class BannerCopy(BaseModel):
    """The words on the banner. Only the title is required."""

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(max_length=5000,
                         description="headline (some text); long text is fitted or shortened")
    subtitle: str = Field("", max_length=5000)
    price: str = Field("", max_length=40, description="e.g. 199 or 199.90 (currency added)",
                       json_schema_extra=_text_or_number)
    original_price: str = Field("", max_length=40, description="shown struck through",
                                json_schema_extra=_text_or_number)
    cta: str = Field("", max_length=200, description="call-to-action button text")
    badge: str = Field("", max_length=200, description="e.g. NEW or -30%")

    @field_validator("price", "original_price", mode="before")
    @classmethod
    def _number_to_text(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value  # text, or refused as not text
        if not 0 <= value <= MAX_PRICE:
            raise ValueError(f"a price is a number from 0 to {MAX_PRICE:,}")
        return str(value)

    def to_copy(self) -> Copy:
        return Copy(**self.model_dump())


class BannerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sizes: list[Size] = Field(default_factory=lambda: ["1200x628"], min_length=1, max_length=8,
                              description="WIDTHxHEIGHT, 250..3000 a side; an aspect outside "
                              "1:4..4:1 is refused with a 422")
    variants: json_int(ge=1, le=12) = 6
    segment: str = Field("default", pattern=SEGMENT_PATTERN,
                         description="audience segment whose feedback orders the styles")
    templates: list[TemplateName] | None = Field(None, description="restrict to these")
    format: ImageFormat = "png"
    seed: JsonInt | None = Field(None, description="repeatable style sampling")

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

    ``count`` is a JSON integer (``true`` or ``"5"`` are refused, not read as numbers) and
    bounded, so that one request cannot outweigh a segment's real traffic.
    """

    segment: str = Field("default", pattern=SEGMENT_PATTERN)
    template: TemplateName
    event: Literal["impression", "click", "download"]
    count: json_int(ge=1, le=MAX_EVENT_COUNT) = 1


class FeedbackBatch(BaseModel):
    events: list[FeedbackEvent] = Field(min_length=1, max_length=MAX_EVENTS)


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
