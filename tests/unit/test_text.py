"""vitrina.typesetting: fitting, Chinese/Latin line breaking, overflow and exact drawing."""

from __future__ import annotations

import math
import random
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from vitrina import fonts
from vitrina.errors import InputError
from vitrina.typesetting import (
    CLOSING,
    ELLIPSIS,
    OPENING,
    TextBlock,
    TextStyle,
    block_from_dict,
    block_to_dict,
    draw_text,
    fit_text,
    measure_ink,
    place_runs,
    style_to_dict,
)

INTER = TextStyle("inter", "noto-sans-sc", 700)
HANZI = ("限时特价全场五折起包邮新品上市夏季清仓大促销活动"
         "每满减优惠券领取立即抢购的一是在不了有和人这中")
LATIN_WORDS = ["Sale", "NEW", "iPhone15", "¥199.00", "2,000", "50%", "O'Neil", "café", "Ärger",
               "fjord", "Typography", "AVAWAY", "x", "Supercalifragilisticexpialidocious"]
PUNCT = list("，。、！？；：）」』】》〉”’（「『【《〈“‘,.!?;:()[]…—")
ODD = ["😀", "🔥", "👨‍👩‍👧", "\n", " ", "  ", "\t", "\u200b", "\x07", "ß", "ﬁ", "\u3000", "ㄅ",
       "\u00a0", " \u00a0", "e\u0301", "ǰ", "\r\n", "\u2028"]
FAMILY_PAIRS = [(latin, cjk) for latin in fonts.LATIN_FAMILIES for cjk in fonts.CJK_FAMILIES]

mixed_text = st.lists(st.one_of(
    st.sampled_from(LATIN_WORDS), st.sampled_from(HANZI), st.sampled_from(PUNCT),
    st.sampled_from(ODD), st.text(max_size=3)), min_size=1, max_size=30).map("".join)
styles = st.builds(
    lambda pair, weight, spacing, upper, align, tracking: TextStyle(
        pair[0], pair[1], weight, spacing, upper, align, tracking),
    st.sampled_from(FAMILY_PAIRS), st.sampled_from([100, 300, 400, 500, 600, 700, 800, 900]),
    st.sampled_from([0.8, 1.0, 1.2, 1.5]), st.booleans(),
    st.sampled_from(["left", "center", "right"]), st.sampled_from([0.0, 0.0, 0.05, -0.02]))


