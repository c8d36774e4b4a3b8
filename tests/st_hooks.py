"""Schemathesis hooks for tests/test_api_schema.py (loaded through SCHEMATHESIS_HOOKS): the
API's own error contract as a check, and the review page's HTML read as text."""

from __future__ import annotations

import json

import schemathesis


def error_shape_problem(status: int, body: bytes) -> str | None:
    """Why a 4xx or 5xx body breaks the API's error shape, or None when it keeps it."""
    try:
        payload = json.loads(body)
    except ValueError:
        return f"{status} body is not JSON"
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return f"{status} body has no 'error' object"
    code, message = error.get("code"), error.get("message")
    if not (isinstance(code, str) and code):
        return f"{status} error.code is not a non-empty string"
    if not (isinstance(message, str) and len(message) >= 10):
        return f"{status} error.message is not a sentence (>= 10 chars)"
    return None


@schemathesis.check
def error_shape(ctx, response, case) -> None:
    """Every 4xx and 5xx is JSON {"error": {"code": non-empty str, "message": a sentence}}."""
    if response.status_code >= 400:
        problem = error_shape_problem(response.status_code, response.content)
        assert problem is None, f"{problem}: {response.text[:300]}"


@schemathesis.deserializer("text/html")
def html(ctx, response) -> str:
    return response.content.decode("utf-8", "replace")
