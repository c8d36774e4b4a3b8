"""Pydantic models at the video product's edges: HTTP bodies and state payloads."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vitrina.payloads import JOB_ID, StageError, TaskRef
from vitrina.sources import ImageRef, Source, UploadFileKey
from vitrina.video.script import MAX_DURATION, MIN_DURATION, SIZES, TEMPLATES

Aspect = Literal["16:9", "9:16", "1:1", "3:4"]
Rhythm = Literal["slow", "medium", "fast"]


class VideoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aspect: Aspect = "16:9"
    duration: float = Field(15.0, ge=MIN_DURATION, le=MAX_DURATION, description="seconds")
    rhythm: Rhythm = "medium"
    template: str = Field("kenburns", description=f"one of {', '.join(TEMPLATES)}")
    music: Literal["auto", "none"] | UploadFileKey = Field(
        "auto", description="auto (a synthesised track chosen for the product), none, or the "
        "key of a track uploaded to the input bucket (uploads/<id>/<name>)")
    fps: int = Field(25, ge=12, le=60)
    width: int | None = Field(None, ge=240, le=1920, description="override the aspect's size")
    seed: int = 0

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

    model_config = ConfigDict(extra="allow")

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
    """One image of the page: a Map item of the analyse stage."""

    model_config = ConfigDict(extra="allow")

    job_id: str = Field(pattern=JOB_ID)
    index: int
    key: str


class SegmentItem(BaseModel):
    """One stretch of frames of the timeline: a Map item of the render stage."""

    job_id: str = Field(pattern=JOB_ID)
    index: int
    frames: tuple[int, int]
    storyboard_key: str


class ScriptRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    task: VideoTask
    analysed: list[dict[str, Any]]


class JoinRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    task: VideoTask
    script: dict[str, Any]
    segments: list[dict[str, Any]]


class FailedVideo(BaseModel):
    task: TaskRef
    error: StageError


class VideoRequest(VideoOptions):
    """``POST /v1/videos``: a product page URL, or a manifest already in the input bucket."""

    page_url: str | None = None
    manifest_key: UploadFileKey | None = Field(
        None, description="a file of an upload: the manifest names only that upload's files")

    @model_validator(mode="after")
    def _one_input(self) -> VideoRequest:
        if bool(self.page_url) == bool(self.manifest_key):
            raise ValueError("give either page_url or manifest_key")
        return self

    def to_source(self) -> Source:
        return ImageRef(url=self.page_url, s3_key=self.manifest_key).to_source()
