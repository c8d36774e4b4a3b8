"""Parameters of job reads, shared by every product's routes: the job id and the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from vitrina.payloads import JOB_ID

JobId = Annotated[str, Path(pattern=JOB_ID, description="`job_id` of the job's 202 answer")]
PageLimit = Annotated[int, Query(ge=1, le=1000, description="items per page")]
Cursor = Annotated[str | None, Query(pattern=r"^[!-~]{1,200}$",
                                     description="`next_cursor` of the previous page")]
