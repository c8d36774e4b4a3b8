"""Synthetic detail-page material for the layout and table tests (and bench/): paragraphs,
titles, ruled tables and photo-like pictures drawn with the project's own fonts, with the
boxes where each was drawn, so tests know the right answer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from vitrina import fonts

INK = (30, 30, 30)
PAPER = (255, 255, 255)
COPY = ("这款保温杯采用双层真空设计，长效保温十二小时，杯身轻巧便于携带。食品级不锈钢内胆，"
        "安全无异味，适合办公、旅行和户外运动使用。杯盖密封圈可拆洗，倒置不漏水，一键开合，"
        "单手即可饮用。")
TITLES = ("产品参数", "商品详情", "尺码对照表", "使用说明", "品牌故事", "售后保障")
SPECS = (("品牌", "型号", "容量", "材质"), ("晨光", "MG-500", "500毫升", "不锈钢"),
         ("颜色", "重量", "产地", "保修"), ("黑色", "320克", "浙江", "两年"))

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Drawn:
    kind: str  # "text", "title", "table", "figure"
    box: Box


def _font(size: int) -> object:
    return fonts.get_font("noto-sans-sc", 400, size).font


def paragraph(draw: ImageDraw.ImageDraw, x: int, y: int, width: int, lines: int,
              size: int = 22, start: int = 0) -> Box:
    """``lines`` lines of Chinese copy wrapped at ``width``; returns the ink box."""
    font, i = _font(size), 0
    text = COPY[start % len(COPY):] + COPY * (lines * width // (size * len(COPY)) + 2)
    right, top = x, y
    for n in range(lines):
        line = ""
        while i < len(text) and font.getlength(line + text[i]) < width:
            line += text[i]
            i += 1
        draw.text((x, y + n * round(size * 1.6)), line, font=font, fill=INK)
        right = max(right, x + round(font.getlength(line)))
    return x, top, right, y + (lines - 1) * round(size * 1.6) + size + 4


def title(draw: ImageDraw.ImageDraw, x: int, y: int, text: str, size: int = 40) -> Box:
    font = _font(size)
    draw.text((x, y), text, font=font, fill=(0, 0, 0))
    left, top, right, bottom = draw.textbbox((x, y), text, font=font)
    return left, top, right, bottom


def ruled_table(draw: ImageDraw.ImageDraw, x: int, y: int, texts: tuple[tuple[str, ...], ...],
                cell: tuple[int, int] = (150, 52), size: int = 22, line: int = 2) -> Box:
    """A grid with one text per cell; returns the outer box."""
    rows, cols = len(texts), len(texts[0])
    cw, ch = cell
    for r in range(rows + 1):
        draw.line([(x, y + r * ch), (x + cols * cw, y + r * ch)], fill=(70, 70, 70), width=line)
    for c in range(cols + 1):
        draw.line([(x + c * cw, y), (x + c * cw, y + rows * ch)], fill=(70, 70, 70), width=line)
    font = _font(size)
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            draw.text((x + c * cw + 16, y + r * ch + (ch - size) // 2 - 3), text, font=font,
                      fill=INK)
    return x, y, x + cols * cw + line, y + rows * ch + line


def photo(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A product-shot-like picture: a graded backdrop, soft shapes, sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:height, :width].astype(np.float32)
    base = rng.uniform(120, 230, 3)
    img = base + 40 * np.sin(xx[..., None] / rng.uniform(60, 200) + rng.uniform(0, 6, 3))
    img = img - 30 * (yy[..., None] / height)
    for _ in range(6):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        rx, ry = rng.uniform(30, width / 3), rng.uniform(30, height / 3)
        inside = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 < 1
        img[inside] = img[inside] * 0.4 + rng.uniform(0, 255, 3) * 0.6
    img += rng.normal(0, 6, img.shape)
    return img.clip(0, 255).astype(np.uint8)


def text_page(width: int = 750, height: int = 987) -> tuple[np.ndarray, list[Drawn]]:
    """A title over three paragraphs."""
    img = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    drawn = [Drawn("title", title(draw, 40, 40, TITLES[1]))]
    y = 140
    for n in range(3):
        box = paragraph(draw, 40, y, width - 80, 5, start=n * 17)
        drawn.append(Drawn("text", box))
        y = box[3] + 80
    return np.asarray(img), drawn


def table_page(width: int = 750, height: int = 987) -> tuple[np.ndarray, list[Drawn]]:
    """A title, a parameter table, a paragraph."""
    img = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    drawn = [Drawn("title", title(draw, 40, 40, TITLES[0]))]
    drawn.append(Drawn("table", ruled_table(draw, 75, 150, SPECS)))
    drawn.append(Drawn("text", paragraph(draw, 40, 480, width - 80, 4)))
    return np.asarray(img), drawn


def long_page(height: int, width: int = 750, seed: int = 0,
              straddle: tuple[int, int] | None = None) -> tuple[np.ndarray, list[Drawn]]:
    """A detail page: photos, titles, paragraphs and tables stacked to ``height``.

    ``straddle=(y0, y1)`` puts one long paragraph there (a block across a tile seam: its
    lines are closer than any gap a tile may end in)."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    drawn: list[Drawn] = []
    y, n = 30, 0
    while True:
        block = ("photo", "title", "text", "table", "text")[n % 5]
        n += 1
        lines = int(rng.integers(3, 8))
        tall = {"photo": int(rng.integers(380, 700)), "title": 50, "text": lines * 35,
                "table": 4 * 52}[block]
        if straddle and y + tall > straddle[0] - 40:
            lines = max(1, (straddle[1] - straddle[0]) // 35)
            drawn.append(Drawn("text", paragraph(draw, 40, straddle[0], width - 80, lines)))
            y, straddle = drawn[-1].box[3] + 70, None
            continue
        if y + tall > height - 30:
            break
        if block == "photo":
            img.paste(Image.fromarray(photo(tall, width - 60, seed + n)), (30, y))
            drawn.append(Drawn("figure", (30, y, width - 30, y + tall)))
        elif block == "title":
            drawn.append(Drawn("title", title(draw, 40, y, TITLES[n % len(TITLES)])))
        elif block == "text":
            drawn.append(Drawn("text", paragraph(draw, 40, y, width - 80, lines, start=n * 7)))
        else:
            drawn.append(Drawn("table", ruled_table(draw, 75, y, SPECS)))
        y = drawn[-1].box[3] + int(rng.integers(60, 110))
    return np.asarray(img), drawn
