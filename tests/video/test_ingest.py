"""Ingest: product pages, saved files and manifests become facts and media in the page's words."""

from __future__ import annotations

import contextlib
import gzip
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from vitrina import product_page
from vitrina.errors import FetchRefused, InputError, NoUsableMedia
from vitrina.fetch import Fetched
from vitrina.product_page import Fact, Media

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
ZYTE = DATA / "detail_pages" / "zyte_product_extraction_benchmark"
EXTRUCT = DATA / "detail_pages" / "extruct_samples"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="needs ../shared/data (eval only)")

BASE = "https://shop.example.com/p/flask.html"

JSONLD_ZH = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>保温杯 - 示例商城</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
  "name": "broken, trailing comma",}</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "@id": "#page", "mainEntity": {"@id": "#product"}},
  {"@type": "Product", "@id": "#product", "name": "真空保温杯 500ml",
   "description": "双层真空，24小时保冷。",
   "brand": {"@type": "Brand", "name": "山川"},
   "image": [{"@type": "ImageObject", "contentUrl": "/img/cup-1.jpg"},
             "https://cdn.example.com/cup-2.jpg",
             {"@type": "ImageObject", "url": "/img/cup-1.jpg"}],
   "video": {"@type": "VideoObject", "contentUrl": "https://cdn.example.com/cup.mp4",
             "embedUrl": "https://www.youtube.com/embed/xyz"},
   "offers": {"@id": "#offer"},
   "aggregateRating": {"@type": "AggregateRating", "ratingValue": 4.8, "bestRating": 5,
                       "reviewCount": 1024},
   "additionalProperty": [{"@type": "PropertyValue", "name": "容量", "value": 500,
                           "unitText": "ml"},
                          {"@type": "PropertyValue", "name": "材质", "value": "316不锈钢"}]},
  {"@type": "AggregateOffer", "@id": "#offer", "lowPrice": 199.00, "highPrice": 259.00,
   "priceCurrency": "CNY"}
]}
</script></head>
<body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/cups">水杯</a></li></ul>
  <img src="/static/logo.png" width="200" height="80"></nav>
<main><h1>真空保温杯 500ml</h1>
<ul class="points"><li>双层真空结构，冷热都能保持一整天</li><li>食品级316不锈钢内胆</li>
<li>一键开盖，单手就能喝水</li></ul>
<img src="https://cdn.example.com/cup-2.jpg" alt="保温杯侧面">
</main>
<footer><ul><li>关于我们：一家做杯子的小公司，欢迎来店参观</li></ul></footer>
</body></html>"""

OG_ONLY = """<html><head>
<meta property="og:title" content="Trail Runner 2 &amp; Co">
<meta property="og:description" content="A light shoe for long days on rough ground.
  The sole grips wet rock without feeling stiff. Reflective details keep you visible after
  dark. Free returns within 30 days.">
<meta property="og:image" content="/images/runner.jpg">
<meta property="og:image" content="https://cdn.example.com/runner-side.jpg">
<meta property="og:video" content="https://www.youtube.com/embed/abc">
<meta property="og:video" content="https://cdn.example.com/runner.mp4">
<meta property="product:price:amount" content="1,299.00">
<meta property="product:price:currency" content="usd">
</head><body><p>Nothing else here.</p></body></html>"""

PLAIN = """<html><head><title>Field Lantern | Example Outdoor</title></head><body>
<header><img src="/img/site-logo.png"><ul><li><a href="/a">Lamps and lanterns</a></li></ul>
</header>
<div id="content">
<h1>Field Lantern</h1>
<ul class="menu"><li><a href="/x">Lanterns for camping</a></li>
  <li><a href="/y">Headlamps</a></li></ul>
<ul>
  <li>Runs 40 hours on one charge
  <li>Waterproof to IPX7, floats if dropped
  <li><b>Warm</b> or cold light at the press of a button</li>
  <li>Red</li>