def _visible(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _expected(text: str, style: TextStyle, dropped: list[str]) -> str:
    """What fit_text shows of ``text``, spaces aside: NFC, uppercase, no dropped or invisible
    (format, variation selector) characters."""
    text = unicodedata.normalize("NFC", text)
    if style.uppercase:
        text = unicodedata.normalize("NFC", text.upper())
    return _visible("".join(
        ch for ch in text if ch not in dropped and unicodedata.category(ch) != "Cf"
        and not 0xFE00 <= ord(ch) <= 0xFE0F))


def _breaks(block: TextBlock) -> list[tuple[str, int]]:
    """For each line after the first: what separated it from the previous one in the text
    ("" for a cut between two characters, spaces for a wrap, "\n" for a paragraph) and
    where it starts in ``block.text``."""
    found, pos = [], 0
    for line in block.lines:
        # A blank line starts after the paragraph break before it.
        start = (block.text.index(line.text, pos) if line.text
                 else block.text.index("\n", pos) + 1)
        found.append((block.text[pos:start], start))
        pos = start + len(line.text)
    assert pos == len(block.text)
    return found[1:]


def _cuts_a_word(block: TextBlock) -> bool:
    """A line break between two characters of which neither is CJK: inside a Latin word."""
    return any(sep == "" and not (_cjk(block.text[at - 1]) or _cjk(block.text[at]))
               for sep, at in _breaks(block))


def _cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def check_block(block: TextBlock, text: str, style: TextStyle, width: float, height: float, *,
                max_size: int, min_size: int, max_lines: int) -> None:
    assert min_size <= block.size <= max_size
    assert 1 <= len(block.lines) <= max_lines
    assert all(line.width <= width for line in block.lines)
    assert block.width == max(line.width for line in block.lines) <= width
    assert block.height <= height
    # The lines, spaces aside, are the text: whole, or a prefix of it ending with "…".
    shown = _visible("".join(line.text for line in block.lines))
    assert shown == _visible(block.text)
    expected = _expected(text, style, block.dropped)
    if block.truncated:
        assert block.size == min_size and shown.endswith(ELLIPSIS)
        assert expected.startswith(shown[:-1]) and len(shown) - 1 < len(expected)
        assert block.lines[-1].text[-2] not in OPENING and not block.lines[-1].text[-2].isspace()
    else:
        assert shown == expected
    # Kinsoku wherever the layout chose the break (not at a "\n" the text forced).
    for (before, after), (sep, _) in zip(pairwise(block.lines), _breaks(block), strict=True):
        assert sep == "" or sep.isspace()
        if "\n" not in sep:
            assert after.text[0] not in CLOSING, (before.text, after.text)
            assert before.text[-1] not in OPENING, (before.text, after.text)
    for line in block.lines:
        assert line.text == line.text.strip()  # no space drawn at either end
        assert "".join(run.text for run in line.runs) == line.text


def check_drawn(block: TextBlock, style: TextStyle, box: tuple[int, int, int, int]) -> None:
    """Every run's ink inside ``box``: as draw_text reports it, as a fresh textbbox measures
    it, and as the pixels of a rendering on a blank image show it."""
    left, top, right, bottom = box
    image = Image.new("L", (right + 7, bottom + 5), 0)
    inks = draw_text(image, block, style, box, (255, 255, 255))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    placed = place_runs(block, style, box)
    assert len(inks) == len(placed) == sum(len(line.runs) for line in block.lines)
    for ink, p in zip(inks, placed, strict=True):
        fresh = probe.textbbox((p.x, p.y), p.run.text, font=p.face.font, anchor="ls",
                               stroke_width=p.face.stroke)
        assert fresh == ink
        assert left <= ink[0] <= ink[2] <= right and top <= ink[1] <= ink[3] <= bottom
    pixels = image.getbbox()
    if pixels is not None:
        assert left <= pixels[0] and top <= pixels[1]
        assert pixels[2] <= right and pixels[3] <= bottom
    # The block's own extent is where its glyphs are.
    assert min(i[1] for i in inks) == top
    assert max(i[3] for i in inks) == top + block.height


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mixed_text, style=styles, width=st.integers(24, 700), height=st.integers(14, 400),
       max_lines=st.integers(1, 4), min_size=st.integers(6, 24), span=st.integers(0, 90),
       overflow=st.sampled_from(["ellipsis", "shrink-only"]),
       origin=st.tuples(st.integers(0, 9), st.integers(0, 9)))
def test_any_text_fits_its_box_or_is_refused(text, style, width, height, max_lines, min_size,
                                             span, overflow, origin):
    max_size = min_size + span
    block = fit_text(text, style, width, height, max_size=max_size, min_size=min_size,
                     max_lines=max_lines, overflow=overflow)
    if block is None:
        return
    check_block(block, text, style, width, height, max_size=max_size, min_size=min_size,
                max_lines=max_lines)
    if block.truncated:
        assert overflow == "ellipsis"
    elif block.size < max_size:  # maximal: one pixel more does not fit with whole words
        bigger = fit_text(text, style, width, height, max_size=block.size + 1,
                          min_size=block.size + 1, max_lines=max_lines, overflow="shrink-only")
        assert bigger is None or (_cuts_a_word(bigger) and not _cuts_a_word(block))
    x, y = origin
    check_drawn(block, style, (x, y, x + width, y + height))


