"""The API's OpenAPI document: the error shape, each route's own error statuses, and the
bodies that routes read themselves (JSON or multipart), so that /docs shows them and
schemathesis, run with all its checks, finds the schema and the server in agreement."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from vitrina.config import settings

_REF = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")  # e.g. "type", and "details" for validation

    code: str = Field(description="machine-readable, e.g. not_an_image, url_refused")
    message: str = Field(description="a sentence saying what is wrong and how to fix it")


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the API."""

    error: ErrorDetail


_ERRORS = {
    400: "the request does not match this schema (code invalid_request), or names something "
         "unsafe or unusable (bad JSON, an unsafe key...)",
    401: "no valid API token",
    403: "the URL points somewhere the operator does not allow",
    404: "no such result or job, or no such file at the s3_key given",
    413: "too large or too costly (pixels, decode memory, brush strokes, download)",
    415: "not an image (an empty file included), or an unsupported one",
    422: "valid, but what it names cannot be used: a URL that could not be fetched, media "
         "with nothing usable, or a rule the schema cannot state (a banner size's aspect ratio)",
    503: "overloaded (with Retry-After), past the request deadline, or a model or font this "
         "server lacks",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route: the error statuses it can answer, in the error shape (JSON
    also where the route's own answer is a PNG or a page)."""
    body = {"application/json": {"schema": {"$ref": _REF.format(model="ErrorBody")}}}
    return {status: {"description": _ERRORS[status], "content": body} for status in statuses}


# Answered by anything that reads an image (decoding, its budget), and by the worker pool.
IMAGE_ERRORS = (400, 403, 413, 415, 422)
BUSY = 503

_BODY_MODELS: list[type[BaseModel]] = []


def json_or_multipart(json_model: type[BaseModel], form_model: type[BaseModel],
                      json_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """``openapi_extra`` for a route reading ``json_model`` as JSON, or ``form_model`` as a
    multipart form (its ``json_fields`` sent as JSON parts)."""
    _BODY_MODELS.extend((json_model, form_model))
    form: dict[str, Any] = {"schema": {"$ref": _REF.format(model=form_model.__name__)}}
    if json_fields:
        form["encoding"] = {name: {"contentType": "application/json"} for name in json_fields}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": _REF.format(model=json_model.__name__)}},
        "multipart/form-data": form,
    }}}


def multipart(form_model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route reading only a multipart form."""
    _BODY_MODELS.append(form_model)
    return {"requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"$ref": _REF.format(model=form_model.__name__)}}}}}


def link(operation_id: str, parameter: str, source: str) -> dict[str, Any]:
    """An OpenAPI link: ``parameter`` of ``operation_id`` from ``source`` of this answer
    (e.g. ``$response.body#/job_id``), for readers and for stateful testing."""
    return {"operationId": operation_id, "parameters": {parameter: source}}


def _drop_fastapi_422(schema: dict[str, Any]) -> None:
    """FastAPI documents a 422 of its own validation model on every route with parameters;
    this API answers those mistakes 400 in its error shape, so they go."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            answer = operation.get("responses", {}).get("422", {})
            if "HTTPValidationError" in str(answer):
                del operation["responses"]["422"]
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)


def _require_token(schema: dict[str, Any], public: frozenset[str]) -> None:
    """With a token configured, every operation but the public ones needs it, and says so."""
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer",
                   "description": "the operator's VITRINA_API_TOKEN"}}
    error = {"description": _ERRORS[401], "content": {"application/json": {"schema": {
        "$ref": _REF.format(model="ErrorBody")}}}}
    for route, path in schema.get("paths", {}).items():
        if route in public:
            continue
        for operation in path.values():
            operation["security"] = [{"bearer": []}]
            operation.setdefault("responses", {})["401"] = error


def finish_openapi(app: FastAPI, public: frozenset[str]) -> None:
    """The app's OpenAPI document, built once: the bodies routes read themselves, no
    FastAPI 422, and the token where the server has one."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        found = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in [*_BODY_MODELS, ErrorBody]:
            body = model.model_json_schema(ref_template=_REF)
            for name, sub in body.pop("$defs", {}).items():
                found.setdefault(name, sub)
            found.setdefault(model.__name__, body)
        _drop_fastapi_422(schema)
        if settings().api_token:
            _require_token(schema, public)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
