"""Specification tables and lists: the page's <table>s as rows of cells, and the name/value
pairs a page writes as two-cell table rows, <dl><dt><dd>, or "Name: value" list items.

A pair is kept when it reads like one: a short name (a label, not a sentence) and a value;
rows of more than two cells are data tables, kept as tables but not read as pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vitrina.product_page.model import Attribute, Table
from vitrina.product_page.walker import Item

_MAX_NAME = 40  # characters; a longer "name" is a sentence with a colon in it
_MAX_VALUE = 300
_COLON_PAIR = re.compile(r"^(?P<name>[^:：]{1,40}?)\s*[:：]\s*(?P<value>\S.*)$")


def _pair(name: str, value: str, source: str) -> Attribute | None:
    """An attribute when the name is a short label with letters and differs from the value."""
    name = name.strip().rstrip(":：").strip()
    value = value.strip()
    if not name or not value or len(name) > _MAX_NAME or len(value) > _MAX_VALUE:
        return None
    if not any(ch.isalpha() for ch in name) or name.casefold() == value.casefold():
        return None
    return Attribute(name, value, source)


def tables(raw: Iterable[tuple[tuple[tuple[str, ...], ...], str]]) -> tuple[Table, ...]:
    """The page's tables with at least one non-empty cell, each row as the page wrote it."""
    return tuple(Table(rows, f"html:{where}") for rows, where in raw
                 if any(cell for row in rows for cell in row))


def attributes(page_tables: Iterable[Table], pairs: Iterable[tuple[str, str]],
               items: Iterable[Item]) -> list[Attribute]:
    """Name/value pairs from two-cell rows, description lists and "Name: value" items."""
    found = [a for table in page_tables for row in table.rows if len(row) == 2
             if (a := _pair(row[0], row[1], table.source))]
    found += [a for name, value in pairs if (a := _pair(name, value, "html:dl"))]
    found += [a for item in items if item.link_chars * 2 < len(item.text)
              if (m := _COLON_PAIR.match(item.text))
              if (a := _pair(m.group("name"), m.group("value"), "html:li"))]
    return found
