"""The detail-page database: versions kept, the latest searchable in any script, atomic."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from vitrina.detail_page.database import PageQuery, SqlitePages
from vitrina.detail_page.records import Attribute, Line, Module, PageRecord, Sourced
from vitrina.errors import InvalidEvent, NotFound


def _record(page_id: str, title: str, brand: str | None = None, price: str | None = None,
            attributes: dict[str, str] | None = None, lines: tuple[str, ...] = ()) -> PageRecord:
    return PageRecord(
        page_id=page_id, source=f"test:{page_id}", language="zh",
        title=Sourced(value=title, source="test"),
        brand=Sourced(value=brand, source="test") if brand else None,
        price=Sourced(value=price, source="test") if price else None,
        attributes=[Attribute(key=k, value=v, source="test")
                    for k, v in (attributes or {}).items()],
        modules=[Module(index=0, kind="text", box=(0, 0, 750, 400), crop="c.png",
                        lines=[Line(text=t, score=0.99, box=(0, 0, 10, 10)) for t in lines])])


@pytest.fixture()
def db(tmp_path: Path) -> SqlitePages:
    pages = SqlitePages(tmp_path / "pages.sqlite3")
    pages.put(_record("cup", "真空保温杯 500ml", "Thermos", "89.00", {"材质": "不锈钢"},
                      ("保温12小时", "食品级304不锈钢")))
    pages.put(_record("mug", "Ceramic coffee mug", "Muji", "1,299.50", {"material": "ceramic"},
                      ("Dishwasher safe",)))
    pages.put(_record("kettle", "Electric kettle 1.7L", "thermos", "49", {"材质": "不锈钢"}))
    return pages


def _ids(found) -> list[str]:
    return sorted(f.page_id for f in found[0])


def test_reanalysing_makes_a_new_version_and_keeps_the_old(db: SqlitePages) -> None:
    second = db.put(_record("cup", "真空保温杯 750ml", "Thermos", "99.00"))
    assert second.version == 2 and db.versions("cup") == [1, 2]
    assert db.get("cup").title.value == "真空保温杯 750ml"
    assert db.get("cup", 1).title.value == "真空保温杯 500ml"
    # Search reads the latest version only.
    assert _ids(db.search(PageQuery(q="500ml"))) == []
    assert _ids(db.search(PageQuery(q="750ml"))) == ["cup"]
    with pytest.raises(NotFound):
        db.get("cup", 3)
    with pytest.raises(NotFound):
        db.get("nope")


@pytest.mark.parametrize(("q", "expected"), [
    ("保温", ["cup"]), ("保温杯", ["cup"]), ("温", ["cup"]), ("不锈钢", ["cup", "kettle"]),
    ("12小时", ["cup"]), ("COFFEE", ["mug"]), ("dishwash", ["mug"]), ("杯 thermos", ["cup"]),
    ("保冷", []), ('" OR 1', []), ("mug AND NOT", []),
])
def test_full_text_search_in_any_script(db: SqlitePages, q: str, expected: list[str]) -> None:
    assert _ids(db.search(PageQuery(q=q))) == expected


def test_a_query_of_punctuation_only_finds_nothing(db: SqlitePages) -> None:
    assert db.search(PageQuery(q="*** !!!")) == ([], None)


def test_filters_by_brand_price_and_attribute(db: SqlitePages) -> None:
    assert _ids(db.search(PageQuery(brand="THERMOS"))) == ["cup", "kettle"]
    assert _ids(db.search(PageQuery(min_price=50, max_price=2000))) == ["cup", "mug"]
    assert _ids(db.search(PageQuery(max_price=50))) == ["kettle"]
    assert _ids(db.search(PageQuery(attributes={"材质": "不锈钢"}))) == ["cup", "kettle"]
    assert _ids(db.search(PageQuery(q="kettle", brand="thermos"))) == ["kettle"]


def test_pages_of_results(db: SqlitePages) -> None:
    first, cursor = db.search(PageQuery(limit=2))
    assert len(first) == 2 and cursor == "2"
    rest, end = db.search(PageQuery(limit=2, cursor=cursor))
    assert [f.page_id for f in first + rest] == ["cup", "kettle", "mug"] and end is None
    with pytest.raises(InvalidEvent):
        db.search(PageQuery(cursor="-1"))


def test_stats_count_brands_and_attribute_values(db: SqlitePages) -> None:
    stats = db.stats()
    assert stats["pages"] == 3 and stats["versions"] == 3
    assert sorted(stats["brands"].values()) == [1, 2]  # Thermos and thermos are one brand
    assert stats["attributes"]["材质"] == {"不锈钢": 2}


def test_export_is_json_lines_of_the_latest_versions(db: SqlitePages) -> None:
    db.put(_record("mug", "Ceramic coffee mug v2"))
    lines = [json.loads(line) for line in db.export()]
    assert [(r["page_id"], r["version"]) for r in lines] == [("cup", 1), ("kettle", 1),
                                                            ("mug", 2)]


def test_concurrent_reanalyses_get_distinct_versions(tmp_path: Path) -> None:
    db = SqlitePages(tmp_path / "pages.sqlite3")
    versions: list[int] = []

    def analyse() -> None:
        for _ in range(10):
            versions.append(db.put(_record("busy", "a page analysed by many")).version)

    threads = [threading.Thread(target=analyse) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(versions) == list(range(1, 41))
    assert db.versions("busy") == list(range(1, 41))
    assert db.stats()["pages"] == 1
