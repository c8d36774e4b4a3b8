"""vitrina.video.beats: the tempo and beats of the built-in styles, click tracks and a
drifting track are recovered; silence and scraps of audio are refused by name."""

from __future__ import annotations

import numpy as np
import pytest

from vitrina.errors import AudioTooShort, InputError, SilentAudio
from vitrina.video import music
from vitrina.video.beats import BeatGrid, detect_beats, onset_envelope

SR = music.SAMPLE_RATE
TOLERANCE = 0.040  # one video frame at 25 fps


def _recall(truth: np.ndarray | tuple[float, ...], found: tuple[float, ...],
            tolerance: float = TOLERANCE) -> float:
    """Share of the true beats with a detected beat within ``tolerance`` seconds."""
    truth, hits = np.asarray(truth), np.asarray(found)
    if len(hits) == 0:
        return 0.0
    return float((np.abs(truth[:, None] - hits[None, :]).min(axis=1) <= tolerance).mean())


def _clicks(times: np.ndarray, seconds: float) -> np.ndarray:
    """A metronome: a 2 ms, 1 kHz blip at each time."""
    out = np.zeros(round(seconds * SR), np.float32)
    blip = np.sin(2 * np.pi * 1000 * np.arange(441) / SR) * np.exp(-np.arange(441) / 90)
    for t in times:
        start = round(t * SR)
        part = out[start:start + len(blip)]
        part += 0.5 * blip[:len(part)]
    return out


@pytest.mark.parametrize("rhythm", ["slow", "fast"])
@pytest.mark.parametrize("style", music.STYLES)
def test_recovers_the_tempo_and_beats_of_each_style(style: str, rhythm: str) -> None:
    track = music.synthesise(style, 20.0, music.tempo_for(style, rhythm), seed=3)
    grid = detect_beats(track.samples, track.sample_rate)
    assert grid.bpm == pytest.approx(track.bpm, rel=0.02)
    assert _recall(track.beats, grid.beats) >= 0.9
    assert 0.5 < grid.confidence <= 1.0


@pytest.mark.parametrize("bpm", [60, 75, 96, 120, 150, 170])
def test_click_track(bpm: float) -> None:
    times = np.arange(0.25, 12, 60 / bpm)
    grid = detect_beats(_clicks(times, 12.0), SR)
    assert grid.bpm == pytest.approx(bpm, rel=0.005)
    assert _recall(times, grid.beats, 0.020) == 1.0  # a blip reads ~11 ms early
    assert len(grid.beats) == len(times)
    assert grid.confidence > 0.8


def test_follows_a_tempo_that_drifts_by_five_percent() -> None:
    """The upbeat track time-warped so that its tempo rises steadily by 5% over 28 s."""
    track = music.synthesise("upbeat", 30.0, 120.0)
    seconds, rise = 28.0, 0.05
    a = rise / (2 * seconds)  # output time u plays source time u + a * u**2
    u = np.arange(round(seconds * SR)) / SR
    source = (u + a * u ** 2) * SR
    warped = np.stack([np.interp(source, np.arange(len(track.samples)), track.samples[:, c])
                       for c in (0, 1)], axis=1).astype(np.float32)
    beats = (-1 + np.sqrt(1 + 4 * a * np.array(track.beats))) / (2 * a)
    beats = beats[beats < seconds]
    grid = detect_beats(warped, SR)
    assert _recall(beats, grid.beats, 0.060) >= 0.8
    assert 120 < grid.bpm < 126


def test_mono_and_other_sample_rates() -> None:
    track = music.synthesise("luxury", 12.0, 92.0)
    mono = track.samples[::2].mean(axis=1)  # 22.05 kHz, one channel
    grid = detect_beats(mono, SR // 2)
    assert grid.bpm == pytest.approx(92.0, rel=0.02)
    assert _recall(track.beats, grid.beats) >= 0.9


def test_no_beats_in_silence_around_the_music() -> None:
    track = music.synthesise("electronic", 10.0, 126.0)
    silence = np.zeros((3 * SR, 2), np.float32)
    grid = detect_beats(np.concatenate([silence, track.samples, silence]), SR)
    assert grid.beats[0] >= 3.0 - TOLERANCE and grid.beats[-1] <= 13.0
    assert _recall(np.array(track.beats) + 3.0, grid.beats) >= 0.9


def test_noise_has_low_confidence() -> None:
    noise = np.random.default_rng(0).standard_normal(10 * SR).astype(np.float32) * 0.1
    grid = detect_beats(noise, SR)
    assert isinstance(grid, BeatGrid)
    assert grid.confidence < 0.3
    assert 60 <= grid.bpm <= 180


def test_onset_envelope_peaks_on_an_onset() -> None:
    envelope, fps = onset_envelope(_clicks(np.array([1.0]), 3.0), SR)
    assert fps == SR / 512
    assert len(envelope) == 3 * SR // 512 + 1
    assert abs(int(np.argmax(envelope)) - round(1.0 * fps)) <= 1
    assert (envelope >= 0).all()


def test_silence_is_refused() -> None:
    with pytest.raises(SilentAudio, match="silent") as caught:
        detect_beats(np.zeros((5 * SR, 2), np.float32), SR)
    assert caught.value.code == "silent_audio" and caught.value.status == 422
    assert isinstance(caught.value, InputError)


@pytest.mark.parametrize("seconds", [0.0, 0.5, 1.99])
def test_too_short_is_refused(seconds: float) -> None:
    samples = 0.5 * np.sin(np.arange(round(seconds * SR)) * 0.1).astype(np.float32)
    with pytest.raises(AudioTooShort, match="too short") as caught:
        detect_beats(samples, SR)
    assert caught.value.code == "audio_too_short" and caught.value.status == 422


def test_invalid_samples_are_refused() -> None:
    samples = np.zeros(3 * SR, np.float32)
    samples[100] = np.nan
    with pytest.raises(InputError):
        detect_beats(samples, SR)
