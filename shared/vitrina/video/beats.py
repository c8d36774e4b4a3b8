"""Beats of a user's own track, so that its shots can be cut on them as on the built-in music.

Onsets come from spectral flux on mel bands; the tempo from the autocorrelation of that
flux, weighted towards 120 BPM so that a half or double tempo loses to the one people tap
(unless the faster pulse is as regular as the slower: then nothing marks the slower one, as
with a metronome); the beats from Ellis's dynamic programme (2007), which follows a tempo
that drifts. Half-time grooves (a snare on 3 only) come out at half tempo, as many hear them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vitrina.errors import AudioTooShort, InputError, SilentAudio

MIN_SECONDS = 2.0
SILENCE = 1e-4  # peak amplitude (-80 dBFS) below which there is nothing to hear
PRIOR_BPM, PRIOR_OCTAVES = 120.0, 1.0  # log-normal tempo prior: centre and width
EVEN = 0.9  # a pulse twice as fast that is this periodic wins: nothing accents the slower one
TIGHTNESS = 100.0  # how hard the beat tracker holds the tempo against the onsets
BANDS = 40
COMPRESSION = 1e5  # log(1 + C * power / loudest): 50 dB of range, hiss and reverb tails stay out
_CHUNK = 2048  # frames per FFT batch: bounds memory on long tracks


@dataclass(frozen=True)
class BeatGrid:
    bpm: float  # the mean tempo of the beats (a drifting track's average)
    beats: tuple[float, ...]  # seconds
    confidence: float  # 0..1, how periodic the onsets are


def onset_envelope(samples: np.ndarray, sample_rate: int, hop: int = 512
                   ) -> tuple[np.ndarray, float]:
    """Spectral flux: the rise of log-compressed mel band energy from one frame to the next,
    half-wave rectified and averaged over bands; and the frames per second. Frame ``k`` is
    centred on sample ``k * hop``; the window is ~46 ms whatever the sample rate."""
    mono = _mono(samples)
    size = 1 << round(math.log2(0.046 * sample_rate))
    padded = np.pad(mono, (size // 2, size // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, size)[::hop]
    window = np.hanning(size).astype(np.float32)
    bank = _mel_bank(size, sample_rate)
    bands = np.empty((len(frames), BANDS), np.float32)
    for start in range(0, len(frames), _CHUNK):
        spectrum = np.fft.rfft(frames[start:start + _CHUNK] * window, axis=1)
        bands[start:start + _CHUNK] = (spectrum.real ** 2 + spectrum.imag ** 2) @ bank
    level = np.log1p(COMPRESSION / max(float(bands.max()), 1e-20) * bands)
    rise = np.diff(level, axis=0, prepend=0.0)
    return np.maximum(rise, 0.0).mean(axis=1), sample_rate / hop


def detect_beats(samples: np.ndarray, sample_rate: int, min_bpm: float = 60,
                 max_bpm: float = 180) -> BeatGrid:
    """The beat grid of ``samples`` (mono or (n, channels), floats in [-1, 1])."""
    if not 0 < min_bpm < max_bpm:
        raise ValueError(f"need 0 < min_bpm < max_bpm, got {min_bpm:g} and {max_bpm:g}")
    samples = np.asarray(samples)
    seconds = len(samples) / sample_rate if sample_rate > 0 else 0.0
    if seconds < MIN_SECONDS:
        raise AudioTooShort(
            f"the music is too short: {seconds:.2f} s, beats need at least {MIN_SECONDS:g} s")
    if not np.isfinite(samples).all():
        raise InputError("the music has invalid samples (not finite numbers)")
    if np.abs(samples).max() < SILENCE:
        raise SilentAudio("the music is silent")
    envelope, fps = onset_envelope(samples, sample_rate)
    period, confidence = _tempo(envelope, fps, min_bpm, max_bpm)
    frames = _track(envelope, period)
    times = _refine(envelope, frames) / fps
    return BeatGrid(_bpm(times, period / fps), tuple(float(t) for t in times), confidence)


def _mono(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples, np.float32)
    if x.ndim == 1:
        return x
    return x @ np.full(x.shape[1], 1 / x.shape[1], np.float32)  # a mean, without a slow reduce


def _mel_bank(size: int, sample_rate: int) -> np.ndarray:
    """Triangular filters evenly spaced in mel from 30 Hz to 16 kHz: each band weighs as
    much as another, so the many bins of the treble do not drown the kick."""
    def mel(hz: np.ndarray) -> np.ndarray:
        return 2595 * np.log10(1 + hz / 700)

    freqs = np.fft.rfftfreq(size, 1 / sample_rate)
    top = min(16000.0, sample_rate / 2)
    edges = 700 * (10 ** (np.linspace(mel(np.array(30.0)), mel(np.array(top)), BANDS + 2)
                          / 2595) - 1)
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs - low) / (centre - low)
    falling = (high - freqs) / (high - centre)
    bank = np.maximum(0, np.minimum(rising, falling))
    bank /= np.maximum(bank.sum(axis=1, keepdims=True), 1e-12)
    return bank.T.astype(np.float32)


def _tempo(envelope: np.ndarray, fps: float, min_bpm: float, max_bpm: float
           ) -> tuple[float, float]:
    """Beat period in frames (sub-frame) and how periodic the onsets are (0..1)."""
    flux = np.convolve(envelope, [0.25, 0.5, 0.25], "same")  # a period between two lags
    flux -= flux.mean()  # still correlates with itself at both
    n = len(flux)
    spectrum = np.fft.rfft(flux, 2 * n)
    corr = np.fft.irfft(spectrum.real ** 2 + spectrum.imag ** 2, 2 * n)[:n]
    corr = corr / max(corr[0], 1e-12) * n / (n - np.arange(n))  # unbiased: fewer terms at long lags
    low = max(1, math.floor(fps * 60 / max_bpm))
    high = min(n - 2, math.ceil(fps * 60 / min_bpm))
    lags = np.arange(low, high + 1)
    prior = np.exp(-0.5 * (np.log2(fps * 60 / lags / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    best = int(lags[np.argmax(np.maximum(corr[lags], 0) * prior)])
    half = best // 2 + np.argmax(corr[best // 2:best // 2 + 2])
    if half >= low and corr[half] >= EVEN * corr[best]:
        best = int(half)
    left, mid, right = corr[best - 1], corr[best], corr[best + 1]
    curve = left - 2 * mid + right
    shift = float(np.clip(0.5 * (left - right) / curve, -0.5, 0.5)) if curve < 0 else 0.0
    period = np.clip(best + shift, fps * 60 / max_bpm, fps * 60 / min_bpm)
    return float(period), float(np.clip(mid, 0.0, 1.0))


def _track(envelope: np.ndarray, period: float) -> np.ndarray:
    """Ellis's dynamic programme: the chain of beats that best balances landing on onsets
    against keeping the period. A beat's predecessor is at least half a period back, so
    half a period of frames is scored at once instead of frame by frame."""
    onsets = envelope / max(float(envelope.std()), 1e-12)
    reach = np.arange(-round(period), round(period) + 1)
    local = np.convolve(onsets, np.exp(-0.5 * (reach * 32 / period) ** 2), "same")
    lags = np.arange(max(1, round(period / 2)), round(2 * period) + 1)
    cost = -TIGHTNESS * np.log(lags / period) ** 2
    n = len(local)
    total = np.zeros(n)
    back = np.full(n, -1)
    threshold = 0.01 * local.max()
    started = False
    for start in range(0, n, int(lags[0])):
        frames = np.arange(start, min(start + int(lags[0]), n))
        previous = frames[:, None] - lags[None, :]
        score = np.where(previous >= 0, total[np.maximum(previous, 0)], 0.0) + cost
        pick = score.argmax(axis=1)
        total[frames] = local[frames] + score[np.arange(len(frames)), pick]
        links = np.where(previous[np.arange(len(frames)), pick] >= 0,
                         previous[np.arange(len(frames)), pick], -1)
        if not started:  # no chain starts before the first real onset
            before = np.cumsum(local[frames] >= threshold) == 0
            links[before] = -1
            started = not before.all()
        back[frames] = links
    beats = [_last_beat(total)]
    while back[beats[-1]] >= 0:
        beats.append(int(back[beats[-1]]))
    return _trim(np.array(beats[::-1]), local)


def _last_beat(total: np.ndarray) -> int:
    """The last local maximum of the cumulative score that is not far below the others:
    the chain's end, not a stray peak in a fade-out."""
    peaks = np.flatnonzero((total[1:-1] > total[:-2]) & (total[1:-1] >= total[2:])) + 1
    if len(peaks) == 0:
        return int(np.argmax(total))
    good = peaks[total[peaks] >= 0.5 * np.median(total[peaks])]
    return int(good[-1])


