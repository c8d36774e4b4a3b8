"""Captions traceable to the page, crops that keep the subject, cuts on the beat."""

from __future__ import annotations

import numpy as np
import pytest

from vitrina.color import extract_palette
from vitrina.errors import InputError
from vitrina.product_page import Fact, ProductPage
from vitrina.video import captions, script, soundtrack, timeline
from vitrina.video.analyse import ImageInfo

PAGE = ProductPage(
    title="Vacuum flask 保温杯 500 ml, stainless steel, keeps drinks hot for 12 hours",
    language="en",
    facts=(Fact("title", "Vacuum flask 保温杯 500 ml, stainless steel, keeps drinks hot for "
                "12 hours", "json-ld:Product.name"),
           Fact("brand", "Thermo", "json-ld:Product.brand"),
           Fact("bullet", "Keeps drinks cold for 24 hours", "html:li"),
           Fact("bullet", "Leak-proof lid, one-hand opening", "html:li"),
           Fact("attribute", "Capacity: 500 ml", "json-ld:Product.additionalProperty"),
           Fact("price", "129.00", "json-ld:Product.offers.price")),
    media=(), price="129.00", currency="USD")


def test_every_caption_is_traceable_to_a_fact() -> None:
    lines = captions.generate(PAGE)
    kinds = [line.kind for line in lines]
    assert kinds[0] == "headline" and kinds[-1] == "cta" and "price" in kinds
    page_text = " ".join(f.text for f in PAGE.facts)
    for line in lines:
        assert line.sources
        if line.kind in ("headline", "point"):
            assert line.text in page_text  # the page's own words, only shortened
    assert next(line.text for line in lines if line.kind == "price") == "$129"


def test_chinese_pages_get_chinese_labels_and_short_lines() -> None:
    page = ProductPage(title="超轻透气跑步鞋男款夏季网面减震运动鞋", language="zh",
                       facts=(Fact("title", "超轻透气跑步鞋男款夏季网面减震运动鞋", "og:title"),
                              Fact("bullet", "鞋面采用飞织网布，透气不闷脚，适合长跑训练",
                                   "html:li")),
                       media=(), price="299", currency="CNY")
    lines = captions.generate(page)
    assert lines[-1].text == "立即购买"
    assert all(len(line.text) <= 16 for line in lines if line.kind in ("headline", "point"))
    assert next(line.text for line in lines if line.kind == "price") == "¥299"


class Inventive:
    def rewrite(self, line: captions.Line, language: str) -> str:
        return line.text + " now 50% off"  # a claim (a number) the page never made


def test_a_rewrite_that_invents_a_number_is_refused() -> None:
    lines = captions.generate(PAGE)
    assert captions.rewrite(lines, PAGE, Inventive()) == lines


@pytest.mark.parametrize(("aspect", "subject"), [
    (16 / 9, (300, 200, 500, 500)), (9 / 16, (100, 100, 300, 700)), (1.0, (0, 0, 800, 600)),
])
def test_crops_keep_the_subject_in_frame(aspect: float, subject) -> None:
    start, end = script.fit_crop(800, 600, aspect, subject)
    for box in (start, end):
        left, top, right, bottom = box
        assert left >= 0 and top >= 0 and right <= 800 + 1e-6 and bottom <= 600 + 1e-6
        assert abs((right - left) / (bottom - top) - aspect) < 0.01
    # A subject wider than a 9:16 frame is panned across: start and end differ sideways.
    pan = script.fit_crop(800, 600, 9 / 16, (0, 0, 800, 600))
    assert pan[0][0] < pan[1][0]


def test_cuts_land_on_beats_and_cards_close_the_video() -> None:
    infos = [ImageInfo(800, 600, 50.0, i, (200, 100, 600, 500), True, "") for i in range(4)]
    beats = [i * 0.5 for i in range(40)]
    board = script.plan(infos, captions.generate(PAGE), beats, duration=15, aspect="9:16",
                        rhythm="fast", template="punch", size=(360, 640))
    assert board.frame_count == 375
    for shot in board.shots[1:]:
        assert min(abs(shot.start - b) for b in beats) < 1 / 25
    assert board.shots[-1].card is not None and board.shots[-2].card is not None
    assert abs(board.shots[-1].end - 15) < 1e-6
    photos = [s.source for s in board.shots if s.card is None]
    assert all(photos.count(i) <= 2 for i in set(photos))
    safe = script.SafeArea.for_size(360, 640).box
    for caption in board.captions:
        assert safe[0] <= caption.box[0] and caption.box[2] <= safe[2]
        assert safe[1] <= caption.box[1] and caption.box[3] <= safe[3]
    again = timeline.from_dict(timeline.to_dict(board))
    images = [np.full((600, 800, 3), 60 * i, np.uint8) for i in range(4)]
    assert np.array_equal(timeline.frame_at(again, images, 100),
                          timeline.frame_at(board, images, 100))


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"duration": 4}, "duration"), ({"duration": 61}, "duration"), ({"aspect": "2:1"}, "aspect"),
    ({"rhythm": "jazz"}, "rhythm"), ({"template": "sparkle"}, "template"),
])
def test_requests_out_of_range_are_refused(kwargs, words) -> None:
    request = {"duration": 15, "aspect": "16:9", "rhythm": "medium", "template": "kenburns",
               **kwargs}
    with pytest.raises(InputError, match=words):
        script.check_request(**request)


def test_the_style_follows_the_product_and_the_tempo_fits_whole_bars() -> None:
    grey = np.full((100, 100, 3), 128, np.uint8)
    tea = ProductPage("Jasmine green tea 茉莉花茶", "en", (Fact("title", "Jasmine green tea",
                                                              "og:title"),), (), None, None)
    phone = ProductPage("Bluetooth earbuds", "en", (Fact("title", "Bluetooth earbuds with "
                                                         "smart noise cancelling", "og:title"),),
                        (), None, None)
    assert soundtrack.choose_style(tea, extract_palette(grey), "medium") == "calm"
    assert soundtrack.choose_style(phone, extract_palette(grey), "medium") == "electronic"
    bpm = soundtrack.fit_tempo("upbeat", "medium", 15.0)
    assert abs((15.0 * bpm / 60 / 4) - round(15.0 * bpm / 60 / 4)) < 1e-6


def test_a_clip_slot_widens_its_best_stretch_inside_the_shot() -> None:
    shot = {"start": 2.0, "end": 10.0, "best": (7.0, 10.0)}
    assert script.clip_window(shot, 2.0) == 7.0  # the best stretch itself
    assert script.clip_window(shot, 5.0) == pytest.approx(10.0 - script.CLIP_MARGIN_S - 5.0)
    assert script.clip_window({**shot, "best": (4.0, 6.0)}, 4.0) == 3.0  # widened evenly
    assert script.clip_window(shot, 8.0) is None  # longer than the shot: not this clip


def test_a_clip_is_cropped_around_its_subject() -> None:
    """A 16:9 clip in a 9:16 video: the crop follows the subject at the right, inside."""
    crop = script.centre_crop(1280, 720, 9 / 16, (1000, 200, 1200, 600))
    left, top, right, bottom = crop
    assert (top, bottom) == (0, 720) and right - left == pytest.approx(405)
    assert left <= 1000 and 1200 <= right <= 1280
    assert script.centre_crop(1280, 720, 9 / 16) == pytest.approx(
        (437.5, 0, 842.5, 720))  # no subject: the middle
