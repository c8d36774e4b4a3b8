"""Pydantic models that every product's state machine payloads share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

JOB_ID = r"^[A-Za-z0-9_.-]{1,80}$"


class StageError(BaseModel):
    """Step Functions' Catch output: ``Error`` is the exception class, ``Cause`` its JSON."""

    Error: str
    Cause: str | None = None


class TaskRef(BaseModel):
    """Just enough of a task to file its error: the task itself may be what was invalid."""

    model_config = ConfigDict(extra="allow")

    job_id: str = Field(pattern=JOB_ID)
