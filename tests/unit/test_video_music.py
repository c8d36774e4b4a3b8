"""vitrina.video.music: the built-in music is exact in length, on its grid, loud enough,
deterministic and different from style to style; WAVs go out and come back."""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from vitrina.errors import InputError
from vitrina.video import music
from vitrina.video.beats import onset_envelope
from vitrina.video.music import SAMPLE_RATE, STYLES, Track

DURATION = 8.0


@pytest.fixture(scope="module")
def tracks() -> dict[str, Track]:
    return {style: music.synthesise(style, DURATION) for style in STYLES}


def _features(track: Track) -> tuple[float, float, float]:
    """Spectral centroid (Hz), share of energy below 120 Hz, onsets per second."""
    mono = track.samples.mean(axis=1)
    power = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / track.sample_rate)
    envelope, _ = onset_envelope(track.samples, track.sample_rate)
    inner = envelope[1:-1]
    peaks = (inner > envelope[:-2]) & (inner >= envelope[2:]) & (inner > 0.3 * envelope.max())
    centroid = float((power * freqs).sum() / power.sum())
    low = float(power[freqs < 120].sum() / power.sum())
    return centroid, low, peaks.sum() / track.duration


@pytest.mark.parametrize("style", STYLES)
def test_each_style_is_the_requested_length_in_stereo_float32(
        tracks: dict[str, Track], style: str) -> None:
    track = tracks[style]
    assert track.samples.shape == (round(DURATION * SAMPLE_RATE), 2)
    assert track.samples.dtype == np.float32
    assert track.sample_rate == SAMPLE_RATE and track.style == style
    assert track.duration == pytest.approx(DURATION, abs=1 / SAMPLE_RATE)


@pytest.mark.parametrize("style", STYLES)
def test_each_style_is_loud_but_never_past_the_peak_ceiling(
        tracks: dict[str, Track], style: str) -> None:
    samples = tracks[style].samples
    assert np.isfinite(samples).all()
    assert np.abs(samples).max() <= 0.9
    assert music.loudness(samples) == pytest.approx(music.TARGET_LUFS, abs=1.0)
    side = samples[:, 0] - samples[:, 1]
    assert 0 < np.sqrt(np.mean(side ** 2)) < np.sqrt(np.mean(samples.sum(axis=1) ** 2))


@pytest.mark.parametrize("style", STYLES)
def test_fades_in_without_a_click_and_out_to_silence(tracks: dict[str, Track], style: str) -> None:
    samples = tracks[style].samples
    assert np.abs(samples[0]).max() == 0.0
    assert np.abs(samples[-1]).max() < 1e-3
    last = samples[-round(0.1 * SAMPLE_RATE):]
    assert np.sqrt(np.mean(last ** 2)) < 0.1 * np.sqrt(np.mean(samples ** 2))


@pytest.mark.parametrize("style", STYLES)
def test_same_seed_same_music_other_seed_other_music(
        tracks: dict[str, Track], style: str) -> None:
    again = music.synthesise(style, DURATION)
    assert np.array_equal(again.samples, tracks[style].samples)
    assert again.beats == tracks[style].beats
    other = music.synthesise(style, DURATION, seed=1)
    assert not np.array_equal(other.samples, tracks[style].samples)


def test_the_styles_sound_different(tracks: dict[str, Track]) -> None:
    features = {style: _features(track) for style, track in tracks.items()}
    for i, first in enumerate(STYLES):
        for second in STYLES[i + 1:]:
            (c1, l1, o1), (c2, l2, o2) = features[first], features[second]
            assert (max(c1, c2) / min(c1, c2) > 1.15 or abs(l1 - l2) > 0.1
                    or max(o1, o2) / min(o1, o2) > 1.2), (first, second, features)
    # Calm has no kick drum and the fewest onsets; electronic's sixteenths the most.
    assert features["calm"][1] == min(f[1] for f in features.values())
    assert features["calm"][2] == min(f[2] for f in features.values())
    assert features["electronic"][2] == max(f[2] for f in features.values())


@pytest.mark.parametrize("style", STYLES)
def test_beats_are_a_regular_grid_from_zero_with_bars_of_four(style: str) -> None:
    bpm = music.tempo_for(style, "fast")
    track = music.synthesise(style, 10.0, bpm)
    period = 60 / bpm
    assert track.bpm == bpm
    assert track.beats[0] == 0.0
    assert np.allclose(np.diff(track.beats), period)
    assert len(track.beats) == math.ceil(10.0 / period)
    assert track.beats[-1] < track.duration
    assert track.downbeats == track.beats[::4]


