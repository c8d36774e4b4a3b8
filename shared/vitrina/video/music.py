"""The video product's own music: styles synthesised from code, each on a known beat grid.

A synthesiser instead of audio files keeps the package small and free of licences, and the
grid it plays on is exact, so shots are cut on the beat without detecting anything. Every
sound is rendered per note with numpy (oscillators, envelopes, biquads applied in the
frequency domain) and cached, so a minute of music takes a fraction of a second.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from vitrina.errors import InputError

STYLES = ("upbeat", "calm", "electronic", "luxury", "festive")
SAMPLE_RATE = 44_100
TEMPI = {  # BPM range each style sounds right in: slow, medium and fast map into it
    "upbeat": (110.0, 128.0),
    "calm": (70.0, 90.0),
    "electronic": (120.0, 132.0),
    "luxury": (80.0, 100.0),
    "festive": (120.0, 140.0),
}
RHYTHMS = ("slow", "medium", "fast")
MIN_DURATION, MAX_DURATION = 3.0, 120.0
MIN_BPM, MAX_BPM = 50.0, 200.0
TARGET_LUFS = -14.0  # what streaming and social platforms normalise to
PEAK = 0.9
FADE_IN, FADE_OUT = 0.01, 1.5  # seconds: no click at the start, a gentle end

_SR = SAMPLE_RATE
_Stage = tuple[str, float, float] | tuple[str, float, float, float]  # kind, Hz, Q[, gain dB]
_Chord = tuple[int, tuple[int, ...]]  # bass root in semitones above the key, voicing around it


@dataclass(frozen=True, eq=False)  # eq=False: comparing sample arrays field by field is ambiguous
class Track:
    samples: np.ndarray  # float32, shape (n, 2), in [-1, 1], stereo
    sample_rate: int
    bpm: float
    beats: tuple[float, ...]  # beat times in seconds from 0 (the grid the synthesiser used)
    downbeats: tuple[float, ...]  # first beat of each bar (4/4)
    style: str

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def tempo_for(style: str, rhythm: str) -> float:
    """A BPM inside the style's range: a slow rhythm sits at its bottom, fast at its top."""
    _check_style(style)
    if rhythm not in RHYTHMS:
        raise InputError(f"rhythm {rhythm!r} is not one of {', '.join(RHYTHMS)}")
    low, high = TEMPI[style]
    return low + (high - low) * RHYTHMS.index(rhythm) / (len(RHYTHMS) - 1)


def synthesise(style: str, duration: float, bpm: float | None = None, seed: int = 0) -> Track:
    """``duration`` seconds of ``style`` at ``bpm`` (the style's medium tempo by default);
    ``seed`` picks the key, the melody and the drums' accents, the same seed the same music."""
    _check_style(style)
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise InputError(
            f"music duration {duration:g} s is outside {MIN_DURATION:g}..{MAX_DURATION:g} s")
    bpm = tempo_for(style, "medium") if bpm is None else float(bpm)
    if not MIN_BPM <= bpm <= MAX_BPM:
        raise InputError(f"tempo {bpm:g} BPM is outside {MIN_BPM:g}..{MAX_BPM:g}")
    n = round(duration * _SR)
    song = _Song(n, bpm, np.random.default_rng([seed, STYLES.index(style)]))
    _ARRANGERS[style](song)
    beats = tuple(k * song.beat for k in range(math.ceil(n / _SR / song.beat))
                  if round(k * song.beat * _SR) < n)
    return Track(song.master(), _SR, bpm, beats, beats[::4], style)


