"""Segments encoded apart, joined without re-encoding, probed back: real ffmpeg."""

from __future__ import annotations

import itertools
import wave
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from vitrina.video import encode, probe

SPEC = encode.VideoSpec(320, 180, fps=25)


def moving_frames(start: int, count: int) -> list[np.ndarray]:
    """A gradient that slides one pixel a frame: never black, never frozen."""
    xs = np.arange(SPEC.width)[None, :]
    ys = np.arange(SPEC.height)[:, None]
    shape = (SPEC.height, SPEC.width)
    return [np.dstack([(xs + ys + 4 * (start + i)) % 256, np.full(shape, 90),
                       np.broadcast_to((ys * 2 + 3 * (start + i)) % 256, shape)]).astype(np.uint8)
            for i in range(count)]


def encode_segment(args: tuple[Path, int, int]) -> int:
    path, start, count = args
    with encode.SegmentWriter(path, SPEC) as writer:
        for frame in moving_frames(start, count):
            writer.write(frame)
    return writer.count


def tone(path: Path, seconds: float, rate: int = 44_100) -> None:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (np.sin(2 * np.pi * 440 * t) * 0.3 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(pcm[:, None], 2, axis=1).tobytes())


def test_parallel_segments_join_into_one_exact_video_with_audio(tmp_path: Path) -> None:
    parts = [(tmp_path / f"seg{i}.mp4", i * 30, 30) for i in range(3)]
    with ProcessPoolExecutor(2) as pool:
        assert list(pool.map(encode_segment, parts)) == [30, 30, 30]
    tone(tmp_path / "music.wav", 5.0)  # longer than the video: trimmed to it
    out = tmp_path / "video.mp4"
    encode.join([p for p, _, _ in parts], out, audio=tmp_path / "music.wav", duration=3.6)
    info = probe.probe(out)
    assert (info.width, info.height, info.fps, info.frames) == (320, 180, 25.0, 90)
    assert (info.video_codec, info.pixel_format) == ("h264", "yuv420p")
    assert info.audio_codec == "aac" and info.sample_rate == 44_100
    assert abs(info.duration - 3.6) < 1 / 25
    assert info.audio_duration is not None and abs(info.audio_duration - 3.6) < 0.05
    assert probe.faststart(out)
    decoded = list(probe.frames(out))
    assert len(decoded) == 90
    assert min(float(f.mean()) for f in decoded) > 20  # no black frame
    assert min(float(np.abs(a.astype(int) - b).mean())
               for a, b in itertools.pairwise(decoded)) > 0.5  # none frozen


def test_join_copies_the_video_stream_bit_for_bit(tmp_path: Path) -> None:
    encode_segment((tmp_path / "a.mp4", 0, 10))
    encode.join([tmp_path / "a.mp4"], tmp_path / "copy.mp4")
    original = list(probe.frames(tmp_path / "a.mp4"))
    joined = list(probe.frames(tmp_path / "copy.mp4"))
    assert len(original) == len(joined) == 10
    assert all(np.array_equal(a, b) for a, b in zip(original, joined, strict=True))


def test_bad_frames_and_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="expected"), \
            encode.SegmentWriter(tmp_path / "x.mp4", SPEC) as writer:
        writer.write(np.zeros((10, 10, 3), np.uint8))
    (tmp_path / "junk.mp4").write_bytes(b"not a video")
    with pytest.raises(probe.UnreadableVideo):
        probe.probe(tmp_path / "junk.mp4")
    with pytest.raises(ValueError, match="even"):
        encode.VideoSpec(321, 180)