words = st.lists(st.one_of(st.sampled_from(LATIN_WORDS), st.sampled_from(HANZI),
                           st.text(HANZI, min_size=2, max_size=6)), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(words=words, pair=st.sampled_from(FAMILY_PAIRS), width=st.integers(30, 500),
       max_lines=st.integers(1, 6))
def test_a_latin_word_is_cut_only_when_wider_than_the_line(words, pair, width, max_lines):
    style = TextStyle(*pair, weight=600)
    text = " ".join(words)
    block = fit_text(text, style, width, 1000, max_size=72, min_size=10, max_lines=max_lines)
    if block is None:
        return
    for (before, after), (sep, at) in zip(pairwise(block.lines), _breaks(block), strict=True):
        if sep == "" and before.text[-1].isascii() and after.text[0].isascii():
            start = block.text.rfind(" ", 0, at) + 1
            end = block.text.find(" ", at)
            word = block.text[start:None if end < 0 else end]
            ink = measure_ink(word, style, block.size)
            assert ink[2] - ink[0] > width, word


def test_a_headline_takes_the_largest_size_that_fits():
    block = fit_text("Summer Collection 2025 — up to 50% off", INTER, 600, 200,
                     max_size=120, min_size=12, max_lines=3)
    assert block is not None and not block.truncated
    assert [line.text for line in block.lines] == ["Summer Collection", "2025 — up to 50%",
                                                   "off"]
    assert fit_text("Summer Collection 2025 — up to 50% off", INTER, 600, 200,
                    max_size=block.size + 1, min_size=block.size + 1, max_lines=3,
                    overflow="shrink-only") is None
    short = fit_text("Sale", INTER, 600, 200, max_size=80, min_size=12, max_lines=3)
    assert short is not None and short.size == 80  # max_size caps it


def test_chinese_breaks_between_characters_but_never_before_closing_punctuation():
    text = "限时特价，全场五折。新品上市！立即抢购"
    for width in range(60, 400, 7):
        block = fit_text(text, TextStyle("inter", "noto-sans-sc"), width, 1000, max_size=24,
                         min_size=24, max_lines=20)
        assert block is not None
        check_block(block, text, TextStyle("inter", "noto-sans-sc"), width, 1000, max_size=24,
                    min_size=24, max_lines=20)
        assert not any(line.text[0] in "，。！" for line in block.lines)


def test_mixed_line_keeps_prices_and_numbers_whole():
    style = TextStyle("inter", "noto-sans-sc", 700)
    text = "限时特价¥199.00，满2,000减300元"
    # "，" may not start a line, so "¥199.00，" is the widest piece that must stay whole.
    unit = measure_ink("¥199.00，", style, 30)
    for width in range(math.ceil(unit[2] - unit[0]), 500, 9):
        block = fit_text(text, style, width, 1000, max_size=30, min_size=30, max_lines=20)
        assert block is not None
        joined = "|".join(line.text for line in block.lines)
        for token in ("¥199.00", "2,000", "300"):
            assert token in joined


def test_runs_switch_font_per_character_and_share_the_baseline():
    block = fit_text("新品iPhone15上市", INTER, 1000, 300, max_size=40, min_size=40,
                     max_lines=1)
    assert block is not None
    runs = block.lines[0].runs
    assert [(run.text, run.family) for run in runs] == [
        ("新品", "noto-sans-sc"), ("iPhone15", "inter"), ("上市", "noto-sans-sc")]
    assert runs[0].x < runs[1].x < runs[2].x
    assert block.fallback == [] and block.dropped == []


def test_emoji_and_control_characters_are_dropped_and_reported():
    block = fit_text("Sale 🔥 now\x07 👨‍👩‍👧!", INTER, 800, 200, max_size=40, min_size=10,
                     max_lines=2)
    assert block is not None
    assert block.text == "Sale now !"  # one space kept where an emoji stood between two
    assert block.dropped == ["🔥", "\x07", "👨", "👩", "👧"]  # the ZWJ has no glyph to miss
    assert fit_text("🔥🔥", INTER, 800, 200, max_size=40, min_size=10, max_lines=2) is None


def test_characters_only_the_fallback_covers_are_drawn_with_it():
    rare = next(ch for ch in map(chr, range(0x100, 0x3000))
                if unicodedata.category(ch)[0] in "LS" and fonts.covers("wqy-microhei", ch)
                and not fonts.covers("inter", ch) and not fonts.covers("noto-sans-sc", ch))
    block = fit_text(f"特价{rare}", INTER, 800, 200, max_size=40, min_size=10, max_lines=1)
    assert block is not None and block.fallback == [rare]
    assert [run.family for run in block.lines[0].runs] == ["noto-sans-sc", "wqy-microhei"]


def test_newline_forces_a_break_and_blank_lines_count():
    block = fit_text("First\nSecond\n\nFourth", INTER, 1000, 1000, max_size=30, min_size=10,
                     max_lines=4)
    assert block is not None
    assert [line.text for line in block.lines] == ["First", "Second", "", "Fourth"]
    baselines = [line.baseline for line in block.lines]
    assert baselines[1] - baselines[0] == baselines[3] - baselines[2] == round(30 * 1.2)
    assert fit_text("a\nb\nc", INTER, 1000, 1000, max_size=30, min_size=10,
                    max_lines=2, overflow="shrink-only") is None


def test_a_word_wider_than_the_line_is_cut_by_character():
    word = "Supercalifragilisticexpialidocious"
    block = fit_text(word, INTER, 150, 1000, max_size=30, min_size=30, max_lines=10)
    assert block is not None and len(block.lines) > 2
    assert "".join(line.text for line in block.lines) == word
    assert all(line.width <= 150 for line in block.lines)


def test_long_text_is_truncated_with_an_ellipsis():
    rng = random.Random(3)
    text = "".join(rng.choice(HANZI + "，。 ") for _ in range(2000))
    block = fit_text(text, INTER, 500, 120, max_size=60, min_size=16, max_lines=3)
    assert block is not None and block.truncated and block.size == 16
    assert len(block.lines) == 3 and block.lines[-1].text.endswith(ELLIPSIS)
    assert block.text.endswith(ELLIPSIS) and len(block.text) < 200
    check_block(block, text, INTER, 500, 120, max_size=60, min_size=16, max_lines=3)
    check_drawn(block, INTER, (3, 4, 503, 124))
    assert fit_text(text, INTER, 500, 120, max_size=60, min_size=16, max_lines=3,
                    overflow="shrink-only") is None


def test_truncation_keeps_fewer_lines_when_the_height_needs_it():
    text = "Sale " * 40
    two = fit_text(text, INTER, 300, 45, max_size=20, min_size=20, max_lines=5)
    one = fit_text(text, INTER, 300, 30, max_size=20, min_size=20, max_lines=5)
    assert two is not None and two.truncated and len(two.lines) == 2 and two.height <= 45
    assert one is not None and one.truncated and len(one.lines) == 1 and one.height <= 30
    assert one.lines[0].text.endswith(ELLIPSIS) and two.lines[1].text.endswith(ELLIPSIS)


def test_nothing_fits_in_a_box_too_small_for_the_minimum_size():
    assert fit_text("Hello", INTER, 5, 100, max_size=40, min_size=20, max_lines=2) is None
    assert fit_text("Hello", INTER, 300, 5, max_size=40, min_size=20, max_lines=2) is None
    assert fit_text("  \n\t ", INTER, 300, 300, max_size=40, min_size=20, max_lines=2) is None
    assert fit_text("", INTER, 300, 300, max_size=40, min_size=20, max_lines=2) is None


def test_uppercase_and_tracking():
    plain = fit_text("sale", TextStyle("oswald", "noto-sans-sc"), 1000, 300, max_size=50,
                     min_size=50, max_lines=1)
    upper = fit_text("sale", TextStyle("oswald", "noto-sans-sc", uppercase=True), 1000, 300,
                     max_size=50, min_size=50, max_lines=1)
    tracked = fit_text("sale", TextStyle("oswald", "noto-sans-sc", uppercase=True,
                                         tracking=0.1), 1000, 300, max_size=50, min_size=50,
                       max_lines=1)
    assert plain and upper and tracked
    assert upper.text == "SALE" and len(tracked.lines[0].runs) == 4  # drawn letter by letter
    assert tracked.width == upper.width + 3 * 5  # 0.1 em = 5 px after each of 3 letters
    check_drawn(tracked, TextStyle("oswald", "noto-sans-sc", uppercase=True, tracking=0.1),
                (0, 0, 1000, 300))


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_lines_align_inside_the_box(align):
    style = TextStyle("playfair", "noto-serif-sc", 700, align=align)
    block = fit_text("Elegant evening wear for every occasion", style, 400, 300,
                     max_size=48, min_size=12, max_lines=3)
    assert block is not None and len(block.lines) > 1
    box = (20, 30, 420, 330)
    placed = iter(place_runs(block, style, box))
    for line in block.lines:
        inks = [next(placed).ink() for _ in line.runs]
        left, right = min(i[0] for i in inks), max(i[2] for i in inks)
        assert right - left == line.width
        if align == "left":
            assert left == 20
        elif align == "right":
            assert right == 420
        else:
            assert abs((left - 20) - (420 - right)) <= 1
    check_drawn(block, style, box)


def test_measurement_matches_pillow_for_every_family():
    """The exactness draw_text relies on: a run's box is its characters' boxes added up."""
    for key in fonts.FAMILIES:
        style = TextStyle(key, key, 700)
        for size in (11, 27, 64):
            face = fonts.get_font(key, 700, size)
            for sample in ("AVATAR fjord Ég,", "¥199.00 — 50%", "限时特价，全场包邮"):
                if all(fonts.covers(key, ch) for ch in sample):
                    expected = face.font.getbbox(sample, anchor="ls", stroke_width=face.stroke)
                    assert measure_ink(sample, style, size) == expected, (key, size, sample)


def test_draw_blends_the_colour_alpha():
    block = fit_text("Alpha", INTER, 300, 100, max_size=60, min_size=60, max_lines=1)
    assert block is not None
    layer = Image.new("RGBA", (320, 120), (0, 0, 0, 0))
    draw_text(layer, block, INTER, (10, 10, 310, 110), (200, 20, 20, 128))
    alpha = layer.getchannel("A")
    assert alpha.getextrema() == (0, 128)
    solid = [layer.getpixel((x, y)) for x in range(320) for y in range(120)
             if layer.getpixel((x, y))[3] == 128]
    assert solid and all(px[:3] == (200, 20, 20) for px in solid)
    white = Image.new("RGB", (320, 120), "white")
    draw_text(white, block, INTER, (10, 10, 310, 110), (0, 0, 0, 128))
    assert white.getchannel("R").getextrema()[0] in (127, 128)
    with pytest.raises(ValueError, match="RGB, RGBA or L"):
        draw_text(Image.new("P", (10, 10)), block, INTER, (0, 0, 10, 10), (0, 0, 0))


def test_fractional_boxes_keep_the_measured_box():
    block = fit_text("Fraction", INTER, 200, 80, max_size=40, min_size=10, max_lines=1)
    assert block is not None
    box = (10.5, 20.25, 10.5 + block.width, 20.25 + block.height)  # no whole-pixel slack
    for ink in draw_text(Image.new("L", (260, 120)), block, INTER, box, (255, 255, 255)):
        assert box[0] <= ink[0] and ink[2] <= box[2] and box[1] <= ink[1] and ink[3] <= box[3]


def test_blocks_and_styles_round_trip_through_json_dicts():
    style = TextStyle("bebas", "noto-sans-sc", 700, 1.0, True, "center", 0.02)
    block = fit_text("Big sale 大促", style, 300, 200, max_size=60, min_size=10, max_lines=2)
    assert block is not None
    assert block_from_dict(block_to_dict(block)) == block
    assert TextStyle(**style_to_dict(style)) == style


def test_style_is_validated():
    with pytest.raises(InputError, match="unknown font family"):
        TextStyle("arial", "noto-sans-sc")
    with pytest.raises(InputError, match="align"):
        TextStyle("inter", "noto-sans-sc", align="justify")
    with pytest.raises(ValueError, match="min_size"):
        fit_text("x", INTER, 10, 10, max_size=10, min_size=12, max_lines=1)
    with pytest.raises(ValueError, match="overflow"):
        fit_text("x", INTER, 10, 10, max_size=10, min_size=8, max_lines=1, overflow="clip")


def test_threads_lay_out_like_a_serial_run():
    rng = random.Random(9)
    jobs = [("".join(rng.choice(HANZI) for _ in range(rng.randint(3, 40)))
             + " " + " ".join(rng.sample(LATIN_WORDS, 3)), pair, rng.randint(80, 600))
            for pair in FAMILY_PAIRS for _ in range(2)]

    def run(job):
        text, pair, width = job
        block = fit_text(text, TextStyle(*pair, weight=700), width, 200, max_size=64,
                         min_size=9, max_lines=3)
        return block and block_to_dict(block)

    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(run, jobs))
    assert threaded == [run(job) for job in jobs]
