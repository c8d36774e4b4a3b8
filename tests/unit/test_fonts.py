"""vitrina.fonts: the registry of packaged fonts, weights, coverage and missing packages."""

from __future__ import annotations

import importlib.metadata
from concurrent.futures import ThreadPoolExecutor

import pytest
from fontTools.ttLib import TTFont

from vitrina import fonts
from vitrina.errors import FontMissing, InputError

SAMPLE = "Hamburgefonstiv"
VARIABLE = ("inter", "montserrat", "oswald", "playfair")


@pytest.fixture
def fresh_caches():
    """Forget resolved paths and built fonts, before and after: the test sees a cold process
    and the tests after it do not inherit what it faked."""
    fonts._locate.cache_clear()
    fonts.get_font.cache_clear()
    yield
    fonts._locate.cache_clear()
    fonts.get_font.cache_clear()


def test_registry_lists_the_latin_and_cjk_families():
    assert fonts.LATIN_FAMILIES == ("inter", "montserrat", "oswald", "playfair", "bebas")
    assert fonts.CJK_FAMILIES == ("noto-sans-sc", "noto-serif-sc", "wqy-microhei")
    assert fonts.FALLBACK in fonts.CJK_FAMILIES


@pytest.mark.parametrize("key", list(fonts.FAMILIES))
def test_every_family_loads_from_its_package(key):
    face = fonts.get_font(key, 400, 24)
    assert face.path.is_file() and face.family == key and face.size == 24
    assert face.path == fonts.font_path(key)
    char = "中" if fonts.FAMILIES[key].cjk else "A"
    assert fonts.covers(key, char)
    left, top, right, bottom = face.font.getbbox(char, anchor="ls")
    assert right > left and top < 0 <= bottom  # a real glyph above the baseline


@pytest.mark.parametrize("key", VARIABLE)
def test_variable_fonts_take_their_weight_from_the_wght_axis(key):
    light, heavy = fonts.get_font(key, 300, 40), fonts.get_font(key, 900, 40)
    assert heavy.font.getlength(SAMPLE) > light.font.getlength(SAMPLE)
    assert light.stroke == heavy.stroke == 0
    assert dict(heavy.axes)["wght"] == heavy.weight


def test_weights_outside_an_axis_are_clamped_and_reported():
    assert fonts.get_font("oswald", 900, 30).weight == 700  # Oswald stops at 700
    assert fonts.get_font("playfair", 300, 30).weight == 400  # Playfair starts at 400
    assert fonts.get_font("montserrat", 650, 30).weight == 650


@pytest.mark.parametrize("key", VARIABLE)
def test_axes_are_set_in_the_order_the_font_declares_them(key):
    with TTFont(fonts.font_path(key), lazy=True) as font:
        tags = [axis.axisTag for axis in font["fvar"].axes]
    assert [tag for tag, _ in fonts.get_font(key, 500, 20).axes] == tags


@pytest.mark.parametrize(("size", "opsz"), [(9, 14), (20, 20), (31, 31), (120, 32)])
def test_inter_optical_size_follows_the_pixel_size(size, opsz):
    assert dict(fonts.get_font("inter", 400, size).axes) == {"opsz": opsz, "wght": 400}


def test_single_weight_latin_fonts_ignore_the_weight():
    face = fonts.get_font("bebas", 800, 40)
    assert (face.weight, face.stroke, face.synthetic_bold) == (400, 0, False)


@pytest.mark.parametrize("key", fonts.CJK_FAMILIES)
def test_cjk_fonts_get_a_synthetic_bold_from_600(key):
    regular, medium = fonts.get_font(key, 400, 40), fonts.get_font(key, 500, 40)
    bold, black = fonts.get_font(key, 700, 40), fonts.get_font(key, 900, 40)
    assert regular.stroke == medium.stroke == 0
    assert 1 <= bold.stroke < black.stroke and bold.synthetic_bold
    assert bold.weight == 400  # the file drawn; the stroke makes it bold
    assert fonts.get_font(key, 700, 14).stroke == 0  # small ideographs would fill in
    assert fonts.get_font(key, 700, 160).stroke > bold.stroke  # proportional to the size


