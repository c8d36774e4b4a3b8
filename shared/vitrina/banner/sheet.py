"""A contact sheet of every variant, one row per size, for a person to glance over."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from vitrina.fonts import get_font

THUMB_H = 220
PAD = 16
LABEL_H = 40


def contact_sheet(rows: list[tuple[str, list[tuple[str, Path]]]]) -> Image.Image:
    """``rows``: (size label, [(caption, image path)]) -> one RGB image."""
    thumbs: list[tuple[str, list[tuple[str, Image.Image]]]] = []
    for label, entries in rows:
        row = []
        for caption, path in entries:
            with Image.open(path) as img:
                img = img.convert("RGB")
                scale = THUMB_H / img.height
                width = max(1, min(round(img.width * scale), THUMB_H * 4))
                row.append((caption, img.resize((width, round(img.height * width / img.width)))))
        thumbs.append((label, row))
    width = max([PAD + sum(_column(c, t) + PAD for c, t in row) for _, row in thumbs] + [400])
    height = PAD + sum(LABEL_H + max([t.height for _, t in row] + [0]) + LABEL_H + PAD
                       for _, row in thumbs)
    sheet = Image.new("RGB", (width, height), (242, 242, 242))
    draw = ImageDraw.Draw(sheet)
    heading = get_font("inter", 700, 20).font
    caption_font = get_font("inter", 400, 14).font
    y = PAD
    for label, row in thumbs:
        draw.text((PAD, y + 8), label, fill=(20, 20, 20), font=heading)
        y += LABEL_H
        x = PAD
        row_h = max([t.height for _, t in row] + [0])
        for caption, thumb in row:
            sheet.paste(thumb, (x, y))
            draw.text((x, y + thumb.height + 8), caption, fill=(60, 60, 60), font=caption_font)
            x += _column(caption, thumb) + PAD
        y += row_h + LABEL_H + PAD
    return sheet


def _column(caption: str, thumb: Image.Image) -> int:
    """A thumbnail's column: wide enough for its caption too."""
    return max(thumb.width, round(get_font("inter", 400, 14).font.getlength(caption)))
