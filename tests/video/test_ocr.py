"""Text printed on product images, read with the packaged OCR models."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import SHARED_DATA
from vitrina import ocr
from vitrina.product_page import Fact, ProductPage
from vitrina.typesetting import TextStyle, draw_text, fit_text
from vitrina.video import captions
from vitrina.video.analyse import ImageInfo

RAPIDOCR = SHARED_DATA / "ocr" / "rapidocr"


def poster(lines: list[str]) -> np.ndarray:
    """A product card with printed copy, drawn with vitrina's own fonts."""
    image = Image.new("RGB", (640, 400), (250, 245, 235))
    y = 40
    for line in lines:
        style = TextStyle("montserrat", "noto-sans-sc", 800)
        block = fit_text(line, style, 560, 120, max_size=56, min_size=20, max_lines=1)
        assert block is not None
        draw_text(image, block, style, (40, y, 40 + block.width, y + block.height), (20, 20, 20))
        y += round(block.height) + 50
    return np.asarray(image)


def test_printed_selling_points_are_read_back() -> None:
    lines = ocr.read_text(poster(["限时特惠 买二送一", "Free shipping"]))
    texts = [line.text.replace(" ", "") for line in lines]
    assert "限时特惠买二送一" in texts and "Freeshipping" in texts
    assert all(line.score >= ocr.MIN_SCORE for line in lines)
    assert lines[0].area >= lines[-1].area  # most prominent first


def test_a_plain_photo_has_no_text() -> None:
    ys, xs = np.mgrid[0:300, 0:400]
    assert ocr.read_text(np.dstack([xs % 256, ys % 256, (xs + ys) % 256]).astype(np.uint8)) == []


@pytest.mark.skipif(not RAPIDOCR.is_dir(), reason="needs ../shared/data (eval only)")
def test_the_promo_image_matches_rapidocr_s_own_test_expectations() -> None:
    expected = json.loads((RAPIDOCR / "expected_from_tests.json").read_text())
    reference = next(e for e in expected["images"]["ch_en_num.jpg"]["expected"]
                     if e["mode"] == "det+rec, default")
    image = np.asarray(Image.open(RAPIDOCR / "images" / "ch_en_num.jpg").convert("RGB"))
    found = ocr.read_text(image)
    assert reference["first_text"] in {line.text for line in found}
    # Confident lines only: at most what RapidOCR's own test counts, most of them kept.
    assert reference["num_lines"] * 0.6 <= len(found) <= reference["num_lines"]


def test_printed_text_becomes_traceable_caption_facts() -> None:
    page = ProductPage("Antifreeze 防冻液", "zh", (Fact("title", "Antifreeze 防冻液", "og:title"),),
                       (), None, None)
    infos = [ImageInfo(800, 600, 50.0, 1, (0, 0, 800, 600), True, "",
                       ("-40℃深度防冻不结冰", "10.0")),
             ImageInfo(800, 600, 50.0, 2, (0, 0, 800, 600), False, "blurred", ("hidden",))]
    enriched = captions.with_printed_text(page, infos)
    assert [f.text for f in enriched.facts if f.kind == "ocr"] == ["-40℃深度防冻不结冰"]
    point = next(line for line in captions.generate(enriched) if line.kind == "point")
    assert point.sources == ("ocr@ocr:image0",)
