"""Scores stored with every record: how much of the page analysis covered, how sure the OCR
was, how complete the product fields are."""

from __future__ import annotations

from vitrina.detail_page.records import PageRecord

FIELDS = ("title", "brand", "price", "currency", "availability", "sku", "gtin", "mpn")


def evaluate(record: PageRecord) -> dict[str, float | int | str]:
    """coverage: share of the images' area in modules of a known kind; ocr_confidence: mean
    line confidence; field_completeness: share of the product fields stated."""
    area = sum(width * height for width, height in record.image_sizes)
    classified = sum((m.box[2] - m.box[0]) * (m.box[3] - m.box[1])
                     for m in record.modules if m.kind != "other")
    scores = [line.score for m in record.modules for line in m.lines]
    stated = sum(1 for name in FIELDS if getattr(record, name) is not None)
    result: dict[str, float | int | str] = {
        "modules": len(record.modules),
        "lines": len(scores),
        "field_completeness": round(stated / len(FIELDS), 3),
    }
    if area:
        result["coverage"] = round(classified / area, 3)
    if scores:
        result["ocr_confidence"] = round(sum(scores) / len(scores), 3)
    return result
