"""The record's product fields from a parsed product page (:mod:`vitrina.product_page`),
each with the source the parser found it in."""

from __future__ import annotations

from typing import Any

from vitrina.product_page import ProductPage


def _first(page: ProductPage, kind: str) -> dict[str, str] | None:
    fact = next((f for f in page.facts if f.kind == kind), None)
    return {"value": fact.text, "source": fact.source} if fact else None


def page_fields(page: ProductPage) -> dict[str, Any]:
    """PageRecord fields (as JSON) stated by the page; what it does not state is left out."""
    attributes = []
    for fact in page.facts:
        if fact.kind == "attribute" and ":" in fact.text:
            key, _, value = fact.text.partition(":")
            attributes.append({"key": key.strip(), "value": value.strip(),
                               "source": fact.source})
    price_source = next((f.source for f in page.facts if f.kind == "price"), "page")
    fields: dict[str, Any] = {
        "language": page.language,
        "title": {"value": page.title, "source": _first(page, "title")["source"]}
        if _first(page, "title") else None,
        "brand": _first(page, "brand"),
        "price": {"value": page.price, "source": price_source} if page.price else None,
        "currency": {"value": page.currency, "source": price_source} if page.currency else None,
        "attributes": attributes,
        "selling_points": [{"value": f.text, "source": f.source} for f in page.facts
                           if f.kind == "bullet"],
        "description": [{"value": f.text, "source": f.source} for f in page.facts
                        if f.kind == "description"],
        "media": [{"kind": m.kind, "ref": m.ref, "source": m.source, "alt": m.alt}
                  for m in page.media],
    }
    return {name: value for name, value in fields.items() if value not in (None, [])}