def test_coverage_comes_from_the_cmap():
    assert fonts.covers("inter", "A") and fonts.covers("inter", "¥") and fonts.covers("inter", "…")
    assert not fonts.covers("inter", "中") and not fonts.covers("inter", "，")
    assert fonts.covers("noto-sans-sc", "中") and fonts.covers("noto-serif-sc", "，")
    assert not any(fonts.covers(key, "😀") for key in fonts.FAMILIES)
    # One frozenset per file, loaded once.
    path = fonts.font_path("noto-sans-sc")
    assert fonts._cmap(path) is fonts._cmap(path) and len(fonts._cmap(path)) > 30000


def test_licences_name_every_family_and_its_package():
    rows = {row["key"]: row for row in fonts.licences()}
    assert set(rows) == set(fonts.FAMILIES)
    assert rows["inter"] == {"family": "Inter", "key": "inter", "package": "fontpkg-inter",
                             "licence": "OFL-1.1"}
    assert rows["noto-sans-sc"]["package"] == "pylopdf-fonts-zh-cn"
    assert rows["wqy-microhei"]["licence"] == "Apache-2.0"
    assert all(row["licence"] for row in rows.values())


def test_get_font_is_cached_per_family_weight_and_size():
    assert fonts.get_font("inter", 700, 33) is fonts.get_font("inter", 700, 33)
    assert fonts.get_font("inter", 700, 33) is not fonts.get_font("inter", 700, 34)


def test_fonts_built_and_used_from_many_threads_match_a_serial_run(fresh_caches):
    keys = [(key, weight, size) for key in (*VARIABLE, "noto-sans-sc")
            for weight in (300, 700) for size in (18, 19, 41)]

    def measure(key_weight_size):
        face = fonts.get_font(*key_weight_size)
        return face.weight, face.font.getlength(SAMPLE), face.font.getbbox(SAMPLE, anchor="ls")

    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(measure, keys * 4))
    fonts.get_font.cache_clear()
    serial = [measure(k) for k in keys * 4]
    assert threaded == serial


def test_unknown_family_or_weight_is_an_input_error():
    with pytest.raises(InputError, match="unknown font family 'comic-sans'"):
        fonts.get_font("comic-sans", 400, 20)
    with pytest.raises(InputError, match="weight"):
        fonts.get_font("inter", 0, 20)


def test_a_missing_package_names_the_package_to_install(monkeypatch, fresh_caches):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(FontMissing, match="'fontpkg-oswald' is not installed") as caught:
        fonts.get_font("oswald", 400, 20)
    assert "pip install fontpkg-oswald" in caught.value.message
    assert caught.value.to_dict()["code"] == "font_unavailable"
    with pytest.raises(FontMissing, match="pylopdf-fonts-zh-cn"):
        fonts.covers("noto-sans-sc", "中")


def test_a_package_without_the_file_is_reported(monkeypatch, fresh_caches):
    real = importlib.metadata.distribution

    class Emptied:
        def __init__(self, name):
            self.name = real(name).name
            self.files = []

    monkeypatch.setattr(importlib.metadata, "distribution", Emptied)
    with pytest.raises(FontMissing, match="missing from the installed package 'fontpkg-oswald'"):
        fonts.get_font("oswald", 700, 20)


@pytest.mark.parametrize("key", list(fonts.FAMILIES))
def test_our_cmap_reader_agrees_with_fonttools(key):
    """vitrina.cmap replaces fontTools at run time (Lambda's size limit): same answer."""
    from vitrina import cmap

    for weight in (400, 700):
        path = fonts.font_path(key, weight)
        with TTFont(path, lazy=True, fontNumber=0) as font:
            assert cmap.code_points(path) == frozenset(font.getBestCmap())
