"""A long Chinese-shop detail page composed from the project's own samples and rendered text.

``make demo`` analyses it and the tests measure analysis on it: every block's kind, its rows
on the page and its texts are known, because they were drawn here. The photos are the
repository's free samples (samples/README.md); the fonts come from packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from vitrina.fonts import get_font

WIDTH = 750
SAMPLES = Path(__file__).resolve().parents[3] / "samples"


@dataclass(frozen=True)
class Block:
    kind: str
    top: int  # the first row that is not the page's white: where a module should start
    bottom: int  # exclusive
    texts: tuple[str, ...]


def _text_block(lines: list[tuple[str, int]], colour: str = "#222222",
                background: str = "#ffffff", pad: int = 36, gap: int = 14,
                align: str = "left") -> Image.Image:
    fonts = [get_font("noto-sans-sc", 400, size).font for _, size in lines]
    heights = [f.getbbox(text)[3] - f.getbbox(text)[1] for (text, _), f in
               zip(lines, fonts, strict=True)]
    height = pad * 2 + sum(heights) + gap * (len(lines) - 1)
    image = Image.new("RGB", (WIDTH, height), background)
    draw = ImageDraw.Draw(image)
    y = pad
    for (text, _), font, h in zip(lines, fonts, heights, strict=True):
        left, top, right, _ = font.getbbox(text)
        x = pad if align == "left" else (WIDTH - (right - left)) // 2
        draw.text((x - left, y - top), text, font=font, fill=colour)
        y += h + gap
    return image


def _table(rows: list[tuple[str, str]], size: int = 26) -> Image.Image:
    font = get_font("noto-sans-sc", 400, size).font
    row_h, pad = size * 2, 36
    image = Image.new("RGB", (WIDTH, pad * 2 + row_h * len(rows)), "#ffffff")
    draw = ImageDraw.Draw(image)
    left, right, split = pad, WIDTH - pad, WIDTH // 3
    for i, (key, value) in enumerate(rows):
        top = pad + i * row_h
        draw.rectangle((left, top, right, top + row_h), outline="#888888", width=2,
                       fill="#f3efe8" if i % 2 == 0 else "#ffffff")
        draw.line((split, top, split, top + row_h), fill="#888888", width=2)
        for text, x in ((key, left + 18), (value, split + 18)):
            box = font.getbbox(text)
            draw.text((x - box[0], top + (row_h - (box[3] - box[1])) // 2 - box[1]), text,
                      font=font, fill="#333333")
    return image


def _photo(name: str, height: int) -> Image.Image:
    photo = Image.open(SAMPLES / name).convert("RGB")
    scale = height / photo.height
    photo = photo.resize((min(WIDTH, round(photo.width * scale)), height))
    canvas = Image.new("RGB", (WIDTH, height), "#ffffff")
    canvas.paste(photo, ((WIDTH - photo.width) // 2, 0))
    return canvas


def _blocks() -> list[tuple[str, Image.Image, tuple[str, ...]]]:
    banner = [("单一产地咖啡", 64), ("限时特惠 第二件半价", 40), ("Single-origin coffee", 34)]
    points = [("精选阿拉比卡咖啡豆", 34), ("中度烘焙 风味均衡", 34), ("新鲜研磨 锁住香气", 34)]
    params = [("品名", "挂耳咖啡"), ("净含量", "10g×12包"), ("产地", "云南普洱"),
              ("保质期", "12个月"), ("储存", "阴凉干燥处")]
    story = [("关于这杯咖啡", 40), ("云南海拔1200米的庄园 手工采摘", 28),
             ("日晒处理 带有坚果与可可的香气", 28), ("Notes of cocoa and cherry", 28)]
    service = [("7天无理由退换  正品保证  顺丰包邮", 30)]
    return [
        ("banner", _text_block(banner, "#ffffff", "#8c1c13", align="center"),
         tuple(t for t, _ in banner)),
        ("photo", _photo("coffee.png", 480), ()),
        ("selling_points", _text_block(points, gap=22), tuple(t for t, _ in points)),
        ("table", _table(params), tuple(t for row in params for t in row)),
        ("photo", _photo("product/crema.jpg", 420), ()),
        ("text", _text_block(story, gap=20), tuple(t for t, _ in story)),
        ("photo", _photo("product/spoon.jpg", 420), ()),
        ("banner", _text_block(service, "#ffffff", "#3b2a20", align="center"),
         tuple(t for t, _ in service)),
    ]


def compose(repeat: int = 1, gap: int = 48) -> tuple[np.ndarray, list[Block]]:
    """The page (RGB, 750 px wide) and where each block is; ``repeat`` stacks the blocks
    that many times (a 750x30,000 page for the memory figures)."""
    parts = _blocks() * repeat
    height = sum(image.height for _, image, _ in parts) + gap * (len(parts) + 1)
    page = Image.new("RGB", (WIDTH, height), "#ffffff")
    blocks, y = [], gap
    for kind, image, texts in parts:
        page.paste(image, (0, y))
        inked = np.flatnonzero((np.asarray(image) != 255).any(axis=(1, 2)))
        blocks.append(Block(kind, y + int(inked[0]), y + int(inked[-1]) + 1, texts))
        y += image.height + gap
    return np.asarray(page), blocks
