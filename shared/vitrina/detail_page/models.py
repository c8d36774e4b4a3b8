"""Pydantic models between the detail_page product's stages (state payloads: keys and small
metadata, never pixels) and at its edges."""

from __future__ import annotations

from pydantic import BaseModel, Field

from vitrina.detail_page.records import ModuleKind
from vitrina.payloads import JOB_ID, Failed, ReportedError
from vitrina.sources import Source

PAGE_ID = r"^[0-9a-f]{24}$"


class PageTask(BaseModel):
    """One page to analyse: a product page (HTML: a URL or a stored file) and/or its long
    images, in page order."""

    job_id: str = Field(pattern=JOB_ID)
    page_id: str = Field(pattern=PAGE_ID, description="the same page gets the same id, so "
                         "analysing it again makes a new version")
    name: str = ""
    html: Source | None = None
    images: list[Source] = Field(default_factory=list, max_length=50)


class PageRun(BaseModel):
    task: PageTask


class ModuleItem(BaseModel):
    """One module of one long image: a Map item of the state machine."""

    job_id: str = Field(pattern=JOB_ID)
    page_id: str = Field(pattern=PAGE_ID)
    index: int
    image: int
    box: tuple[int, int, int, int]
    crop: str


class CutPage(BaseModel):
    """After cut: the page's fields read from its HTML (stored: ``fields``), its images'
    sizes and its modules."""

    fields: str | None = Field(None, description="key of the fields read from the HTML")
    image_sizes: list[tuple[int, int]]
    modules: list[ModuleItem]


class ReadModule(ModuleItem):
    kind: ModuleKind
    lines: int
    result: str = Field(description="key of the module's lines, kind and table (JSON)")


class StoreRequest(BaseModel):
    task: PageTask
    cut: CutPage
    modules: list[ReadModule]


class PageSummary(BaseModel):
    job_id: str
    page_id: str
    version: int
    status: str = "ok"
    record: str = Field(description="key of the stored record (JSON)")
    modules: int
    lines: int
    evaluation: dict[str, float | int | str]


class FailedPage(Failed):
    """The page a stage failed on, with the Catch output beside it."""

    task: PageTask


class PageError(ReportedError):
    page_id: str
