"""The music of a video: which synthesised style suits a product and the tempo that fits the
video, or a user's own track read from any common audio format.

The choice reads the page's own words (category cues in Chinese and English) and the hero
image's colours; the tempo is nudged inside the style's range so that the video's length is
a whole number of bars, which lets the last cut land on a downbeat.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from vitrina.color import Palette, chroma
from vitrina.errors import AudioTooShort, InputError
from vitrina.product_page import ProductPage
from vitrina.video import beats, music
from vitrina.video.encode import ffmpeg_exe, ffmpeg_reason

USER_RATE = 44100
MAX_USER_S = 900.0  # read at most this much of a user's track: a video is at most 60 s

CUES: dict[str, tuple[str, ...]] = {
    "luxury": ("luxury", "jewel", "watch", "perfume", "silk", "gold", "leather", "diamond",
               "奢", "珠宝", "手表", "香水", "真丝", "黄金", "皮具", "钻"),
    "electronic": ("phone", "headphone", "earbud", "laptop", "gaming", "smart", "bluetooth",
                   "usb", "charger", "手机", "耳机", "电脑", "游戏", "智能", "蓝牙", "充电"),
    "festive": ("festival", "new year", "gift", "christmas", "lantern", "red envelope",
                "春节", "新年", "礼盒", "礼物", "中秋", "红包", "年货"),
    "calm": ("tea", "coffee", "candle", "sleep", "bedding", "skincare", "yoga", "ceramic",
             "茶", "咖啡", "香薰", "睡眠", "床品", "护肤", "瑜伽", "陶瓷"),
}
RHYTHM_DEFAULT = {"slow": "calm", "medium": "upbeat", "fast": "electronic"}


def choose_style(page: ProductPage, palette: Palette, rhythm: str) -> str:
    """From the page's words, and the hero image's ``palette``."""
    words = " ".join([page.title, *(f.text for f in page.facts)]).lower()
    scores = {style: sum(words.count(cue) for cue in cues) for style, cues in CUES.items()}
    red, green, _ = palette.vivid
    if red > 150 and green < 90 and chroma(palette.vivid) > 50:
        scores["festive"] += 1  # a strongly red product reads festive
    best = max(scores, key=lambda s: scores[s])
    return best if scores[best] > 0 else RHYTHM_DEFAULT[rhythm]


def fit_tempo(style: str, rhythm: str, duration: float) -> float:
    """The style's tempo for the rhythm, moved by at most a few percent so that the video
    holds a whole number of bars."""
    bpm = music.tempo_for(style, rhythm)
    bars = max(1, round(duration * bpm / 60 / 4))
    fitted = bars * 4 * 60 / duration
    return fitted if abs(fitted - bpm) / bpm <= 0.08 else bpm


def user_track(path: Path) -> music.Track:
    """A user's track (WAV natively; MP3, AAC/M4A, FLAC, Ogg and the rest through ffmpeg)
    with the beats found in it. Empty, silent or undecodable files are named errors."""
    if path.stat().st_size == 0:
        raise AudioTooShort("the music file is empty (0 bytes)")
    with path.open("rb") as file:
        is_wav = file.read(4) == b"RIFF"
    samples, rate = music.read_wav(path) if is_wav else (_decode(path), USER_RATE)
    grid = beats.detect_beats(samples, rate)  # (n, channels) either way
    stereo = samples if samples.shape[1] == 2 else np.repeat(samples[:, :1], 2, axis=1)
    return music.Track(stereo.astype(np.float32), rate, grid.bpm, grid.beats, (), "user")


def _decode(path: Path) -> np.ndarray:
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-t", f"{MAX_USER_S:g}",
               "-i", str(path), "-vn", "-ac", "2", "-ar", str(USER_RATE), "-f", "f32le", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        reason = ffmpeg_reason(result.stderr).splitlines()
        raise InputError("the music could not be read as audio"
                         + (f": {reason[-1]}" if reason else ""))
    return np.frombuffer(result.stdout, np.float32).reshape(-1, 2)
