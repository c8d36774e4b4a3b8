"""The record's product fields from a parsed product page (:mod:`vitrina.product_page`),
each with the source the parser found it in."""

from __future__ import annotations

from typing import Any

from vitrina.product_page import ProductPage, Sourced


def _sourced(value: Sourced | None) -> dict[str, str] | None:
    return {"value": value.value, "source": value.source} if value else None


def page_fields(page: ProductPage) -> dict[str, Any]:
    """PageRecord fields (as JSON) stated by the page; what it does not state is left out.
    The price is the page's chosen amount as a plain decimal (what range queries read)."""
    title = next((f for f in page.facts if f.kind == "title"), None)
    fields: dict[str, Any] = {
        "language": page.language,
        "title": {"value": page.title, "source": title.source} if title else None,
        "brand": _sourced(page.brand),
        "price": _sourced(page.price_amount),
        "currency": _sourced(page.price_currency),
        "availability": _sourced(page.availability),
        "sku": _sourced(page.sku), "gtin": _sourced(page.gtin), "mpn": _sourced(page.mpn),
        "attributes": [{"key": a.name, "value": a.value, "source": a.source}
                       for a in page.attributes],
        "selling_points": [_sourced(s) for s in page.selling_points],
        "description": [_sourced(s) for s in page.descriptions],
        "tables": [{"rows": [list(row) for row in t.rows], "source": t.source}
                   for t in page.tables],
        "media": [{"kind": m.kind, "ref": m.ref, "source": m.source, "alt": m.alt}
                  for m in (page.page_media or page.media)],
    }
    return {name: value for name, value in fields.items() if value not in (None, [])}