def wav_bytes(track: Track) -> bytes:
    """16-bit PCM, which every player and encoder reads; scaled as ``read_wav`` reads back."""
    pcm = np.clip(np.round(track.samples * 32768.0), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(track.sample_rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def write_wav(track: Track, path: Path) -> None:
    Path(path).write_bytes(wav_bytes(track))


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A user's WAV as float32 (n, channels) and its sample rate. The RIFF chunks are read
    here rather than with ``wave``, which before Python 3.12 refuses WAVE_FORMAT_EXTENSIBLE,
    the header most tools write for 24-bit audio."""
    data = Path(path).read_bytes()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise InputError("the music is not a WAV file")
    fmt, pcm, pos = None, None, 12
    while pos + 8 <= len(data) and (fmt is None or pcm is None):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if chunk == b"fmt ":
            fmt = body
        elif chunk == b"data":
            pcm = body
        pos += 8 + size + size % 2
    if fmt is None or pcm is None or len(fmt) < 16:
        raise InputError("the WAV file has no audio format or no audio data")
    tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real tag opens the GUID
        tag = struct.unpack("<H", fmt[24:26])[0]
    width = bits // 8
    if tag != 1 or bits not in (16, 24, 32) or channels < 1 or align != channels * width:
        raise InputError(f"the WAV file is not 16, 24 or 32-bit PCM (format {tag}, {bits} bits);"
                         " export it as 16-bit PCM")
    if rate <= 0:
        raise InputError("the WAV file has no sample rate")
    raw = np.frombuffer(pcm[:len(pcm) // align * align], np.uint8).reshape(-1, width)
    if width == 3:  # left-align 24-bit samples in 32 bits so the sign comes out right
        raw = np.concatenate([np.zeros((len(raw), 1), np.uint8), raw], axis=1)
    values = raw.view("<i2" if width == 2 else "<i4").reshape(-1, channels)
    scale = 2.0 ** (15 if width == 2 else 31)
    return (values / scale).astype(np.float32), rate


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise InputError(f"music style {style!r} is not one of {', '.join(STYLES)}")


# Signal building blocks and instruments.


def _hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12)


def _time(seconds: float) -> np.ndarray:
    return np.arange(max(1, round(seconds * _SR))) / _SR


def _f32(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32)


def _saw(freq: float, n: int, phase: float = 0.0) -> np.ndarray:
    """Band-limited sawtooth (polyBLEP): bright without the aliasing of a naive ramp."""
    step = freq / _SR
    ramp = phase + step * np.arange(n)
    y = 2.0 * (ramp - np.floor(ramp)) - 1.0
    cycle = np.arange(1, int(phase + step * n) + 1)
    after = np.ceil((cycle - phase) / step).astype(np.int64)  # first sample of each new cycle
    keep = (after >= 1) & (after < n)
    after, cycle = after[keep], cycle[keep]
    x = (phase + step * after - cycle) / step  # where the sample falls past the wrap: [0, 1)
    y[after] -= 2 * x - x * x - 1
    x -= 1  # and the sample before it: [-1, 0)
    y[after - 1] -= x * x + 2 * x + 1
    return y


def _partials(phase: np.ndarray, amps: list[np.ndarray]) -> np.ndarray:
    """sum_h amps[h-1] * sin(h * phase), by the Chebyshev recurrence: one sine in all."""
    prev, cur = np.zeros_like(phase), np.sin(phase)
    twice_cos = 2.0 * np.cos(phase)
    out = amps[0] * cur
    for amp in amps[1:]:
        prev, cur = cur, twice_cos * cur - prev
        out += amp * cur
    return out


def _envelope(n: int, attack: float, decay: float | None, release: float = 0.02) -> np.ndarray:
    """Linear attack, exponential decay (None: sustain), linear release over the last samples."""
    t = np.arange(n) / _SR
    env = np.exp(-t / decay) if decay else np.ones(n)
    if attack > 0:
        env *= np.minimum(1.0, t / attack)
    tail = min(n, round(release * _SR))
    env[n - tail:] *= np.linspace(1.0, 0.0, tail)
    return env


def _biquad(kind: str, freq: float, q: float, gain_db: float = 0.0
            ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """RBJ audio-EQ-cookbook coefficients (b, a)."""
    w = 2 * math.pi * min(freq, 0.49 * _SR) / _SR
    cw, alpha = math.cos(w), math.sin(w) / (2 * q)
    a = (1 + alpha, -2 * cw, 1 - alpha)
    if kind == "lowpass":
        return ((1 - cw) / 2, 1 - cw, (1 - cw) / 2), a
    if kind == "highpass":
        return ((1 + cw) / 2, -(1 + cw), (1 + cw) / 2), a
    if kind == "bandpass":
        return (alpha, 0.0, -alpha), a
    amp = 10 ** (gain_db / 40)
    root = 2 * math.sqrt(amp) * alpha
    return ((amp * ((amp + 1) + (amp - 1) * cw + root), -2 * amp * ((amp - 1) + (amp + 1) * cw),
             amp * ((amp + 1) + (amp - 1) * cw - root)),
            ((amp + 1) - (amp - 1) * cw + root, 2 * ((amp - 1) - (amp + 1) * cw),
             (amp + 1) - (amp - 1) * cw - root))  # high shelf


@lru_cache(maxsize=16)
def _response(stages: tuple[_Stage, ...], size: int) -> np.ndarray:
    """The cascade's frequency response on the bins of an rfft of ``size``."""
    z = np.exp(-2j * np.pi * np.arange(size // 2 + 1) / size)
    h = np.ones_like(z)
    for stage in stages:
        b, a = _biquad(*stage)
        h *= (b[0] + z * (b[1] + z * b[2])) / (a[0] + z * (a[1] + z * a[2]))
    return h


def _filter(x: np.ndarray, *stages: _Stage) -> np.ndarray:
    """Biquads applied as one FFT product: the same result as running them sample by sample
    (the padding takes their ringing), without a per-sample Python loop."""
    size = 1 << (len(x) + 4095).bit_length()
    h = _response(stages, size)
    spectrum = np.fft.rfft(x, size, axis=0)
    return np.fft.irfft(spectrum * (h if x.ndim == 1 else h[:, None]), size, axis=0)[:len(x)]


def _noise(seconds: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(len(_time(seconds)))


# Drums: onsets start at sample 0 so that each hit lands exactly on its grid time.


def _kick(tone: float, decay: float, click: float) -> np.ndarray:
    t = _time(decay * 5)
    freq = tone * (1 + 2.5 * np.exp(-t / 0.03))
    body = np.sin(2 * np.pi * np.cumsum(freq) / _SR) * np.exp(-t / decay)
    snap = _filter(_noise(decay * 5, 11), ("highpass", 2500, 0.7)) * np.exp(-t / 0.003)
    return _f32(np.tanh(1.6 * (body + click * snap)) * _envelope(len(t), 0.0005, None, 0.05))


def _clap(variant: int) -> np.ndarray:
    t = _time(0.4)
    noise = _filter(_noise(0.4, 20 + variant), ("bandpass", 1300, 0.9), ("highpass", 700, 0.7))
    bursts = sum((t >= lag) * np.exp(-np.maximum(t - lag, 0) / 0.005) for lag in (0, .009, .018))
    tail = 0.5 * (t >= 0.027) * np.exp(-np.maximum(t - 0.027, 0) / 0.09)
    return _f32(noise * (bursts + tail) / 2.5)


def _hat(decay: float, variant: int) -> np.ndarray:
    n = len(_time(decay * 6))
    noise = _filter(_noise(decay * 6, 30 + variant), ("highpass", 7000, 0.7),
                    ("highshelf", 10000, 0.7, 4.0))
    return _f32(noise * _envelope(n, 0.0005, decay) / 2.5)


def _shaker(variant: int) -> np.ndarray:
    n = len(_time(0.2))
    noise = _filter(_noise(0.2, 40 + variant), ("bandpass", 5500, 1.2), ("highpass", 3000, 0.7))
    return _f32(noise * _envelope(n, 0.006, 0.045) / 1.5)


def _snare(tone: float) -> np.ndarray:
    t = _time(0.35)
    body = np.sin(2 * np.pi * tone * t) * np.exp(-t / 0.05)
    rattle = _filter(_noise(0.35, 50), ("highpass", 1800, 0.7)) * np.exp(-t / 0.11)
    return _f32((body + 0.7 * rattle) * _envelope(len(t), 0.0005, None, 0.05))


def _rim() -> np.ndarray:
    t = _time(0.12)
    tone = np.sin(2 * np.pi * 1750 * t) + 0.5 * np.sin(2 * np.pi * 520 * t)
    click = _filter(_noise(0.12, 60), ("bandpass", 3200, 1.5))
    return _f32((tone + 0.6 * click) * np.exp(-t / 0.012) * 0.6)


def _brush(variant: int) -> np.ndarray:
    n = len(_time(0.35))
    noise = _filter(_noise(0.35, 70 + variant), ("bandpass", 4000, 0.6))
    t = np.arange(n) / _SR
    env = _envelope(n, 0.002, 0.03) + 0.25 * _envelope(n, 0.002, 0.16)
    return _f32(noise * env * (1 + 0.3 * np.sin(2 * np.pi * 9 * t)) / 1.5)


def _cymbal(decay: float, low: float) -> np.ndarray:
    """Metallic: inharmonic square waves (the TR-808 recipe) band-passed and decaying."""
    t = _time(decay * 4)
    ratios = (1.0, 1.4471, 1.617, 1.9265, 2.5028, 2.6637)
    tone = sum(np.sign(np.sin(2 * np.pi * low * r * t + r)) for r in ratios)
    noise = _noise(decay * 4, 80)
    mixed = _filter(tone + 0.8 * noise, ("highpass", 5000, 0.7), ("bandpass", 9000, 0.5))
    return _f32(mixed * _envelope(len(t), 0.0005, decay) / 3)


def _woodblock(freq: float) -> np.ndarray:
    t = _time(0.12)
    tone = np.sin(2 * np.pi * freq * t) + 0.4 * np.sin(2 * np.pi * freq * 2.72 * t)
    return _f32(tone * _envelope(len(t), 0.0005, 0.03))


def _gong(freq: float) -> np.ndarray:
    """Frequency modulation with an inharmonic ratio and a slowly opening index: the shimmer
    of a gong that swells after it is struck."""
    t = _time(4.0)
    index = 2.5 * (1 - np.exp(-t / 0.4)) * np.exp(-t / 2.5) + 0.5
    mod = np.sin(2 * np.pi * freq * 1.483 * t)
    tone = np.sin(2 * np.pi * freq * t + index * mod)
    strike = _filter(_noise(4.0, 90), ("bandpass", 400, 1.0)) * np.exp(-t / 0.05)
    return _f32((tone + 0.6 * strike) * _envelope(len(t), 0.004, 1.6, 0.3))


# Pitched instruments.


def _piano(midi: int, seconds: float) -> np.ndarray:
    """Additive: ten harmonics whose upper ones die first, as struck strings do."""
    f = _hz(midi)
    t = _time(seconds)
    count = max(1, min(10, int(16000 / f)))
    tau = 1.8 * (262 / f) ** 0.5
    base, faster = np.exp(-t / tau), np.exp(-t * 0.6 / tau)
    amps, env = [], base
    for h in range(1, count + 1):
        amps.append(env / h ** 1.6)
        env = env * faster
    tone = _partials(2 * np.pi * f * t, amps) + 0.3 * np.sin(2 * np.pi * f * 1.002 * t) * base
    return _f32(tone * _envelope(len(t), 0.002, None, 0.12) * (262 / f) ** 0.15)


def _epiano(midi: int, seconds: float) -> np.ndarray:
    """FM electric piano: a 1:1 modulator whose index fades gives the bark, a fast high
    partial the tine."""
    f = _hz(midi)
    t = _time(seconds)
    index = 1.6 * np.exp(-t / 0.18) + 0.25
    body = np.sin(2 * np.pi * f * t + index * np.sin(2 * np.pi * f * t))
    tine = 0.25 * np.sin(2 * np.pi * f * 7.1 * t) * np.exp(-t / 0.04)
    return _f32((body * np.exp(-t / 1.6) + tine) * _envelope(len(t), 0.002, None, 0.15) / 1.3)


def _pad(notes: tuple[int, ...], seconds: float, cutoff: float, attack: float) -> np.ndarray:
    """Stereo: each note is two detuned saws panned apart, low-passed twice (24 dB/oct)."""
    n = len(_time(seconds))
    out = np.zeros((n, 2))
    for i, midi in enumerate(notes):
        f = _hz(midi)
        out[:, 0] += _saw(f * 0.9962, n, 0.13 * i) + 0.5 * _saw(f * 1.0021, n, 0.5)
        out[:, 1] += _saw(f * 1.0038, n, 0.31 * i) + 0.5 * _saw(f * 0.9979, n, 0.7)
    out = _filter(out, ("lowpass", cutoff, 0.6), ("lowpass", cutoff * 1.3, 0.6))
    env = _envelope(n, attack, None, min(0.8, seconds / 3))
    return _f32(out * env[:, None] / (1.5 * len(notes)))


def _bass(midi: int, seconds: float, bright: float) -> np.ndarray:
    """Saw plus sub sine, its filter opening on the attack and closing fast: a bouncy pluck."""
    f = _hz(midi)
    n = len(_time(seconds))
    t = np.arange(n) / _SR
    osc = _saw(f, n) + np.sin(2 * np.pi * f * t)
    dark = _filter(osc, ("lowpass", 220, 0.7))
    light = _filter(osc, ("lowpass", 220 + 2400 * bright, 1.2))
    tone = dark + (light - dark) * np.exp(-t / 0.07)
    return _f32(tone * _envelope(n, 0.002, 0.35, 0.03))


def _upright(midi: int, seconds: float) -> np.ndarray:
    f = _hz(midi)
    t = _time(seconds)
    env = np.exp(-t / 0.5)
    tone = _partials(2 * np.pi * f * t, [env, 0.5 * env ** 1.5, 0.25 * env ** 3])
    thump = np.sin(2 * np.pi * f * 2 * t) * np.exp(-t / 0.02) * 0.3
    return _f32((tone + thump) * _envelope(len(t), 0.004, None, 0.06))


def _pluck(midi: int, seconds: float, cutoff: float) -> np.ndarray:
    """Saw through a filter that snaps shut: the synth pluck of leads and arpeggios."""
    f = _hz(midi)
    n = len(_time(seconds))
    t = np.arange(n) / _SR
    osc = _saw(f, n) + 0.6 * _saw(f * 1.005, n, 0.3)
    dark = _filter(osc, ("lowpass", cutoff * 0.25, 0.7))
    light = _filter(osc, ("lowpass", cutoff, 1.5))
    tone = dark + (light - dark) * np.exp(-t / 0.06)
    return _f32(tone * _envelope(n, 0.001, 0.22, 0.03) / 1.6)


def _bell(midi: int, seconds: float) -> np.ndarray:
    """Additive with the partials of a free bar (1, 2.76, 5.40, 8.93): glockenspiel, chimes."""
    f = _hz(midi)
    t = _time(seconds)
    tone = sum(a * np.sin(2 * np.pi * f * r * t) * np.exp(-t / d)
               for r, a, d in ((1, 1, 1.2), (2.756, 0.5, 0.4), (5.404, 0.25, 0.12),
                               (8.933, 0.12, 0.05)) if f * r < 18000)
    return _f32(tone * _envelope(len(t), 0.001, None, 0.1) / 1.4)


def _zheng(midi: int, seconds: float) -> np.ndarray:
    """A plucked zither: bright decaying harmonics and the vibrato the player adds once the
    note has spoken."""
    f = _hz(midi)
    t = _time(seconds)
    vibrato = 0.006 * np.minimum(1, np.maximum(0, t - 0.15) / 0.2) * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * f * np.cumsum(1 + vibrato) / _SR
    base, faster = np.exp(-t / 0.9), np.exp(-t / 0.35)
    amps, env = [], base
    for h in range(1, min(12, int(16000 / f)) + 1):
        amps.append(env * (1.0 if h == 1 else 0.7 / h))
        env = env * faster
    return _f32(_partials(phase, amps) * _envelope(len(t), 0.001, None, 0.08) / 1.5)


# Mixing.


def _pan(pan: float) -> tuple[float, float]:
    """Constant-power pan, unity at the centre."""
    angle = (pan + 1) * math.pi / 4
    return math.cos(angle) * math.sqrt(2), math.sin(angle) * math.sqrt(2)


class _Song:
    """Buses a style's arranger plays into: dry, ducked by the kick, reverb and echo sends."""

    def __init__(self, n: int, bpm: float, rng: np.random.Generator) -> None:
        self.n, self.bpm, self.rng = n, bpm, rng
        self.beat = 60.0 / bpm
        self.bars = math.ceil(n / _SR / (4 * self.beat))
        self.dry = np.zeros((n, 2), np.float32)
        self.ducked = np.zeros((n, 2), np.float32)
        self.reverb = np.zeros(n, np.float32)
        self.echo = np.zeros(n, np.float32)
        self.duck_depth, self.room, self.bright = 0.0, 1.2, 0.5
        self._sounds: dict[tuple[object, ...], np.ndarray] = {}

    def sound(self, make: Callable[..., np.ndarray], *args: float) -> np.ndarray:
        """``make(*args)``, rendered once per song: a song repeats a few dozen sounds. Kept
        per song, not per process, so that a warm Lambda does not hoard every note."""
        key = (make, *args)
        if key not in self._sounds:
            self._sounds[key] = make(*args)
        return self._sounds[key]

    def at(self, bar: int, beat: float) -> float:
        return (bar * 4 + beat) * self.beat

    def add(self, sound: np.ndarray, time: float, gain: float = 1.0, pan: float = 0.0,
            reverb: float = 0.0, echo: float = 0.0, ducked: bool = False) -> None:
        start = round(time * _SR)
        end = min(start + len(sound), self.n)
        if end <= start:
            return
        part = sound[:end - start] * np.float32(gain)
        bus = self.ducked if ducked else self.dry
        if part.ndim == 2:
            bus[start:end] += part
            mono = (part[:, 0] + part[:, 1]) * np.float32(0.5)
        else:
            left, right = _pan(pan)
            bus[start:end, 0] += part * np.float32(left)
            bus[start:end, 1] += part * np.float32(right)
            mono = part
        if reverb:
            self.reverb[start:end] += mono * np.float32(reverb)
        if echo:
            self.echo[start:end] += mono * np.float32(echo)

    def master(self) -> np.ndarray:
        out = self.dry  # mastered in place: a song is mastered once
        if self.duck_depth:
            out += self.ducked * _duck(self.n, self.beat, self.duck_depth)[:, None]
        else:
            out += self.ducked
        if self.reverb.any():
            out += _convolve(self.reverb, _impulse(self.room, self.bright))
        if self.echo.any():
            lag = round(0.75 * self.beat * _SR)  # dotted eighth, bouncing left and right
            for k in range(1, 5):
                if k * lag < self.n:
                    out[k * lag:, k % 2] += self.echo[:-k * lag] * 0.45 ** k
        out *= np.float32(10 ** ((TARGET_LUFS - loudness(out)) / 20))
        out = _limit(out, PEAK)
        fade_out = min(FADE_OUT, self.n / _SR / 3)
        head = round(FADE_IN * _SR)
        out[:head] *= np.linspace(0, 1, head, dtype=np.float32)[:, None]
        tail = round(fade_out * _SR)
        out[self.n - tail:] *= (np.linspace(1, 0, tail, dtype=np.float32) ** 2)[:, None]
        return np.clip(out, -PEAK, PEAK, out=out)


def _duck(n: int, beat: float, depth: float) -> np.ndarray:
    """Sidechain gain: dips within a few ms of each beat's kick and recovers before the next.
    One beat's curve is computed once and copied onto every beat."""
    phase = np.arange(math.ceil(beat * _SR)) / _SR
    curve = (1 - depth * (1 - np.exp(-phase / 0.004)) * np.exp(-phase / (0.22 * beat)))
    gain = np.empty(n, np.float32)
    for k in range(math.ceil(n / _SR / beat)):
        start, end = round(k * beat * _SR), min(round((k + 1) * beat * _SR), n)
        gain[start:end] = curve[:end - start]
    return gain


@lru_cache(maxsize=4)
def _impulse(seconds: float, bright: float) -> np.ndarray:
    """A room as decaying stereo noise, highs dying faster; left and right decorrelated."""
    t = _time(min(seconds, 1.45))
    noise = np.random.default_rng(5).standard_normal((len(t), 2))
    low = _filter(noise, ("lowpass", 1500 + 4000 * bright, 0.7))
    decay = 6.9 / seconds
    ir = low * np.exp(-decay * t)[:, None] + (noise - low) * np.exp(-2.5 * decay * t)[:, None]
    ir *= np.minimum(1, t / 0.01)[:, None]
    ir = np.concatenate([np.zeros((round(0.012 * _SR), 2)), ir])
    return ir / np.sqrt((ir ** 2).sum(axis=0))


def _convolve(x: np.ndarray, ir: np.ndarray) -> np.ndarray:
    """Overlap-add FFT convolution of a mono send with a stereo impulse, block by block."""
    block = 1 << (len(ir) - 1).bit_length()
    size = 2 * block
    spectrum = np.fft.rfft(ir, size, axis=0).astype(np.complex64)
    out = np.zeros((len(x) + size, 2), np.float32)
    for start in range(0, len(x), block):
        part = np.fft.rfft(x[start:start + block], size)
        out[start:start + size] += np.fft.irfft(part[:, None] * spectrum, size, axis=0)
    return out[:len(x)]


_K_WEIGHTING: tuple[_Stage, ...] = (("highshelf", 1500.0, 0.7071, 4.0), ("highpass", 38.0, 0.5))


def loudness(samples: np.ndarray) -> float:
    """Integrated loudness in LUFS after ITU-R BS.1770 (K-weighting, absolute and relative
    gates) with the filter applied in each block's spectrum, blocks of 2**14 samples (371 ms
    rather than 400) and no block overlap: within a fraction of a LU on music, much cheaper."""
    size = 1 << 14
    count = len(samples) // size
    if count == 0:
        return -70.0
    blocks = samples[:count * size].reshape(count, size, -1).transpose(0, 2, 1)
    spectrum = np.fft.rfft(blocks, axis=2)
    weight = np.abs(_response(_K_WEIGHTING, size)) ** 2
    weight[1:-1] *= 2  # rfft keeps one of each pair of mirrored bins
    power = (spectrum.real ** 2 + spectrum.imag ** 2) @ weight
    power = power.sum(axis=1) / size ** 2
    level = -0.691 + 10 * np.log10(np.maximum(power, 1e-12))
    kept = level > -70
    if not kept.any():
        return -70.0
    relative = -0.691 + 10 * np.log10(power[kept].mean()) - 10
    kept &= level > relative
    return float(-0.691 + 10 * np.log10(power[kept].mean()))


def _limit(x: np.ndarray, ceiling: float) -> np.ndarray:
    """Look-ahead peak limiter, vectorised: each 128-sample block's needed gain is spread
    over its neighbours by a minimum then a mean (so the smoothed gain never exceeds what
    any sample needs), then interpolated between block centres: ramps of ~25 ms, no clipping."""
    block, reach = 128, 4
    peak = np.maximum(np.abs(x[:, 0]), np.abs(x[:, 1]))
    need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-9))
    count = -(-len(need) // block)
    need = np.pad(need, (0, count * block - len(need)), constant_values=1.0)
    lows = need.reshape(count, block).min(axis=1)
    widened = np.lib.stride_tricks.sliding_window_view(
        np.pad(lows, 2 * reach, constant_values=1.0), 4 * reach + 1).min(axis=1)
    smooth = np.convolve(np.pad(widened, reach, mode="edge"), np.ones(2 * reach + 1),
                         "valid") / (2 * reach + 1)
    centres = (np.arange(count) + 0.5) * block
    return x * np.interp(np.arange(len(x)), centres, smooth).astype(np.float32)[:, None]


# Composition: chords, melodies and each style's arrangement.

_MAJOR_PENTATONIC = (0, 2, 4, 7, 9)
_RHYTHMS = ((2, 2, 2, 2), (3, 1, 2, 2), (2, 1, 1, 4), (1, 1, 2, 1, 1, 2), (3, 3, 2),
            (2, 2, 1, 1, 2))  # eighths in a bar


def _melody(rng: np.random.Generator, key: int, scale: tuple[int, ...],
            chords: list[_Chord], low: int, high: int) -> list[tuple[float, float, int]]:
    """One four-bar phrase of (beat, length in beats, MIDI note): a two-bar motif, the motif
    again over the third chord, and a new bar that settles on the key's root. Notes on beats
    1 and 3 are chord tones, the rest step through the scale: singable, never clashing."""
    pool = [m for m in range(low, high + 1) if (m - key) % 12 in scale]
    roots = [m for m in pool if (m - key) % 12 == 0]
    pitch = pool[len(pool) // 2]
    bars: list[list[tuple[float, float, int]]] = []
    for bar in range(4):
        if bar == 2:
            bars.append(bars[0])
            pitch = bars[0][-1][2]
            continue
        rhythm = _RHYTHMS[rng.integers(len(_RHYTHMS))]
        tones = {(key + chords[bar][0] + c) % 12 for c in chords[bar][1]}
        notes, pos = [], 0
        for i, length in enumerate(rhythm):
            last = bar == 3 and i == len(rhythm) - 1
            if last:
                pitch = min(roots, key=lambda m, p=pitch: abs(m - p))
            elif pos % 4 == 0:
                near = sorted((m for m in pool if m % 12 in tones),
                              key=lambda m, p=pitch: abs(m - p))
                pitch = near[rng.integers(min(2, len(near)))]
            else:
                index = pool.index(pitch) + int(rng.choice((-2, -1, -1, 1, 1, 2)))
                pitch = pool[min(max(index, 0), len(pool) - 1)]
            notes.append((pos / 2, length / 2, pitch))
            pos += length
        bars.append(notes)
    return [(bar * 4 + b, length, m) for bar, notes in enumerate(bars) for b, length, m in notes]


def _voicing(key: int, chord: _Chord, octave: int = 60) -> list[int]:
    return [octave + key + chord[0] + c for c in chord[1]]


def _play_melody(song: _Song, phrase: list[tuple[float, float, int]],
                 play: Callable[[float, float, int], None], skip: Callable[[int], bool]) -> None:
    for bar in range(0, song.bars, 4):
        if skip(bar):
            continue
        for beat, length, midi in phrase:
            play(song.at(bar, beat), length * song.beat, midi)


def _key(song: _Song, keys: tuple[int, ...]) -> int:
    return int(keys[song.rng.integers(len(keys))])


def _upbeat(song: _Song) -> None:
    """Pop/house: four-on-the-floor, claps on 2 and 4, off-beat hats, octave-bouncing bass,
    piano stabs on a 3-3-2 rhythm over I-V-vi-IV and a pentatonic hook."""
    key = _key(song, (0, 2, -3, 5, -1))
    chords: list[_Chord] = [(0, (0, 4, 7, 12)), (7, (-8, -5, 0, 4)), (9, (-9, -5, 0, 3)),
                            (5, (-5, 0, 4, 7))]
    hook = _melody(song.rng, key, _MAJOR_PENTATONIC, chords, 72 + key, 86 + key)
    b, rng, sound = song.beat, song.rng, song.sound
    song.duck_depth, song.room, song.bright = 0.45, 1.1, 0.7
    for bar in range(song.bars):
        chord = chords[bar % 4]
        pad = sound(_pad, tuple(_voicing(key, chord)), 4 * b + 0.6, 2800, 0.08)
        song.add(pad, song.at(bar, 0), 0.22, reverb=0.25, ducked=True)
        for eighth in (0, 3, 6):
            for i, midi in enumerate(_voicing(key, chord, 72)):
                song.add(sound(_piano, midi, 1.4 * b), song.at(bar, eighth / 2), 0.12,
                         pan=0.3 * (i - 1.5) / 1.5, reverb=0.2)
        root = 36 + (key + chord[0]) % 12
        for beat in range(4):
            t = song.at(bar, beat)
            song.add(sound(_kick, 52, 0.16, 0.5), t, 0.85)
            if beat % 2:
                song.add(sound(_clap, beat // 2), t, 1.5, reverb=0.25)
            song.add(sound(_hat, 0.05, beat % 3), t + b / 2, 0.45 * rng.uniform(0.85, 1.1),
                     pan=0.25)
            for sixteenth in (1, 3):
                song.add(sound(_hat, 0.02, 3), t + sixteenth * b / 4, 0.1, pan=-0.3)
            song.add(sound(_bass, root + 12 * (beat % 2), 0.45 * b, 0.7), t + b / 2, 0.75)
        if bar % 8 == 0:
            song.add(sound(_cymbal, 0.9, 300), song.at(bar, 0), 0.3, reverb=0.2)

    def play(t: float, length: float, midi: int) -> None:
        song.add(sound(_pluck, midi, length + 0.2, 4500), t, 0.45, pan=0.15, reverb=0.3,
                 echo=0.15)

    _play_melody(song, hook, play, lambda bar: bar % 16 == 8)


def _calm(song: _Song) -> None:
    """Soft piano arpeggios (one note a beat: the grid is heard without drums) over a warm
    pad, a light shaker, a sparse high melody and a long room."""
    key = _key(song, (0, 2, 5, -2, -4))
    chords: list[_Chord] = [(0, (0, 7, 11, 16)), (9, (0, 7, 10, 15)), (5, (0, 7, 11, 16)),
                            (7, (0, 5, 7, 14))]
    melody = _melody(song.rng, key, _MAJOR_PENTATONIC, chords, 72 + key, 84 + key)
    b, rng, sound = song.beat, song.rng, song.sound
    song.room, song.bright = 1.45, 0.3
    for bar in range(song.bars):
        chord = chords[bar % 4]
        root = 60 + key + chord[0] - 12 * (chord[0] > 5)  # arpeggios between G3 and A5
        pad = sound(_pad, tuple(_voicing(key, chord, 48)), 4 * b + 1.0, 900, 0.6)
        song.add(pad, song.at(bar, 0), 0.6, reverb=0.35)
        low = 36 + (key + chord[0]) % 12
        song.add(sound(_piano, low, 4 * b), song.at(bar, 0), 0.35, reverb=0.3)
        for beat, offset in enumerate(chord[1]):
            t = song.at(bar, beat)
            song.add(sound(_piano, root + offset, 2 * b), t, 0.5 if beat == 0 else 0.38,
                     pan=0.2 * (beat - 1.5), reverb=0.4)
            song.add(sound(_shaker, beat % 2), t, 0.25 * rng.uniform(0.8, 1.1), pan=0.4,
                     reverb=0.1)

    def play(t: float, length: float, midi: int) -> None:
        song.add(sound(_piano, midi, max(length, b) + 0.5), t, 0.3, pan=-0.2, reverb=0.5)

    on_beats = [note for note in melody if note[0] == int(note[0])]
    _play_melody(song, on_beats, play, lambda bar: bar % 8 == 0)


def _electronic(song: _Song) -> None:
    """Club: punchy kick, clap and snare on 2 and 4, sixteenth hats, a saw pad and a rolling
    bass pumped by the kick, a sixteenth-note arpeggio with a ping-pong echo; i-VI-III-VII."""
    key = _key(song, (0, 2, -2, 3, -4))
    chords: list[_Chord] = [(0, (0, 3, 7, 12)), (8, (-8, -5, 0, 4)), (3, (-5, 0, 4, 7)),
                            (10, (-12, -8, -5, 0))]
    b, rng, sound = song.beat, song.rng, song.sound
    song.duck_depth, song.room, song.bright = 0.8, 1.0, 0.6
    for bar in range(song.bars):
        chord = chords[bar % 4]
        notes = _voicing(key, chord, 57)
        pad = sound(_pad, tuple(notes), 4 * b + 0.4, 3200, 0.03)
        song.add(pad, song.at(bar, 0), 0.6, reverb=0.2, ducked=True)
        root = 33 + (key + chord[0]) % 12
        arpeggio = sorted(notes) + [m + 12 for m in sorted(notes)]
        for beat in range(4):
            t = song.at(bar, beat)
            song.add(sound(_kick, 48, 0.22, 1.0), t, 0.8)
            if beat % 2:
                song.add(sound(_clap, 2), t, 0.7, reverb=0.2)
                song.add(sound(_snare, 190), t, 0.3)
            for sixteenth in range(4):
                at = t + sixteenth * b / 4
                if sixteenth == 2:
                    song.add(sound(_hat, 0.12, 4), at, 0.3, pan=0.2)
                else:
                    song.add(sound(_hat, 0.025, sixteenth), at, 0.13 * rng.uniform(0.7, 1.1),
                             pan=-0.2)
                if sixteenth:
                    song.add(sound(_bass, root, 0.22 * b, 0.5), at, 0.45, ducked=True)
                step = (beat * 4 + sixteenth) % len(arpeggio)
                song.add(sound(_pluck, arpeggio[step] + 12, 0.3 * b, 3500), at, 0.18,
                         pan=0.35 * (-1) ** step, echo=0.25, reverb=0.1)


def _luxury(song: _Song) -> None:
    """Lounge jazz: ii9-V13-Imaj9-vi9 on an electric piano and a warm pad, a walking bass,
    brushes on every beat, rim on 2 and 4, a soft kick on 1 and 3."""
    key = _key(song, (0, 3, 5, -2, -4))
    chords: list[_Chord] = [(2, (-9, -5, -2, 2)), (7, (-14, -8, -3, 2)), (0, (-8, -5, -1, 2)),
                            (9, (-9, -5, -2, 2))]
    b, rng, sound = song.beat, song.rng, song.sound
    song.room, song.bright = 1.4, 0.35
    for bar in range(song.bars):
        chord, following = chords[bar % 4], chords[(bar + 1) % 4]
        notes = _voicing(key, chord)
        song.add(sound(_pad, tuple(notes), 4 * b + 1.0, 700, 0.5), song.at(bar, 0), 0.22,
                 reverb=0.3)
        for start, length in ((0.0, 1.8), (1.5, 0.9)):  # on the one, then the and of two
            for i, midi in enumerate(notes):
                song.add(sound(_epiano, midi, length * b + 0.3), song.at(bar, start), 0.15,
                         pan=0.4 * (i - 1.5) / 1.5, reverb=0.35)
        root = 31 + (key + chord[0] - 7) % 12
        target = 31 + (key + following[0] - 7) % 12
        third = 3 if 3 in {c % 12 for c in chord[1]} else 4
        walk = (root, root + third, root + 7, target + int(rng.choice((-1, 1))))
        for beat, midi in enumerate(walk):
            t = song.at(bar, beat)
            song.add(sound(_upright, midi, 0.95 * b), t, 0.6)
            song.add(sound(_brush, beat % 3), t, 0.4 * rng.uniform(0.85, 1.1), pan=-0.3,
                     reverb=0.2)
            song.add(sound(_cymbal, 0.5, 420), t, 0.08, pan=0.4, reverb=0.2)
            if beat % 2:
                song.add(sound(_rim), t, 0.3, pan=0.15, reverb=0.3)
            else:
                song.add(sound(_kick, 55, 0.18, 0.1), t, 0.45)


def _festive(song: _Song) -> None:
    """Chinese New Year: a big drum on every beat, small cymbals on 2 and 4, a woodblock off
    the beat, a gong each phrase, and a pentatonic tune on zither doubled by bells."""
    key = _key(song, (0, 2, 5, -3, 7))
    chords: list[_Chord] = [(0, (0, 4, 7)), (9, (-9, -5, 0)), (5, (-5, 0, 4)), (7, (-8, -5, 0))]
    tune = _melody(song.rng, key, _MAJOR_PENTATONIC, chords, 72 + key, 88 + key)
    b, rng, sound = song.beat, song.rng, song.sound
    song.room, song.bright = 1.1, 0.7
    for bar in range(song.bars):
        chord = chords[bar % 4]
        pad = sound(_pad, tuple(_voicing(key, chord)), 4 * b + 0.6, 1800, 0.2)
        song.add(pad, song.at(bar, 0), 0.2, reverb=0.3)
        root = 36 + (key + chord[0]) % 12
        if bar % 4 == 0:
            song.add(sound(_gong, _hz(36 + key)), song.at(bar, 0), 0.5, reverb=0.3)
        for beat in range(4):
            t = song.at(bar, beat)
            song.add(sound(_kick, 68, 0.25, 0.7), t, 0.95 if beat % 2 else 1.2, reverb=0.15)
            if beat % 2:
                song.add(sound(_cymbal, 0.25, 560), t, 0.7 * rng.uniform(0.9, 1.1), pan=0.2,
                         reverb=0.2)
            song.add(sound(_woodblock, 1100 if beat % 2 else 900), t + b / 2, 0.18, pan=-0.35)
            if beat % 2 == 0:
                song.add(sound(_bass, root + 7 * (beat // 2), 0.9 * b, 0.3), t, 0.6)

    def play(t: float, length: float, midi: int) -> None:
        song.add(sound(_zheng, midi, length + 0.6), t, 0.28, pan=-0.2, reverb=0.3)
        song.add(sound(_bell, midi + 12, length + 0.8), t, 0.1, pan=0.35, reverb=0.35)

    _play_melody(song, tune, play, lambda bar: False)


_ARRANGERS: dict[str, Callable[[_Song], None]] = {
    "upbeat": _upbeat, "calm": _calm, "electronic": _electronic, "luxury": _luxury,
    "festive": _festive,
}
