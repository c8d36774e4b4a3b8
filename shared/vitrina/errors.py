"""Named errors shared by every product.

Step Functions matches Retry/Catch on the class name (Lambda's ``errorType``), and the HTTP
API maps ``code``/``status`` to a 4xx/5xx body, so each failure a user can cause has its own class.
"""

from __future__ import annotations


class VitrinaError(Exception):
    """Base of every error vitrina reports on purpose."""

    code = "internal_error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "type": type(self).__name__, "message": self.message}


class InputError(VitrinaError):
    """The caller's input cannot be used; retrying will not help."""

    code = "invalid_input"
    status = 400


class InvalidEvent(InputError):
    """A request or state payload that does not match its model (a value out of range...)."""

    code = "invalid_request"


class EmptyInput(InputError):
    """No body, or an empty file: nothing of any media type to read."""

    code = "empty_input"
    status = 415


class WrongContentType(InputError):
    """A body of a content type the route does not read (it says which it reads)."""

    code = "unsupported_media_type"
    status = 415


class NotAnImage(InputError):
    code = "not_an_image"
    status = 415


class UnsupportedImage(InputError):
    code = "unsupported_image"
    status = 415


class TruncatedImage(InputError):
    code = "truncated_image"


class UploadTooLarge(InputError):
    code = "payload_too_large"
    status = 413


class ImageTooLarge(InputError):
    code = "image_too_large"
    status = 413


class UnsupportedSize(InputError):
    """A size the request may state but the layout cannot fill well (an aspect ratio out of
    range): a rule the API's schema cannot express, so a 422, not a 400."""

    code = "unsupported_size"
    status = 422


class FetchError(InputError):
    """A URL given by the user could not be fetched."""

    code = "fetch_failed"
    status = 422


class FetchTimeout(FetchError):
    """The URL's server was too slow (connect, read or total deadline): worth another try,
    so the state machines retry it with backoff (input errors are never retried)."""

    code = "fetch_timeout"


class UpstreamUnavailable(FetchError):
    """The URL's server answered 5xx or 429 (busy, throttling): worth another try."""

    code = "upstream_unavailable"


# Named in every Task's Retry of statemachines/*.asl.json (a test checks it).
TRANSIENT_ERRORS = ("FetchTimeout", "UpstreamUnavailable")


class FetchRefused(FetchError):
    """The URL points somewhere the operator does not allow (private, loopback, bad scheme...)."""

    code = "url_refused"
    status = 403


class FetchTooLarge(FetchError):
    code = "download_too_large"
    status = 413


class UnsafeName(InputError):
    """A key, path or name that would leave its folder or is not a plain name."""

    code = "unsafe_name"


class TooCostly(InputError):
    """The work asked for is beyond the configured budget (memory to decode, brush cost...)."""

    code = "too_costly"
    status = 413


class Unauthorized(InputError):
    """The request carries no valid API token."""

    code = "unauthorized"
    status = 401


class Forbidden(InputError):
    """The request names something it may not see (a file URL that is not valid)."""

    code = "forbidden"
    status = 403


class Overloaded(VitrinaError):
    """Every worker is busy and the queue is full: try again after ``retry_after`` seconds."""

    code = "overloaded"
    status = 503

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeadlineExceeded(VitrinaError):
    """The work ran past its deadline (``VITRINA_REQUEST_DEADLINE_S``) and was stopped."""

    code = "deadline_exceeded"
    status = 503


class NotBuiltHere(VitrinaError):
    """A capability this deployment does not have yet (it says which and where it runs)."""

    code = "not_implemented"
    status = 501


class ConfigError(VitrinaError):
    """The operator's configuration is invalid: raised at start-up, not per request."""

    code = "invalid_configuration"


class NotFound(VitrinaError):
    code = "not_found"
    status = 404


class ModelUnavailable(VitrinaError):
    """A model file is missing: the message names the package that ships it."""

    code = "model_unavailable"
    status = 503


class FontMissing(VitrinaError):
    """A font file is missing: the message names the package that ships it."""

    code = "font_unavailable"
    status = 503


def caught(error: str, cause: str | None) -> dict[str, str]:
    """A Step Functions Catch result as ``{"type", "message"}``: Lambda puts the exception's
    class and message as JSON in ``Cause``; other failures leave plain text or nothing."""
    import json

    error_type, message = error, cause or ""
    try:
        parsed = json.loads(message)
        error_type = parsed.get("errorType", error_type)
        message = parsed.get("errorMessage", message)
    except (TypeError, ValueError, AttributeError):
        pass
    return {"type": error_type, "message": message or error_type}


class NoUsableMedia(InputError):
    """A product page or manifest shows no product image or video to make a video from."""

    code = "no_usable_media"
    status = 422


class SilentAudio(InputError):
    """The music has no sound to cut on."""

    code = "silent_audio"
    status = 422


class AudioTooShort(InputError):
    """Too little music to find a tempo in (a beat grid needs a few bars)."""

    code = "audio_too_short"
    status = 422


def describe(exc: Exception) -> str:
    """A pydantic ValidationError as one sentence: "where: what; where: what"."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in errors())
