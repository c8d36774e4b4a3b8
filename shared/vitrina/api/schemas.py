"""Request bodies that routes read themselves (JSON or multipart), declared in the OpenAPI
schema so that /docs shows them and schemathesis can fuzz them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

_REF = "#/components/schemas/{model}"


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
