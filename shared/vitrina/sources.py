"""Where a user's input is: an S3 object or a URL, read the same way by every product."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from vitrina import storage
from vitrina.config import settings
from vitrina.fetch import fetch


class Source(BaseModel):
    """Where an input image is: an S3 object or a URL (fetched safely)."""

    bucket: str | None = None
    key: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _one_place(self) -> Source:
        if bool(self.url) == bool(self.key):
            raise ValueError("give either a url or an S3 key")
        return self

    def describe(self) -> str:
        return self.url or f"s3://{self.bucket or ''}/{self.key}"


class ImageRef(BaseModel):
    """An input named at an HTTP edge: a URL (fetched safely) or a key in the input bucket."""

    url: str | None = None
    s3_key: str | None = Field(None, description="key in the input bucket")

    @model_validator(mode="after")
    def _one_place(self) -> ImageRef:
        if bool(self.url) == bool(self.s3_key):
            raise ValueError("give either url or s3_key")
        return self

    def to_source(self) -> Source:
        if self.url:
            return Source(url=self.url)
        return Source(bucket=settings().input_bucket, key=self.s3_key)


def read_source(source: Source) -> bytes:
    """The input's bytes: URLs through the safe fetcher, keys from the input bucket."""
    if source.url:
        return fetch(source.url).content
    return storage.get_bytes(source.bucket or settings().input_bucket, source.key or "")
