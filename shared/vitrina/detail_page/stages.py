"""The detail_page product's stages: cut -> read (a Map over modules) -> store.

``cut`` reads the page's HTML fields and cuts each long image into modules (crops stored);
``read`` reads each module's text at full resolution and says what the module is; ``store``
assembles the record, scores it and writes it to the database as the page's next version.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from vitrina import product_page, storage, tables
from vitrina.config import settings
from vitrina.detail_page.classify import classify
from vitrina.detail_page.database import database
from vitrina.detail_page.fields import page_fields
from vitrina.detail_page.models import (
    CutPage,
    FailedPage,
    ModuleItem,
    PageError,
    PageSummary,
    PageTask,
    ReadModule,
    StoreRequest,
)
from vitrina.detail_page.records import Attribute, Line, Module, PageRecord, TableData
from vitrina.detail_page.score import evaluate
from vitrina.detail_page.segment import cut_modules
from vitrina.errors import InputError
from vitrina.fetch import fetch
from vitrina.imaging import decode_image
from vitrina.ocr import TextLine, read_tall
from vitrina.payloads import ErrorDetail
from vitrina.product_page.text import language
from vitrina.sources import read_source

MIN_WIDTH = 200  # narrower than this, no module of a detail page can be read


def page_id_for(*identities: str) -> str:
    """The id of a page from what identifies it (its URL, or its images' content hashes):
    the same page analysed again gets the same id, so it becomes a new version."""
    return hashlib.sha256("\n".join(identities).encode()).hexdigest()[:24]


def work_prefix(job_id: str, page_id: str) -> str:
    return f"pages/{page_id}/work/{job_id}/"


def report_key(job_id: str, page_id: str) -> str:
    return f"{work_prefix(job_id, page_id)}report.json"


def cut_page(task: PageTask) -> CutPage:
    """Read the HTML's fields, then cut every long image into stored module crops."""
    if task.html is None and not task.images:
        raise InputError("a page needs its HTML, its long images, or both")
    prefix = work_prefix(task.job_id, task.page_id)
    out = settings().output_bucket
    fields = None
    if task.html is not None:
        fields = f"{prefix}fields.json"
        storage.put_json(out, fields, page_fields(_read_page(task)))
    modules: list[ModuleItem] = []
    sizes: list[tuple[int, int]] = []
    for image_index, source in enumerate(task.images):
        rgb = decode_image(read_source(source)).rgb
        height, width = rgb.shape[:2]
        if width < MIN_WIDTH:
            raise InputError(f"image {image_index + 1} is {width} px wide: a detail page "
                             f"image needs at least {MIN_WIDTH} px to be read")
        sizes.append((width, height))
        for left, top, right, bottom in cut_modules(rgb):
            crop = f"{prefix}modules/{len(modules):03d}.png"
            storage.put_array(crop, rgb[top:bottom, left:right])
            modules.append(ModuleItem(job_id=task.job_id, page_id=task.page_id,
                                      index=len(modules), image=image_index,
                                      box=(left, top, right, bottom), crop=crop))
    return CutPage(fields=fields, image_sizes=sizes, modules=modules)


def _read_page(task: PageTask) -> product_page.ProductPage:
    """Everything the page says (a page without pictures still has facts to store)."""
    assert task.html is not None
    if task.html.url:
        fetched = fetch(task.html.fetchable_url())
        base, content, ctype = fetched.url, fetched.content, fetched.content_type
    else:
        base, content, ctype = "", read_source(task.html), ""
    return product_page.parse_page(product_page.decode_html(content, ctype), base)


def read_module(item: ModuleItem) -> ReadModule:
    """The module's lines (in page coordinates) and its kind, stored as JSON."""
    crop = storage.get_array(item.crop)
    lines = read_tall(crop)
    kind = classify(crop, lines)
    table, why = None, kind.why
    if kind.kind in ("table", "size_chart"):
        table = _table(crop, lines, item.index)
        if table is None:  # kept as an image module, and said so
            why += "; no grid of cells could be read"
    left, top = item.box[0], item.box[1]
    module = Module(
        index=item.index, image=item.image, kind=kind.kind, box=item.box, crop=item.crop,
        why=why, table=table,
        lines=[Line(text=line.text, score=line.score, on_photo=kind.kind == "photo",
                    box=(line.box[0] + left, line.box[1] + top, line.box[2] + left,
                         line.box[3] + top)) for line in lines])
    result = item.crop.removesuffix(".png") + ".json"
    storage.put_json(settings().output_bucket, result, module.model_dump(mode="json"))
    return ReadModule(**item.model_dump(), kind=kind.kind, lines=len(lines), result=result)


def _table(crop: np.ndarray, lines: list[TextLine], index: int) -> TableData | None:
    """The module's grid of ruled cells (the table model is not asked: it invents tables),
    each cell holding the lines read inside it."""
    found = tables.recognise(crop, read=False)
    if found is None:
        return None
    texts: dict[tuple[int, int], list[str]] = {}
    for line in lines:
        x, y = (line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2
        cell = next((c for c in found.cells if c.box[0] <= x <= c.box[2]
                     and c.box[1] <= y <= c.box[3]), None)
        if cell is not None:
            texts.setdefault((cell.row, cell.col), []).append(line.text)
    rows = [["" for _ in range(found.cols)] for _ in range(found.rows)]
    for (row, col), parts in texts.items():
        rows[row][col] = " ".join(parts)
    return TableData(rows=rows, source=f"ocr:module {index} ({found.source} grid)")


def store_page(request: StoreRequest) -> PageSummary:
    """The record, scored, as the page's next version in the database."""
    task, out = request.task, settings().output_bucket
    fields: dict[str, Any] = storage.get_json(out, request.cut.fields) if request.cut.fields \
        else {}
    modules = [Module.model_validate(storage.get_json(out, m.result))
               for m in sorted(request.modules, key=lambda m: m.index)]
    record = PageRecord(page_id=task.page_id, source=_describe(task), **fields,
                        modules=modules, image_sizes=request.cut.image_sizes)
    record.tables += [m.table for m in modules if m.table is not None]
    record.attributes += [Attribute(key=row[0], value=row[1], source=m.table.source)
                          for m in modules if m.table is not None and len(m.table.rows[0]) == 2
                          for row in m.table.rows if row[0] and row[1]]
    if record.language == "und":
        record.language = _language(record)
    record.evaluation = evaluate(record)
    stored = database().put(record)
    key = f"pages/{stored.page_id}/v{stored.version}/record.json"
    storage.put_json(out, key, stored.model_dump(mode="json"))
    summary = PageSummary(job_id=task.job_id, page_id=stored.page_id, version=stored.version,
                          record=key, modules=len(modules),
                          lines=sum(len(m.lines) for m in modules),
                          evaluation=stored.evaluation)
    storage.put_json(out, report_key(task.job_id, task.page_id), summary.model_dump(mode="json"))
    return summary


def _describe(task: PageTask) -> str:
    parts = ([task.html.describe()] if task.html else []) + [s.describe() for s in task.images]
    return task.name or " + ".join(parts)


def _language(record: PageRecord) -> str:
    texts = [t.value for t in record.texts()]
    return language(texts) if any(texts) else "und"


def error_record(failed: FailedPage, error: ErrorDetail) -> PageError:
    """A page that cannot be analysed ends as an error report that says why."""
    task = failed.task
    return PageError(job_id=task.job_id, page_id=task.page_id, error=error,
                     report=report_key(task.job_id, task.page_id))


def overlay(rgb: np.ndarray, modules: list[Module]) -> np.ndarray:
    """The page with each module's box and kind drawn on it (what a person checks)."""
    import cv2

    colours = {"photo": (46, 134, 193), "text": (39, 174, 96), "selling_points": (142, 68, 173),
               "table": (230, 126, 34), "size_chart": (211, 84, 0), "banner": (192, 57, 43),
               "other": (127, 140, 141)}
    shown = rgb.copy()
    for module in modules:
        left, top, right, bottom = module.box
        colour = colours[module.kind]
        cv2.rectangle(shown, (left, max(0, top - 4)), (right - 1, bottom + 3), colour, 3)
        label = f"{module.index} {module.kind}"
        # In the blank band above the module when there is room, so no text is hidden.
        y = top - 36 if top >= 40 else top + 2
        cv2.rectangle(shown, (left, y), (left + 12 + 13 * len(label), y + 30), colour, -1)
        cv2.putText(shown, label, (left + 6, y + 22), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                    (255, 255, 255), 2, cv2.LINE_AA)
    return shown
