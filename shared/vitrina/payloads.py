"""Pydantic models that every product's state machine payloads share.

One error shape runs through every record and report: :class:`ErrorDetail`, ``{"type",
"message"}``; Step Functions' own Catch output (:class:`StageError`) becomes it where a
failure is filed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from vitrina.errors import caught

JOB_ID = r"^[A-Za-z0-9_.-]{1,80}$"


def _json_integer(value: Any) -> Any:
    """A JSON integer as JSON Schema reads it: 2 and 2.0, never "2" or true (pydantic's lax
    mode would take both, its strict mode would refuse 2.0)."""
    if isinstance(value, bool | str):
        raise ValueError("an integer is a JSON number, not text or true/false")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def json_int(**bounds: int) -> Any:
    """A JSON integer within ``bounds`` (ge=, le=...): bounds must come before the validator
    in the annotation, or the JSON schema spells them "ge"/"le" instead of minimum/maximum."""
    return Annotated[int, Field(**bounds), BeforeValidator(_json_integer)]


JsonInt = json_int()


class StageError(BaseModel):
    """Step Functions' Catch output: ``Error`` is the exception class, ``Cause`` its JSON."""

    Error: str
    Cause: str | None = None


class ErrorDetail(BaseModel):
    """Why a unit of work failed, as every record and report says it."""

    type: str
    message: str

    @classmethod
    def caught(cls, error: StageError) -> ErrorDetail:
        return cls(**caught(error.Error, error.Cause))

    @classmethod
    def of(cls, exc: Exception) -> ErrorDetail:
        """An exception caught in-process, as a Catch would have filed it."""
        return cls(type=type(exc).__name__, message=str(exc))


class ErrorRecord(BaseModel):
    """A unit of work (an image, a product, a video) that failed, as its product keeps it."""

    job_id: str
    status: Literal["error"] = "error"
    error: ErrorDetail


class ReportedError(ErrorRecord):
    """An error record that is also its unit's report: it is written at ``report``."""

    report: str


class Failed(BaseModel):
    """What a RecordError state passes: the Catch output, beside the failing task's ids."""

    error: StageError


class TaskRef(BaseModel):
    """Just enough of a task to file its error: the task itself may be what was invalid,
    so whatever else it carries is ignored."""

    model_config = ConfigDict(extra="ignore")

    job_id: str = Field(pattern=JOB_ID)


class JobRef(BaseModel):
    """The input of a batch's report stage."""

    job_id: str = Field(pattern=JOB_ID)


class JobSummary(BaseModel):
    """What a batch's report stage returns: where the job report is, and its counts."""

    job_id: str
    report: str
    succeeded: int
    failed: int


class ManifestRef(BaseModel):
    bucket: str
    key: str


class BatchRun(BaseModel):
    """A batch state machine's input (:func:`vitrina.jobs.start`): a Distributed Map reads
    the manifest's items."""

    job_id: str = Field(pattern=JOB_ID)
    manifest: ManifestRef
    tolerated_failure_percentage: int = Field(100, ge=0, le=100)
