"""Pydantic models at the video product's edges: HTTP bodies and state payloads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vitrina.payloads import JOB_ID, Failed, JsonInt, TaskRef, json_int
from vitrina.sources import ImageRef, NonEmpty, Source, UploadFileKey, exactly_one
from vitrina.video.clips import ClipShot
from vitrina.video.script import MAX_DURATION, MIN_DURATION, SIZES, TEMPLATES

Aspect = Literal["16:9", "9:16", "1:1", "3:4"]
Rhythm = Literal["slow", "medium", "fast"]


class VideoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aspect: Aspect = "16:9"
    duration: float = Field(15.0, ge=MIN_DURATION, le=MAX_DURATION, strict=True,
                            description="seconds")
    rhythm: Rhythm = "medium"
    template: str = Field("kenburns", json_schema_extra={"enum": list(TEMPLATES)})
    music: Literal["auto", "none"] | UploadFileKey = Field(
        "auto", description="auto (a synthesised track chosen for the product), none, or the "
        "key of a track uploaded to the input bucket (uploads/<id>/<name>)")
    fps: json_int(ge=12, le=60) = 25
    width: json_int(ge=240, le=1920) | None = Field(None, description="override the aspect's size")
    seed: JsonInt = 0

    @model_validator(mode="after")
    def _known_template(self) -> VideoOptions:
        if self.template not in TEMPLATES:
            raise ValueError(f"template must be one of {', '.join(TEMPLATES)}")
        return self

    def size(self) -> tuple[int, int]:
        width, height = SIZES[self.aspect]
        if self.width is None:
            return width, height
        scaled = round(self.width * height / width / 2) * 2
        return self.width - self.width % 2, scaled


class VideoTask(VideoOptions):
    """One video as the state machine carries it: references, never pixels."""

    # A state payload: fields it does not declare are dropped (HTTP bodies refuse them).
    model_config = ConfigDict(extra="ignore")

    job_id: str = Field(pattern=JOB_ID)
    page: Source | None = Field(None, description="an HTML page: a URL, or an uploaded file "
                                "whose assets were uploaded beside it")
    manifest: Source | None = Field(None, description="a materials manifest (JSON)")
    assets_prefix: str | None = Field(None, description="input-bucket prefix holding an "
                                      "uploaded page or manifest with its files (default: "
                                      "the folder of its key)")

    @model_validator(mode="after")
    def _one_input(self) -> VideoTask:
        if (self.page is None) == (self.manifest is None):
            raise ValueError("give either a page or a manifest")
        return self


class MediaItem(BaseModel):
    """One image of the page as ingest stored it: a Map item of the analyse stage."""

    job_id: str = Field(pattern=JOB_ID)
    index: int
    key: str
    ref: str = Field(description="where the page had it: a URL, a file, or a clip's moment")
    source: str = Field(description="what named it: json-ld, microdata, og:, html, clip-frame...")


class AnalysedMedia(MediaItem):
    """An image with what :func:`vitrina.video.analyse.analyse_images` found in it."""

    width: int
    height: int
    sharpness: float
    phash: int
    subject: tuple[int, int, int, int]
    usable: bool
    reason: str
    text: list[str]


class StoredClip(BaseModel):
    """A clip of the page, copied to the output bucket, with its shots."""

    ref: str
    key: str
    duration: float
    fps: float
    width: int
    height: int
    analysed_s: float
    cuts: list[float]
    shots: list[ClipShot]


class Music(BaseModel):
    """The user's own track as ingest stored it (WAV) with its beats."""

    key: str
    style: str
    bpm: float
    beats: list[float]


class Ingested(BaseModel):
    """What the ingest stage read: the page (stored as JSON), its images and clips."""

    page_key: str
    title: str
    language: str
    media: list[MediaItem]
    clips: list[StoredClip]
    warnings: list[str]
    music: Music | None = Field(description="None: the music is synthesised or left out")


class IngestedTask(VideoTask):
    """The task once the ingest stage has set ``ingested``: what every later stage reads."""

    ingested: Ingested


class SegmentItem(BaseModel):
    """One stretch of frames of the timeline: a Map item of the render stage."""

    job_id: str = Field(pattern=JOB_ID)
    index: int
    frames: tuple[int, int]
    storyboard_key: str


class RenderedSegment(SegmentItem):
    key: str


class ScriptRequest(BaseModel):
    task: IngestedTask
    analysed: list[AnalysedMedia]


class Script(BaseModel):
    """The storyboard (stored as JSON), its music and the segments to render."""

    storyboard_key: str
    music_key: str | None
    segments: list[SegmentItem]
    style: str | None = Field(description="the music's style; None without music")
    bpm: float


class JoinRequest(BaseModel):
    task: IngestedTask
    script: Script
    segments: list[RenderedSegment]


class VideoOutputs(BaseModel):
    video: str
    poster: str
    storyboard: str
    storyboard_png: str


class Joined(BaseModel):
    job_id: str
    outputs: VideoOutputs


class EvaluateRequest(JoinRequest):
    joined: Joined


class VideoSummary(BaseModel):
    """A made video: whether every check of the probed output passed, and its keys."""

    job_id: str
    status: Literal["ok"]
    passed: bool
    checks: dict[str, bool]
    outputs: VideoOutputs


class FailedVideo(Failed):
    task: TaskRef


class VideoRun(BaseModel):
    """The video state machine's input."""

    task: VideoTask


class VideoRequest(VideoOptions):
    """``POST /v1/videos``: a product page URL, or a manifest already in the input bucket."""

    model_config = ConfigDict(json_schema_extra=exactly_one("page_url", "manifest_key"))

    page_url: NonEmpty | None = Field(None, description="the product page, fetched safely")
    manifest_key: UploadFileKey | None = Field(
        None, description="a file of an upload: the manifest names only that upload's files")

    @model_validator(mode="after")
    def _one_input(self) -> VideoRequest:
        if bool(self.page_url) == bool(self.manifest_key):
            raise ValueError("give either page_url or manifest_key")
        return self

    def to_source(self) -> Source:
        return ImageRef(url=self.page_url, s3_key=self.manifest_key).to_source()
