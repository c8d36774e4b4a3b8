"""The detail-page database: every version of every page, the latest searchable.

Locally one SQLite file beside the durable store (``VITRINA_HOME/pages.sqlite3``, WAL,
``synchronous=FULL``): each analysed page is a new version, written in one transaction with
its search rows, so a reader sees a page whole or not at all and a crash loses nothing
finished. Search runs on the latest version of each page: full text over every text
(FTS5, CJK-aware tokens: :mod:`vitrina.detail_page.tokens`), and filters by brand, category,
price range and attribute values.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vitrina import storage
from vitrina.detail_page.records import PageRecord
from vitrina.detail_page.tokens import index_tokens, match_expression
from vitrina.errors import InvalidEvent, NotBuiltHere, NotFound
from vitrina.store.sqlite import connect, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
  page_id TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL,
  record TEXT NOT NULL, PRIMARY KEY (page_id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS current (
  page_id TEXT PRIMARY KEY, version INTEGER NOT NULL, created_at INTEGER NOT NULL,
  title TEXT, brand TEXT, brand_key TEXT, category TEXT, category_key TEXT, price REAL,
  currency TEXT, language TEXT, source TEXT
);
CREATE INDEX IF NOT EXISTS current_brand ON current (brand_key);
CREATE INDEX IF NOT EXISTS current_category ON current (category_key);
CREATE INDEX IF NOT EXISTS current_price ON current (price);
CREATE TABLE IF NOT EXISTS current_attributes (
  page_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS current_attribute ON current_attributes (key, value);
CREATE INDEX IF NOT EXISTS current_attribute_page ON current_attributes (page_id);
CREATE VIRTUAL TABLE IF NOT EXISTS current_text USING fts5 (page_id UNINDEXED, body);
"""
MAX_PAGE = 200


def _fold(text: str | None) -> str | None:
    """How brands, categories and attribute keys compare: case and spacing do not count."""
    return " ".join(text.casefold().split()) if text else None


@dataclass(frozen=True)
class PageQuery:
    q: str | None = None
    brand: str | None = None
    category: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class Found:
    page_id: str
    version: int
    title: str | None
    brand: str | None
    category: str | None
    price: float | None
    currency: str | None
    language: str | None
    source: str | None


