"""Which characters a font file can draw, read straight from its ``cmap`` table.

A few dozen lines of ``struct`` instead of fontTools (30 MB installed) keep the zip
functions that lay out text under Lambda's 250 MB limit. Reads TrueType, OpenType/CFF and
the first font of a collection (.ttc); understands the Unicode subtables of format 4 (BMP)
and 12 (all planes), which every font we ship carries.
"""

from __future__ import annotations

import struct
from pathlib import Path

# (platform, encoding) of Unicode subtables, best first: full repertoire, then BMP only.
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


class CmapError(ValueError):
    """The file is not a font this reader understands."""


def _table_offset(data: bytes, tag: bytes) -> int:
    base = 0
    if data[:4] == b"ttcf":
        base = struct.unpack_from(">I", data, 12)[0]  # first font of the collection
    num_tables = struct.unpack_from(">H", data, base + 4)[0]
    for i in range(num_tables):
        entry = base + 12 + 16 * i
        if data[entry:entry + 4] == tag:
            return struct.unpack_from(">I", data, entry + 8)[0]
    raise CmapError(f"no {tag.decode()} table")


def _format4(data: bytes, at: int) -> set[int]:
    seg_x2 = struct.unpack_from(">H", data, at + 6)[0]
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, at + 14)
    starts = struct.unpack_from(f">{segs}H", data, at + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 2 * seg_x2)
    range_at = at + 16 + 3 * seg_x2
    offsets = struct.unpack_from(f">{segs}H", data, range_at)
    found: set[int] = set()
    for i in range(segs):
        start, end = starts[i], ends[i]
        if start == 0xFFFF:
            continue
        if offsets[i] == 0:
            found.update(c for c in range(start, end + 1) if (c + deltas[i]) & 0xFFFF)
            continue
        for code in range(start, end + 1):
            glyph_at = range_at + 2 * i + offsets[i] + 2 * (code - start)
            glyph = struct.unpack_from(">H", data, glyph_at)[0]
            if glyph and (glyph + deltas[i]) & 0xFFFF:
                found.add(code)
    return found


def _format12(data: bytes, at: int) -> set[int]:
    groups = struct.unpack_from(">I", data, at + 12)[0]
    found: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        first = start if glyph else start + 1  # glyph 0 is .notdef: not a real glyph
        found.update(range(first, end + 1))
    return found


def code_points(path: Path) -> frozenset[int]:
    data = path.read_bytes()
    try:
        cmap = _table_offset(data, b"cmap")
        count = struct.unpack_from(">H", data, cmap + 2)[0]
        subtables = {}
        for i in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
            subtables[(platform, encoding)] = cmap + offset
        for key in _PREFERRED:
            if key in subtables:
                at = subtables[key]
                fmt = struct.unpack_from(">H", data, at)[0]
                if fmt == 12:
                    return frozenset(_format12(data, at))
                if fmt == 4:
                    return frozenset(_format4(data, at))
    except struct.error as exc:
        raise CmapError(f"{path.name}: damaged font file") from exc
    raise CmapError(f"{path.name}: no Unicode cmap subtable of format 4 or 12")
