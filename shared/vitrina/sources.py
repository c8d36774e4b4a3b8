"""Where a user's input is: an S3 object or a URL, read the same way by every product."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from vitrina import keys, storage
from vitrina.config import settings
from vitrina.errors import FetchRefused, UnsafeName
from vitrina.fetch import fetch


def without_credentials(url: str) -> tuple[str, bool]:
    """``url`` with any ``user:password@`` removed, and whether there was one: credentials
    are never stored, logged or echoed (and URLs carrying them are never fetched)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, False
    if "@" not in parts.netloc:
        return url, False
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=host)), True


def _checked(check: Callable[[str], object]) -> AfterValidator:
    """A pydantic validator from a :mod:`vitrina.keys` check (pydantic wants ValueError)."""

    def validate(value: str) -> str:
        try:
            check(value)
        except UnsafeName as err:
            raise ValueError(err.message) from err
        return value

    return AfterValidator(validate)


def _documented(pattern: str) -> Any:
    """The check's rule in the OpenAPI schema too (the check validates: pydantic's own regex
    engine has no look-ahead)."""
    return Field(json_schema_extra={"pattern": pattern, "maxLength": keys.MAX_KEY})


# A plain key named in a request, and a file of an upload (uploads/<id>/<name>).
StorageKey = Annotated[str, _checked(keys.check_key), _documented(keys.KEY_PATTERN)]
UploadFileKey = Annotated[str, _checked(keys.upload_of), _documented(keys.UPLOAD_FILE_PATTERN)]
NonEmpty = Annotated[str, Field(min_length=1)]


def exactly_one(*names: str) -> dict[str, Any]:
    """JSON schema of a model that needs exactly one of ``names`` given and not null."""
    return {"oneOf": [{"required": [name], "properties": {name: {"type": "string"}}}
                      for name in names]}


class Source(BaseModel):
    """Where an input image is: an S3 object or a URL (fetched safely)."""

    bucket: str | None = None
    key: StorageKey | None = None
    url: str | None = None
    credentials_removed: bool = Field(False, description="the URL carried a user name or "
                                      "password, removed here; such a URL is never fetched")

    @model_validator(mode="after")
    def _one_place(self) -> Source:
        if bool(self.url) == bool(self.key):
            raise ValueError("give either a url or an S3 key")
        if self.url:
            self.url, removed = without_credentials(self.url)
            self.credentials_removed = self.credentials_removed or removed
        return self

    def describe(self) -> str:
        return self.url or f"s3://{self.bucket or ''}/{self.key}"

    def fetchable_url(self) -> str:
        """The URL to fetch; FetchRefused if it carried credentials (they were removed)."""
        if self.credentials_removed:
            raise FetchRefused(f"refused to fetch {self.url}: URLs with a user name or "
                               "password are not allowed")
        return self.url or ""


class ImageRef(BaseModel):
    """An input named at an HTTP edge: a URL (fetched safely) or a key in the input bucket."""

    model_config = ConfigDict(json_schema_extra=exactly_one("url", "s3_key"))

    url: NonEmpty | None = Field(None, description="http(s) URL, fetched safely")
    s3_key: StorageKey | None = Field(None, description="key in the input bucket")

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
        return fetch(source.fetchable_url()).content
    return storage.get_bytes(source.bucket or settings().input_bucket, source.key or "")
