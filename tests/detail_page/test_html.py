"""A saved product page read into a record: every field with the source it came from."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from vitrina.detail_page.records import PageRecord

VITRINA = str(ROOT / ".venv/bin/vitrina")
PAGE = """<!doctype html><html lang="en"><head><title>Thermo bottle | Shop</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
 "name": "Vacuum thermo bottle 500 ml", "sku": "TB-500", "gtin13": "4006381333931",
 "brand": {"@type": "Brand", "name": "Thermos"},
 "additionalProperty": [{"@type": "PropertyValue", "name": "Material",
                         "value": "Stainless steel"}],
 "offers": {"@type": "Offer", "price": "89.00", "priceCurrency": "CNY",
            "availability": "https://schema.org/InStock"}}</script></head>
<body><h1>Vacuum thermo bottle 500 ml</h1><ul><li>Keeps drinks hot for 12 hours</li></ul>
<table><tr><td>Capacity</td><td>500 ml</td></tr><tr><td>Weight</td><td>320 g</td></tr></table>
</body></html>"""


def test_a_saved_page_becomes_a_record_with_sources(tmp_path: Path) -> None:
    page = tmp_path / "bottle.html"
    page.write_text(PAGE)
    run = subprocess.run([VITRINA, "detail", "analyse", str(page), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    record = PageRecord.model_validate_json((tmp_path / "o/record.json").read_text())
    assert record.title.value == "Vacuum thermo bottle 500 ml"
    assert (record.brand.value, record.sku.value, record.price.value, record.currency.value) == \
        ("Thermos", "TB-500", "89.00", "CNY")
    assert record.availability.value == "InStock" and record.gtin.value == "4006381333931"
    assert record.sku.source.startswith("json-ld")
    assert {(a.key, a.value) for a in record.attributes} >= {("Material", "Stainless steel")}
    assert record.evaluation["field_completeness"] >= 0.75
    found = subprocess.run([VITRINA, "detail", "search", "--brand", "thermos",
                            "--attr", "material=stainless steel"],
                           capture_output=True, text=True, timeout=60)
    assert record.page_id in [json.loads(line)["page_id"] for line in found.stdout.splitlines()]
