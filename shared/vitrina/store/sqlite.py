"""Tables in one SQLite file (WAL mode), with DynamoDB's semantics: each request atomic.

Writes run inside ``BEGIN IMMEDIATE``, which takes SQLite's write lock up front, so a
condition checked and the row written in one request cannot interleave with another writer,
be it a Map branch in a thread or another process. ``synchronous=FULL``: a finished write
survives a crash of the process or the machine.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vitrina.store.tables import Add, ConditionFailed, Delete, Op, Page, Put, Row, holds

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
  tbl TEXT NOT NULL, pk TEXT NOT NULL, sk TEXT NOT NULL, attrs TEXT NOT NULL,
  PRIMARY KEY (tbl, pk, sk)
) WITHOUT ROWID
"""
_local = threading.local()


def connect(path: Path, schema: str = _SCHEMA) -> sqlite3.Connection:
    """This thread's connection to the database file at ``path`` (sqlite3 connections are not
    shared across threads), in WAL mode with ``synchronous=FULL``; ``schema`` (statements
    separated by ";") runs on the first connection."""
    conns: dict[Path, sqlite3.Connection] = _local.__dict__.setdefault("conns", {})
    conn = conns.get(path)
    if conn is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(schema)
        conns[path] = conn
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: ``BEGIN IMMEDIATE`` takes the write lock up front, so what is read
    and what is written inside cannot interleave with another writer (thread or process)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _load(text: str | None) -> Row | None:
    return None if text is None else json.loads(text)


class SqliteTable:
    """One logical table (``name``) of the database file at ``path``."""

    def __init__(self, path: Path, name: str) -> None:
        self.path, self.name = Path(path), name

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(connect(self.path))

    def _read(self, conn: sqlite3.Connection, pk: str, sk: str) -> Row | None:
        found = conn.execute("SELECT attrs FROM rows WHERE tbl=? AND pk=? AND sk=?",
                             (self.name, pk, sk)).fetchone()
        return _load(found[0]) if found else None

    def _store(self, conn: sqlite3.Connection, pk: str, sk: str, attrs: Row) -> None:
        conn.execute("INSERT OR REPLACE INTO rows (tbl, pk, sk, attrs) VALUES (?, ?, ?, ?)",
                     (self.name, pk, sk, json.dumps(attrs, ensure_ascii=False)))

    def get(self, pk: str, sk: str) -> Row | None:
        return self._read(connect(self.path), pk, sk)

    def put(self, pk: str, sk: str, attrs: Row) -> None:
        self.write([Put(pk, sk, attrs)])

    def delete(self, pk: str, sk: str) -> None:
        self.write([Delete(pk, sk)])

    def add(self, pk: str, sk: str, deltas: dict[str, int]) -> dict[str, int]:
        with self._write() as conn:
            row = self._apply(conn, Add(pk, sk, deltas))
        return {k: row[k] for k in deltas}

    def swap(self, pk: str, sk: str, change: Callable[[Row | None], Row | None]) -> None:
        """Atomic read-modify-write of one row: ``change(old)`` gives the new row (None
        deletes it) or raises to leave it as it was."""
        with self._write() as conn:
            new = change(self._read(conn, pk, sk))
            if new is None:
                conn.execute("DELETE FROM rows WHERE tbl=? AND pk=? AND sk=?", (self.name, pk, sk))
            else:
                self._store(conn, pk, sk, new)

    def write(self, ops: list[Op]) -> None:
        with self._write() as conn:
            for index, op in enumerate(ops):
                if not isinstance(op, Delete):
                    row = self._read(conn, op.pk, op.sk)
                    if not all(holds(c, row) for c in op.when):
                        raise ConditionFailed(index)
            for op in ops:
                self._apply(conn, op)

    def _apply(self, conn: sqlite3.Connection, op: Op) -> Row:
        if isinstance(op, Delete):
            conn.execute("DELETE FROM rows WHERE tbl=? AND pk=? AND sk=?",
                         (self.name, op.pk, op.sk))
            return {}
        if isinstance(op, Put):
            row = dict(op.attrs)
        else:
            row = self._read(conn, op.pk, op.sk) or {}
            for attr, delta in op.deltas.items():
                row[attr] = row.get(attr, 0) + delta
        self._store(conn, op.pk, op.sk, row)
        return row

    def query(self, pk: str, prefix: str = "", limit: int | None = None,
              after: str | None = None) -> Page:
        sql = "SELECT sk, attrs FROM rows WHERE tbl=? AND pk=? AND substr(sk, 1, ?) = ?"
        args: list[Any] = [self.name, pk, len(prefix), prefix]
        if after is not None:
            sql += " AND sk > ?"
            args.append(after)
        sql += " ORDER BY sk"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit + 1)  # one more tells whether another page follows
        found = connect(self.path).execute(sql, args).fetchall()
        more = limit is not None and len(found) > limit
        found = found[:limit] if limit is not None else found
        rows = [{**json.loads(attrs), "sk": sk} for sk, attrs in found]
        return Page(rows, found[-1][0] if more and found else None)
