"""Query parameters of paginated job reads, shared by every product's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

PageLimit = Annotated[int, Query(ge=1, le=1000, description="items per page")]
Cursor = Annotated[str | None, Query(max_length=200,
                                     description="`next_cursor` of the previous page")]