</ul>
<img src="/img/lantern.jpg" alt="The lantern on a table">
<img src="/img/pixel.gif" width="1" height="1">
<img src="https://track.example.net/t?id=9" style="display:none;width:1px;height:1px">
<img src="/img/icon-cart.png">
<img src="/img/badge.png" width="48" height="48">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/lantern-lazy.jpg">
<img src="/img/shape.svg"><img src="/img/map-tile.png" role="presentation">
<img src="/img/small.jpg" srcset="/img/lantern-640.jpg 640w, /img/lantern-1600.jpg 1600w,
  /img/lantern-1024.jpg 1024w">
<img src="/img/lantern.jpg">
<video poster="/img/poster.jpg"><source src="/media/lantern.webm" type="video/webm"></video>
<video src="clips/spin.mp4"></video>
</div>
<footer><img src="/img/payment-methods.png" width="300" height="40"></footer>
</body></html>"""

NO_MEDIA = """<html><head><title>Gift card</title></head><body>
<nav><img src="/big-banner.jpg" width="1200" height="300"></nav>
<h1>Gift card</h1><ul><li>Any amount you like, sent by email</li></ul>
<img src="/favicon-32.png"><img src="/spacer.gif" width="1" height="1">
<img src="data:image/png;base64,iVBORw0KGgo="><img src="/cards/card.svg">
</body></html>"""


def sources(page: product_page.ProductPage, kind: str) -> list[tuple[str, str]]:
    return [(f.text, f.source) for f in page.facts if f.kind == kind]


def test_json_ld_product_in_chinese() -> None:
    page = product_page.parse_html(JSONLD_ZH, BASE)
    assert page.title == "真空保温杯 500ml"
    assert page.language == "zh"
    assert (page.price, page.currency, page.url) == ("199.00", "CNY", BASE)
    assert page.facts[0] == Fact("title", "真空保温杯 500ml", "json-ld:Product.name")
    assert Fact("brand", "山川", "json-ld:Product.brand") in page.facts
    assert Fact("rating", "4.8/5 (1024)", "json-ld:Product.aggregateRating") in page.facts
    assert sources(page, "attribute") == [("容量: 500 ml", "json-ld:Product.additionalProperty"),
                                          ("材质: 316不锈钢", "json-ld:Product.additionalProperty")]
    # The malformed block is skipped, the h1 repeating the name is not repeated.
    assert all("broken" not in f.text for f in page.facts)
    assert [f.text for f in page.facts].count("真空保温杯 500ml") == 1
    assert sources(page, "bullet") == [("双层真空结构，冷热都能保持一整天", "html:li"),
                                       ("食品级316不锈钢内胆", "html:li"),
                                       ("一键开盖，单手就能喝水", "html:li")]
    assert page.media == (
        Media("image", "https://shop.example.com/img/cup-1.jpg", "json-ld:Product.image"),
        Media("image", "https://cdn.example.com/cup-2.jpg", "json-ld:Product.image"),
        Media("video", "https://cdn.example.com/cup.mp4", "json-ld:Product.video"),
    )


def test_open_graph_only_page() -> None:
    page = product_page.parse_html(OG_ONLY, BASE)
    assert page.title == "Trail Runner 2 & Co"
    assert (page.price, page.currency, page.language) == ("1,299.00", "USD", "en")
    assert [(m.kind, m.ref, m.source) for m in page.media] == [
        ("image", "https://shop.example.com/images/runner.jpg", "og:image"),
        ("image", "https://cdn.example.com/runner-side.jpg", "og:image"),
        ("video", "https://cdn.example.com/runner.mp4", "og:video"),  # not the player page
    ]
    # No list items: the long description is split into its own sentences.
    assert [text for text, _ in sources(page, "bullet")] == [
        "A light shoe for long days on rough ground.",
        "The sole grips wet rock without feeling stiff.",
        "Reflective details keep you visible after dark.",
        "Free returns within 30 days.",
    ]
    assert {source for _, source in sources(page, "bullet")} == {"og:description"}


def test_plain_html_bullets_and_images() -> None:
    page = product_page.parse_html(PLAIN, "https://outdoor.example.com/lantern/")
    assert page.title == "Field Lantern"
    assert sources(page, "title") == [("Field Lantern", "html:h1"),
                                      ("Field Lantern | Example Outdoor", "html:title")]
    assert [text for text, _ in sources(page, "bullet")] == [
        "Runs 40 hours on one charge",
        "Waterproof to IPX7, floats if dropped",
        "Warm or cold light at the press of a button",
    ]
    assert (page.price, page.currency) == (None, None)
    assert [(m.kind, m.ref) for m in page.media] == [
        ("image", "https://outdoor.example.com/img/lantern.jpg"),
        ("image", "https://outdoor.example.com/img/lantern-lazy.jpg"),
        ("image", "https://outdoor.example.com/img/lantern-1600.jpg"),
        ("video", "https://outdoor.example.com/media/lantern.webm"),
        ("video", "https://outdoor.example.com/lantern/clips/spin.mp4"),
    ]
    assert page.media[0].alt == "The lantern on a table"


def test_page_without_media_is_refused_with_a_sentence() -> None:
    with pytest.raises(NoUsableMedia) as caught:
        product_page.parse_html(NO_MEDIA, BASE)
    assert (caught.value.code, caught.value.status) == ("no_usable_media", 422)
    assert isinstance(caught.value, InputError)
    assert "no usable product image or video" in caught.value.message


def test_microdata_product() -> None:
    html = """<div itemscope itemtype="https://schema.org/Product">
      <h2 itemprop="name">Desk  Lamp</h2><img itemprop="image" src="lamp.jpg">
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
        <span itemprop="price" content="39.90">39,90 €</span>
        <meta itemprop="priceCurrency" content="EUR"></div>
      <div itemprop="isRelatedTo" itemscope itemtype="https://schema.org/Product">
        <span itemprop="name">Bulb</span></div></div>"""
    page = product_page.parse_html(html, "https://example.com/shop/lamp")
    assert (page.title, page.price, page.currency) == ("Desk Lamp", "39.90", "EUR")
    assert "Bulb" not in [f.text for f in page.facts]
    assert page.media[0] == Media("image", "https://example.com/shop/lamp.jpg",
                                  "microdata:Product.image")


def test_web_page_cannot_point_at_local_files() -> None:
    html = '<img src="file:///etc/passwd.jpg"><img src="/ok.jpg">'
    page = product_page.parse_html(html, BASE)
    assert [m.ref for m in page.media] == ["https://shop.example.com/ok.jpg"]


def test_base_href_moves_relative_references_but_not_the_page_url() -> None:
    page = product_page.parse_html('<base href="https://cdn.example.com/a/"><img src="x.jpg">',
                                   BASE)
    assert (page.media[0].ref, page.url) == ("https://cdn.example.com/a/x.jpg", BASE)


def test_broken_markup_and_hostile_json_ld_do_not_crash() -> None:
    html = ('<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"
            '<![if-unknown x]><div><p><img src="a.jpg" alt="A"></span></div></li></ul>')
    page = product_page.parse_html(html, BASE)
    assert [(m.ref, m.alt) for m in page.media] == [("https://shop.example.com/p/a.jpg", "A")]


def test_from_file_resolves_relative_media_beside_the_page(tmp_path: Path) -> None:
    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "a b.jpg").write_bytes(b"jpg")
    (tmp_path / "hero.png").write_bytes(b"png")
    (tmp_path / "site").mkdir()
    page_path = tmp_path / "site" / "page.html"
    page_path.write_text(
        '<html><head><meta charset="gbk"><title>台灯</title></head><body>'
        '<img src="../page_files/a%20b.jpg"><img src="../hero.png">'
        '<img src="missing.jpg"><img src="//cdn.example.com/c.jpg"></body></html>',
        encoding="gbk",
    )
    page = product_page.from_file(page_path)
    assert page.title == "台灯"
    assert [m.ref for m in page.media] == [
        str(tmp_path / "page_files" / "a b.jpg"),
        str(tmp_path / "hero.png"),
        "https://cdn.example.com/c.jpg",  # missing.jpg is dropped: it is not there
    ]
    assert page.url is None
    only_missing = tmp_path / "empty.html"
    only_missing.write_text('<img src="gone.jpg">')
    with pytest.raises(NoUsableMedia):
        product_page.from_file(only_missing)


def test_parse_html_accepts_a_directory_as_base(tmp_path: Path) -> None:
    page = product_page.parse_html('<img src="img/x.jpg">', str(tmp_path))
    assert page.media[0].ref == str(tmp_path / "img" / "x.jpg")


def test_from_url_refuses_a_loopback_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VITRINA_FETCH_ALLOW_PRIVATE", raising=False)
    monkeypatch.delenv("VITRINA_FETCH_ALLOW_NETS", raising=False)
    with pytest.raises(FetchRefused):
        product_page.from_url("http://127.0.0.1:9/p.html")


def test_from_url_decodes_by_the_declared_charset(monkeypatch: pytest.MonkeyPatch) -> None:
    body = '<title>保温杯</title><img src="/cup.jpg">'.encode("gb18030")
    final = "https://shop.example.cn/item/1"
    calls: list[str] = []

    def fake_fetch(url: str) -> Fetched:
        calls.append(url)
        return Fetched(final, body, "text/html; charset=GB2312")

    monkeypatch.setattr(product_page, "fetch", fake_fetch)
    page = product_page.from_url("https://shop.example.cn/i/1")
    assert calls == ["https://shop.example.cn/i/1"]
    assert (page.title, page.url, page.language) == ("保温杯", final, "zh")
    assert page.media[0].ref == "https://shop.example.cn/cup.jpg"

    monkeypatch.setattr(product_page, "fetch", lambda url: Fetched(url, b"\x89PNG", "image/png"))
    with pytest.raises(InputError, match="not a web page"):
        product_page.from_url("https://shop.example.cn/cup.png")


def write_manifest(folder: Path, **fields: object) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    return path


def test_from_manifest(tmp_path: Path) -> None:
    (tmp_path / "shots").mkdir()
    for name in ("shots/1.jpg", "shots/2.jpg", "spin.mp4", "tune.mp3"):
        (tmp_path / name).write_bytes(b"x")
    path = tmp_path / "manifest.json"
    # The price is a JSON number written with its cents: they must survive.
    path.write_text("""{"title": "山川 保温杯", "images": ["shots/1.jpg", "shots/2.jpg",
        "shots/1.jpg"], "clips": ["spin.mp4"], "texts": ["24小时保冷", "  一键开盖  "],
        "music": "tune.mp3", "price": 199.00, "currency": "cny"}""", encoding="utf-8")
    page = product_page.from_manifest(path)
    assert (page.title, page.price, page.currency, page.language) == (
        "山川 保温杯", "199.00", "CNY", "zh")
    assert page.music == str(tmp_path / "tune.mp3")
    assert [(m.kind, m.ref, m.source) for m in page.media] == [
        ("image", str(tmp_path / "shots" / "1.jpg"), "manifest"),
        ("image", str(tmp_path / "shots" / "2.jpg"), "manifest"),
        ("video", str(tmp_path / "spin.mp4"), "manifest"),
    ]
    assert sources(page, "bullet") == [("24小时保冷", "manifest"), ("一键开盖", "manifest")]


def test_manifest_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        product_page.from_manifest(write_manifest(tmp_path, title="Lamp", images=["nope.jpg"]))
    with pytest.raises(InputError, match="image"):
        product_page.from_manifest(write_manifest(tmp_path, title="Lamp", image=["typo.jpg"]))
    with pytest.raises(InputError, match="title"):
        product_page.from_manifest(write_manifest(tmp_path, images=[]))
    with pytest.raises(NoUsableMedia):
        product_page.from_manifest(write_manifest(tmp_path, title="Lamp", texts=["Bright"]))
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        product_page.from_manifest(tmp_path / "manifest.json")


@needs_data
@pytest.mark.parametrize("name", ["product.html", "product-ref.html", "product_microdata.html"])
def test_extruct_microdata_samples(name: str) -> None:
    expected = json.loads((EXTRUCT / "product.json").read_text())[0]["properties"]
    page = product_page.parse_html((EXTRUCT / name).read_text(), "https://example.com/anvil/")
    assert page.title == expected["name"]
    assert (page.price, page.currency) == (expected["offers"]["properties"]["price"],
                                           expected["offers"]["properties"]["priceCurrency"])
    assert Fact("brand", expected["brand"], "microdata:Product.brand") in page.facts
    assert Fact("description", expected["description"],
                "microdata:Product.description") in page.facts
    assert page.media[0].ref == "https://example.com/anvil/" + expected["image"]


# Ground truth writes currencies as shown on the page; "$" is many dollars.
GT_CURRENCY = {"€": {"EUR"}, "EUR": {"EUR"}, "£": {"GBP"}, "CHF": {"CHF"}, "₹": {"INR"},
               "Lei": {"RON"}, "Rs": {"PKR", "INR"}, "ر.س": {"SAR"}, "원~": {"KRW"},
               "$": {"USD", "CAD", "AUD", "TWD", "ARS", "CLP", "MXN", "HKD", "SGD"}}


def amounts(text: str) -> set[Decimal]:
    """Both readings of a price: "." as the decimal point, or "," as it ("23.450" Rs)."""
    readings = set()
    for thousands, point in ((",", "."), (".", ",")):
        digits = "".join(ch for ch in text if ch.isdigit() or ch in ".,")
        with contextlib.suppress(InvalidOperation):
            readings.add(Decimal(digits.replace(thousands, "").replace(point, ".")))
    return readings


Zyte = list[tuple[dict, product_page.ProductPage, dict]]


@pytest.fixture(scope="module")
def zyte_pages() -> Zyte:
    """(index entry, parsed page, ground truth) for the 32 snapshots, parsed once."""
    index = json.loads((ZYTE / "selected_pages_index.json").read_text())["pages"]
    truth = json.loads((ZYTE / "ground-truth.json").read_text())
    pages = []
    for entry in index:
        html = product_page.decode_html(gzip.decompress((ZYTE / entry["file"]).read_bytes()), "")
        pages.append((entry, product_page.parse_html(html, entry["url"]),
                      truth[entry["sha256_id"]]))
    return pages


@needs_data
def test_zyte_prices_and_currencies(zyte_pages: Zyte) -> None:
    price_ok: dict[bool, int] = {True: 0, False: 0}  # keyed by "has JSON-LD Product"
    currency_ok: dict[bool, list[bool]] = {True: [], False: []}
    for entry, page, gt in zyte_pages:
        gt_price = (gt.get("price") or [None])[0]
        gt_currency = (gt.get("currency") or [None])[0]
        jsonld = entry["has_jsonld_product"]
        if (gt_price is None and page.price is None) or (
                page.price and gt_price and amounts(page.price) & amounts(gt_price)):
            price_ok[jsonld] += 1
        if gt_currency is not None:  # unscored where the annotators left it out
            codes = GT_CURRENCY.get(gt_currency.strip(), {gt_currency})
            currency_ok[jsonld].append(page.currency in codes)
    assert len(zyte_pages) == 32 and sum(e["has_jsonld_product"] for e, _, _ in zyte_pages) == 24
    scored = currency_ok[True] + currency_ok[False]
    print(f"zyte price: {price_ok[True]}/24 with JSON-LD, {sum(price_ok.values())}/32 all; "
          f"currency: {sum(currency_ok[True])}/{len(currency_ok[True])} with JSON-LD, "
          f"{sum(scored)}/{len(scored)} all")
    assert price_ok[True] >= 20
    assert sum(price_ok.values()) >= 24
    assert sum(currency_ok[True]) >= len(currency_ok[True]) - 3
    assert sum(scored) >= len(scored) - 6


@needs_data
def test_zyte_pages_all_yield_media_and_a_title(zyte_pages: Zyte) -> None:
    for entry, page, _ in zyte_pages:
        assert page.title and page.media, entry["url"]
        assert all(m.ref.startswith(("http://", "https://")) for m in page.media)
        chinese = any(site in entry["url"] for site in ("gomaji", "i3fresh", "pcstore"))
        assert (page.language == "zh") == chinese, entry["url"]