@pytest.mark.parametrize("style", STYLES)
def test_every_beat_is_heard(tracks: dict[str, Track], style: str) -> None:
    """An onset sits on each beat (drums, or calm's piano notes), so a detector finds the grid;
    only the beats in the last half second are too far into the fade-out to count."""
    track = tracks[style]
    envelope, fps = onset_envelope(track.samples, track.sample_rate)
    typical = np.median(envelope)
    for beat in track.beats:
        if beat < track.duration - 0.5:
            frame = round(beat * fps)
            assert envelope[max(frame - 1, 0):frame + 2].max() > 5 * typical, beat


def test_tempo_for_maps_rhythms_into_each_styles_range() -> None:
    for style in STYLES:
        low, high = music.TEMPI[style]
        tempi = [music.tempo_for(style, rhythm) for rhythm in music.RHYTHMS]
        assert low == tempi[0] < tempi[1] < tempi[2] == high
    assert music.synthesise("calm", 3.0).bpm == music.tempo_for("calm", "medium")


@pytest.mark.parametrize("call", [
    lambda: music.tempo_for("jazz", "slow"),
    lambda: music.tempo_for("calm", "presto"),
    lambda: music.synthesise("jazz", 10.0),
    lambda: music.synthesise("calm", 2.9),
    lambda: music.synthesise("calm", 121.0),
    lambda: music.synthesise("calm", 10.0, bpm=20),
])
def test_bad_requests_are_input_errors(call: Callable[[], object]) -> None:
    with pytest.raises(InputError):
        call()


def test_shortest_and_fastest_music_still_works() -> None:
    track = music.synthesise("festive", 3.0, bpm=music.MAX_BPM, seed=7)
    assert track.samples.shape == (3 * SAMPLE_RATE, 2)
    assert np.abs(track.samples).max() <= 0.9
    assert len(track.beats) == 10


def test_loudness_of_a_reference_sine() -> None:
    """BS.1770: a 0 dBFS 1 kHz sine in one channel reads -3.01 LUFS."""
    t = np.arange(10 * SAMPLE_RATE) / SAMPLE_RATE
    sine = np.zeros((len(t), 2), np.float32)
    sine[:, 0] = 0.1 * np.sin(2 * np.pi * 1000 * t)
    assert music.loudness(sine) == pytest.approx(-23.01, abs=0.1)


def test_wav_round_trip(tracks: dict[str, Track], tmp_path: Path) -> None:
    track = tracks["upbeat"]
    path = tmp_path / "music.wav"
    music.write_wav(track, path)
    samples, rate = music.read_wav(path)
    assert rate == SAMPLE_RATE
    assert samples.shape == track.samples.shape and samples.dtype == np.float32
    assert np.abs(samples - track.samples).max() <= 0.5 / 32768


def _wav(bits: int, values: np.ndarray, tag: int = 1, extensible: bool = False) -> bytes:
    channels = values.shape[1]
    align = channels * bits // 8
    if bits == 24:
        data = b"".join(int(v).to_bytes(3, "little", signed=True) for v in values.reshape(-1))
    else:
        data = values.astype(f"<i{bits // 8}").tobytes()
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, 48000, 48000 * align,
                      align, bits)
    if extensible:  # cbSize, valid bits, channel mask, then the sub-format GUID
        fmt += struct.pack("<HHI", 22, bits, 3) + struct.pack("<H", tag) + bytes(14)
    chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"LIST" + struct.pack("<I", 3)
              + b"abc\x00" + b"data" + struct.pack("<I", len(data)) + data)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


@pytest.mark.parametrize(("bits", "extensible"), [(16, False), (24, True), (24, False),
                                                  (32, False)])
def test_read_wav_takes_16_24_and_32_bit_pcm(tmp_path: Path, bits: int, extensible: bool) -> None:
    full = 2 ** (bits - 1)
    values = np.array([[0, full - 1], [-full, full // 2], [-full // 4, 1]], np.int64)
    path = tmp_path / "in.wav"
    path.write_bytes(_wav(bits, values, extensible=extensible))
    samples, rate = music.read_wav(path)
    assert rate == 48000 and samples.shape == (3, 2) and samples.dtype == np.float32
    assert np.allclose(samples, values / full, atol=1e-6)


@pytest.mark.parametrize("content", [
    b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(100),  # an MP3
    b"",
    b"RIFF\x10\x00\x00\x00WAVEjunk\x04\x00\x00\x00abcd",  # no fmt, no data
    _wav(32, np.zeros((4, 2)), tag=3),  # IEEE float
    _wav(32, np.zeros((4, 2)), tag=3, extensible=True),
    _wav(8, np.zeros((4, 2))),
])
def test_read_wav_refuses_anything_else(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "music.wav"
    path.write_bytes(content)
    with pytest.raises(InputError):
        music.read_wav(path)