def _trim(beats: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Drop beats at the ends that sit on no onset: the tracker carries on through a
    silent intro or tail, but nothing there should be cut on."""
    strength = local[beats]
    floor = 0.05 * np.sqrt(np.mean(strength ** 2))
    strong = np.flatnonzero(strength >= floor)
    return beats[strong[0]:strong[-1] + 1] if len(strong) else beats


def _refine(envelope: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Move each beat to the onset peak within a frame of it, to a fraction of a frame."""
    n = len(envelope)
    near = np.clip(frames[:, None] + np.arange(-1, 2)[None, :], 0, n - 1)
    peak = near[np.arange(len(frames)), envelope[near].argmax(axis=1)]
    left = envelope[np.maximum(peak - 1, 0)]
    mid = envelope[peak]
    right = envelope[np.minimum(peak + 1, n - 1)]
    curve = left - 2 * mid + right
    inside = (curve < 0) & (peak > 0) & (peak < n - 1)
    shift = np.where(inside, 0.5 * (left - right) / np.where(inside, curve, -1), 0.0)
    return peak + np.clip(shift, -0.5, 0.5)


def _bpm(times: np.ndarray, period: float) -> float:
    """Tempo from the beats themselves (least squares over their indices, a skipped beat
    counted), sharper than the autocorrelation's lag."""
    if len(times) < 3:
        return 60 / period
    steps = np.maximum(1, np.round(np.diff(times) / period))
    index = np.concatenate([[0], np.cumsum(steps)])
    slope = np.polyfit(index, times, 1)[0]
    return float(60 / slope)
