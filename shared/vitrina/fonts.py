"""Fonts shipped in PyPI packages, shared by every product that draws text.

Nothing is downloaded: each family names the package that ships its file(s), found through
``importlib.metadata``, and a missing package raises :class:`~vitrina.errors.FontMissing`
naming the package to install. Weights come from a variable ``wght`` axis, from the nearest
static file, or (CJK fonts shipped in one weight) from a synthetic-bold stroke that
:class:`FontFace` carries so that measuring and drawing both apply it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

from PIL import ImageFont

from vitrina import cmap
from vitrina.errors import FontMissing, InputError

# Pillow's basic layout, pinned: the output is the same on every machine (Raqm needs FriBiDi,
# which the Lambda runtime lacks, so "the best available" would differ between the local
# engine and AWS), and its hinted advances are whole pixels that add up exactly, which is what
# lets vitrina.typesetting measure a line from cached per-character metrics. The price: no
# OpenType kerning or ligatures (Pillow's basic kerning reads only legacy `kern` tables).
LAYOUT = ImageFont.Layout.BASIC

FALLBACK = "wqy-microhei"  # drawn when neither of a style's families has a glyph
_AXIS_TAGS = {"weight": "wght", "optical size": "opsz"}

Kind = Literal["variable", "single"]


@dataclass(frozen=True)
class Family:
    key: str
    name: str
    package: str  # distribution name, as pip knows it
    files: tuple[tuple[int, str], ...]  # (weight, path relative to the distribution's root)
    kind: Kind  # a variable `wght` axis, or a single weight
    licence: str
    cjk: bool = False  # single-weight CJK fonts get a synthetic bold from 600 up


def _one(path: str) -> tuple[tuple[int, str], ...]:
    return ((400, path),)


# Poppins (fontpkg-poppins) would be a sixth Latin family, but its 18 static files push the
# zip functions that lay out text past Lambda's 250 MB (tests/test_template.py measures it).
FAMILIES: dict[str, Family] = {f.key: f for f in (
    Family("inter", "Inter", "fontpkg-inter",
           _one("fontpkg_inter/files/Inter[opsz,wght].ttf"), "variable", "OFL-1.1"),
    Family("montserrat", "Montserrat", "fontpkg-montserrat",
           _one("fontpkg_montserrat/files/Montserrat[wght].ttf"), "variable", "OFL-1.1"),
    Family("oswald", "Oswald", "fontpkg-oswald",
           _one("fontpkg_oswald/files/Oswald[wght].ttf"), "variable", "OFL-1.1"),
    Family("playfair", "Playfair Display", "fontpkg-playfair-display",
           _one("fontpkg_playfair_display/files/PlayfairDisplay[wght].ttf"), "variable",
           "OFL-1.1"),
    Family("bebas", "Bebas Neue", "fontpkg-bebas-neue",
           _one("fontpkg_bebas_neue/files/BebasNeue-Regular.ttf"), "single", "OFL-1.1"),
    Family("noto-sans-sc", "Noto Sans SC", "pylopdf-fonts-zh-cn",
           _one("pylopdf_fonts_zh_cn/NotoSansSC-Regular.otf"), "single", "OFL-1.1", cjk=True),
    Family("noto-serif-sc", "Noto Serif SC", "pylopdf-fonts-zh-cn",
           _one("pylopdf_fonts_zh_cn/NotoSerifSC-Regular.otf"), "single", "OFL-1.1", cjk=True),
    # The wrapper package is MIT; the font's own name table says Apache-2.0 (upstream also
    # offers GPL-3.0 with a font embedding exception).
    Family("wqy-microhei", "WenQuanYi Micro Hei", "paperang-p2-fonts-cjk",
           _one("paperang_p2_fonts_cjk/fonts/wqy-microhei.ttc"), "single", "Apache-2.0",
           cjk=True),
)}
LATIN_FAMILIES = tuple(k for k, f in FAMILIES.items() if not f.cjk)
CJK_FAMILIES = tuple(k for k, f in FAMILIES.items() if f.cjk)


@dataclass(frozen=True, eq=False)
class FontFace:
    """A Pillow font at one size and weight. Never mutated once built, so threads share it
    (Pillow holds the GIL while FreeType works on it)."""

    font: ImageFont.FreeTypeFont
    family: str
    weight: int  # drawn: clamped to the wght axis, or the one file's weight
    size: int
    stroke: int  # synthetic-bold stroke in px, to pass as Pillow's stroke_width; 0 = none
    path: Path
    axes: tuple[tuple[str, float], ...] = ()  # variation axes set, e.g. (("opsz", 24), ...)

    @property
    def synthetic_bold(self) -> bool:
        return self.stroke > 0


def get_family(key: str) -> Family:
    try:
        return FAMILIES[key]
    except KeyError:
        raise InputError(
            f"unknown font family {key!r}; choose one of {', '.join(FAMILIES)}"
        ) from None


def font_path(key: str, weight: int = 400) -> Path:
    """The file drawn for ``key`` at ``weight`` (for tools that take a path, e.g. ffmpeg)."""
    fam = get_family(key)
    return _locate(fam.package, _file_for(fam, weight)[1])


@functools.lru_cache(maxsize=128)  # a CFF face holds ~0.5 MB of FreeType heap
def get_font(family: str, weight: int, size: int) -> FontFace:
    """The font for one (family, weight, size), built once per process.

    Each cache entry owns its Pillow font, so setting variation axes never touches a font
    that another thread may be measuring with.
    """
    fam = get_family(family)
    if not 1 <= weight <= 1000:
        raise InputError(f"font weight {weight} is outside 1..1000")
    if size < 1:
        raise InputError(f"font size {size} must be at least 1 px")
    file_weight, relative = _file_for(fam, weight)
    path = _locate(fam.package, relative)
    font = ImageFont.truetype(str(path), size, index=0, layout_engine=LAYOUT)
    if fam.kind == "variable":
        axes = _set_axes(font, weight, size)
        return FontFace(font, family, round(dict(axes)["wght"]), size, 0, path, axes)
    stroke = _bold_stroke(weight, size) if fam.cjk and weight >= 600 else 0
    return FontFace(font, family, file_weight, size, stroke, path)


def covers(family: str, char: str) -> bool:
    """Whether ``family``'s font maps ``char`` to a glyph (its cmap, not a rendering guess)."""
    return ord(char) in _cmap(font_path(family))


