"""Request bodies that routes read themselves (JSON or multipart), declared in the OpenAPI
schema so that /docs shows them and schemathesis can fuzz them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

_REF = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")  # e.g. "type", and "details" for validation

    code: str = Field(description="machine-readable, e.g. not_an_image, url_refused")
    message: str = Field(description="a sentence saying what is wrong and how to fix it")


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the API."""

    error: ErrorDetail


_ERRORS = {400: "the request cannot be used (bad JSON, a bad value, an unsafe name...)",
           401: "no valid API token (when the server has one)",
           403: "the URL points somewhere the operator does not allow",
           404: "no such route, result or job", 405: "wrong method for this route",
           413: "too large or too costly (pixels, decode memory, brush strokes, download)",
           415: "not an image, or an unsupported one",
           422: "a value out of range, or a URL that could not be fetched",
           503: "overloaded (with Retry-After) or past the request deadline"}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _ERRORS.items()}


def json_or_multipart(model: type[BaseModel], files: dict[str, str],
                      fields: dict[str, dict[str, Any]] | None = None,
                      required: tuple[str, ...] = ()) -> dict[str, Any]:
    """``openapi_extra`` for a route taking ``model`` as JSON, or a multipart form with
    ``files`` (name -> description) and other ``fields``."""
    properties = {name: {"type": "string", "format": "binary", "description": text}
                  for name, text in files.items()} | (fields or {})
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}},
        "multipart/form-data": {"schema": {"type": "object", "properties": properties,
                                           "required": list(required)}},
    }}}


def add_models(app: FastAPI, models: list[type[BaseModel]]) -> None:
    """Put ``models`` (and the models they use) in the app's OpenAPI components: routes that
    parse their own bodies refer to them by ``$ref``."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        found = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            body = model.model_json_schema(ref_template=_REF)
            for name, sub in body.pop("$defs", {}).items():
                found.setdefault(name, sub)
            found.setdefault(model.__name__, body)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