class SqlitePages:
    """The database in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _conn(self) -> sqlite3.Connection:
        return connect(self.path, _SCHEMA)

    def put(self, record: PageRecord) -> PageRecord:
        """``record`` as the page's next version (its ``version`` and ``created_at`` set)."""
        conn = self._conn()
        with transaction(conn):
            last = conn.execute("SELECT MAX(version) FROM versions WHERE page_id=?",
                                (record.page_id,)).fetchone()[0]
            stored = record.model_copy(update={"version": (last or 0) + 1,
                                               "created_at": int(time.time())})
            body = stored.model_dump_json()
            conn.execute("INSERT INTO versions VALUES (?, ?, ?, ?)",
                         (stored.page_id, stored.version, stored.created_at, body))
            self._index(conn, stored)
        return stored

    def _index(self, conn: sqlite3.Connection, record: PageRecord) -> None:
        pid = record.page_id
        for table in ("current_attributes", "current_text"):
            conn.execute(f"DELETE FROM {table} WHERE page_id=?", (pid,))
        value = {name: getattr(record, name).value if getattr(record, name) else None
                 for name in ("title", "brand", "category", "currency")}
        conn.execute(
            "INSERT OR REPLACE INTO current VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pid, record.version, record.created_at, value["title"], value["brand"],
             _fold(value["brand"]), value["category"], _fold(value["category"]),
             record.price_value(), value["currency"], record.language, record.source))
        conn.executemany("INSERT INTO current_attributes VALUES (?, ?, ?)",
                         [(pid, _fold(a.key), _fold(a.value)) for a in record.attributes])
        body = "\n".join(index_tokens(t.value) for t in record.texts())
        conn.execute("INSERT INTO current_text VALUES (?, ?)", (pid, body))

    def get(self, page_id: str, version: int | None = None) -> PageRecord:
        conn = self._conn()
        if version is None:
            row = conn.execute("SELECT record FROM versions WHERE page_id=? ORDER BY version "
                               "DESC LIMIT 1", (page_id,)).fetchone()
        else:
            row = conn.execute("SELECT record FROM versions WHERE page_id=? AND version=?",
                               (page_id, version)).fetchone()
        if row is None:
            which = "" if version is None else f" version {version}"
            raise NotFound(f"no detail page {page_id!r}{which}")
        return PageRecord.model_validate_json(row[0])

    def versions(self, page_id: str) -> list[int]:
        rows = self._conn().execute("SELECT version FROM versions WHERE page_id=? ORDER BY "
                                    "version", (page_id,)).fetchall()
        return [r[0] for r in rows]

    def search(self, query: PageQuery) -> tuple[list[Found], str | None]:
        """One page of the latest versions that match, best text match first (by page id
        without a text query), and the cursor of the next page (None: no more)."""
        where, args = ["1=1"], []
        if query.q:
            expression = match_expression(query.q)
            if not expression:  # only punctuation: no word to find, so no page has it
                return [], None
            where.append("c.page_id IN (SELECT page_id FROM current_text WHERE "
                         "current_text MATCH ?)")
            args.append(expression)
        for column, value in (("brand_key", query.brand), ("category_key", query.category)):
            if value:
                where.append(f"c.{column} = ?")
                args.append(_fold(value))
        if query.min_price is not None:
            where.append("c.price >= ?")
            args.append(query.min_price)
        if query.max_price is not None:
            where.append("c.price <= ?")
            args.append(query.max_price)
        for key, value in query.attributes.items():
            where.append("c.page_id IN (SELECT page_id FROM current_attributes WHERE key = ? "
                         "AND value = ?)")
            args += [_fold(key), _fold(value)]
        order = "c.page_id"
        if query.q:
            order = ("(SELECT bm25(current_text) FROM current_text WHERE current_text MATCH ? "
                     "AND current_text.page_id = c.page_id), c.page_id")
            args.append(match_expression(query.q))
        offset = _offset(query.cursor)
        limit = max(1, min(query.limit, MAX_PAGE))
        sql = (f"SELECT c.page_id, c.version, c.title, c.brand, c.category, c.price, "
               f"c.currency, c.language, c.source FROM current c WHERE {' AND '.join(where)} "
               f"ORDER BY {order} LIMIT ? OFFSET ?")
        try:
            rows = self._conn().execute(sql, [*args, limit + 1, offset]).fetchall()
        except sqlite3.OperationalError as exc:  # a query FTS5 cannot read, despite quoting
            raise InvalidEvent(f"q cannot be searched for: {exc}") from exc
        more = len(rows) > limit
        return [Found(*row) for row in rows[:limit]], (str(offset + limit) if more else None)

    def stats(self, top: int = 20) -> dict[str, Any]:
        """Counts for analysis: pages, pages per brand and category, and the commonest values
        of the commonest attributes (latest versions)."""
        conn = self._conn()

        def counted(column: str) -> dict[str, int]:
            rows = conn.execute(f"SELECT {column}, COUNT(*) n FROM current WHERE {column} IS "
                                f"NOT NULL GROUP BY {column}_key ORDER BY n DESC, {column} "
                                "LIMIT ?", (top,)).fetchall()
            return dict(rows)

        keys = conn.execute("SELECT key, COUNT(DISTINCT page_id) n FROM current_attributes "
                            "GROUP BY key ORDER BY n DESC, key LIMIT ?", (top,)).fetchall()
        attributes = {key: dict(conn.execute(
            "SELECT value, COUNT(*) n FROM current_attributes WHERE key=? GROUP BY value "
            "ORDER BY n DESC, value LIMIT ?", (key, top)).fetchall()) for key, _ in keys}
        return {
            "pages": conn.execute("SELECT COUNT(*) FROM current").fetchone()[0],
            "versions": conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0],
            "brands": counted("brand"), "categories": counted("category"),
            "languages": dict(conn.execute("SELECT language, COUNT(*) FROM current GROUP BY "
                                           "language").fetchall()),
            "attributes": attributes,
        }

    def export(self) -> Iterator[str]:
        """The latest version of every page as JSON Lines (what DuckDB or Athena read)."""
        rows = self._conn().execute("SELECT v.record FROM versions v JOIN current c ON "
                                    "c.page_id = v.page_id AND c.version = v.version "
                                    "ORDER BY v.page_id")
        for (record,) in rows:
            yield json.dumps(json.loads(record), ensure_ascii=False, separators=(",", ":"))


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit() or len(cursor) > 9:
        raise InvalidEvent("cursor is not one this API gave out")
    return int(cursor)


def embedded_database() -> SqlitePages:
    """The database the embedded engine writes: what the CLI analyses into and reads."""
    return SqlitePages(storage.home() / "pages.sqlite3")


def database() -> SqlitePages:
    """The page database of this deployment."""
    if not storage.is_local():
        raise NotBuiltHere("the detail-page database runs on the embedded store only so far "
                           "(VITRINA_STORE=local); its DynamoDB backend is not built yet")
    return embedded_database()