def licences() -> list[dict[str, str]]:
    """Who licenses each shipped family, for the README and the banner report."""
    return [{"family": f.name, "key": f.key, "package": f.package, "licence": f.licence}
            for f in FAMILIES.values()]


def _file_for(fam: Family, weight: int) -> tuple[int, str]:
    return fam.files[0]


@functools.cache
def _locate(package: str, relative: str) -> Path:
    hint = f"pip install {package}"
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise FontMissing(f"the font package {package!r} is not installed ({hint})") from None
    for file in dist.files or ():
        if file.as_posix() == relative:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    raise FontMissing(
        f"{relative} is missing from the installed package {package!r} (reinstall: {hint})"
    )


def _set_axes(font: ImageFont.FreeTypeFont, weight: int,
              size: int) -> tuple[tuple[str, float], ...]:
    """Set wght (and opsz, to the pixel size) in the order the font declares its axes."""
    values = []
    for axis in font.get_variation_axes():
        name = axis["name"]
        name = name.decode() if isinstance(name, bytes) else str(name)
        tag = _AXIS_TAGS.get(name.lower(), name)
        wanted = {"wght": weight, "opsz": size}.get(tag, axis["default"])
        values.append((tag, float(min(max(wanted, axis["minimum"]), axis["maximum"]))))
    font.set_variation_by_axes([value for _, value in values])
    return tuple(values)


def _bold_stroke(weight: int, size: int) -> int:
    # Pillow strokes both sides of every stem: 2.5% of the em per side at 700 reads as bold
    # without closing the counters of dense ideographs. Rounded down: below ~20 px a whole
    # pixel per side fills the strokes of an ideograph in, so small text stays regular.
    return int(size * 0.025 * (weight - 500) / 200)


@functools.cache
def _cmap(path: Path) -> frozenset[int]:
    # The Noto SC cmaps hold ~31,000 code points and take tens of ms to parse: once per file.
    return cmap.code_points(path)
