"""Reading back what was encoded: streams, exact frame count, and the frames themselves.

imageio-ffmpeg ships ffmpeg but not ffprobe, so stream facts come from ffmpeg's own report
and the frame count from copying every packet to ffmpeg's null muxer, which is exact where
container metadata may round.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vitrina.errors import InputError
from vitrina.video.encode import ffmpeg_exe

_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+).*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+).*?, (\d+) Hz, ([\w.]+)")
_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+\.\d+)")
_FRAMES = re.compile(r"frame=\s*(\d+)")
_FPS = re.compile(r"(\d+(?:\.\d+)?) fps")
_AUDIO_TIME = re.compile(r"time=(\d+):(\d+):(\d+\.\d+)")


class UnreadableVideo(InputError):
    code = "unreadable_video"
    status = 415


@dataclass(frozen=True)
class Probe:
    video_codec: str
    pixel_format: str
    width: int
    height: int
    fps: float
    frames: int
    audio_codec: str | None
    sample_rate: int | None
    channels: str | None
    container_duration: float
    audio_duration: float | None

    @property
    def duration(self) -> float:
        return self.frames / self.fps


def _seconds(match: re.Match[str]) -> float:
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _report(path: Path, *args: str) -> str:
    command = [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False).stderr


def probe(path: Path) -> Probe:
    report = _report(path)
    video = _VIDEO.search(report)
    duration = _DURATION.search(report)
    if video is None or duration is None:
        raise UnreadableVideo(f"{path.name} is not a video ffmpeg can read")
    fps = _FPS.search(report[video.start():])
    audio = _AUDIO.search(report)
    # Copying packets to the null muxer counts frames without decoding them.
    frames = _FRAMES.findall(_report(path, "-map", "0:v:0", "-c", "copy", "-f", "null",
                                     "-stats", "-"))
    audio_duration = None
    if audio is not None:
        times = _AUDIO_TIME.findall(_report(path, "-map", "0:a:0", "-c", "copy", "-f", "null",
                                            "-stats", "-"))
        if times:
            h, m, s = times[-1]
            audio_duration = int(h) * 3600 + int(m) * 60 + float(s)
    return Probe(
        video_codec=video.group(1), pixel_format=video.group(2),
        width=int(video.group(3)), height=int(video.group(4)),
        fps=float(fps.group(1)) if fps else 0.0, frames=int(frames[-1]) if frames else 0,
        audio_codec=audio.group(1) if audio else None,
        sample_rate=int(audio.group(2)) if audio else None,
        channels=audio.group(3) if audio else None,
        container_duration=_seconds(duration), audio_duration=audio_duration,
    )


def frames(path: Path, width: int = 96, info: Probe | None = None) -> Iterator[np.ndarray]:
    """Every frame as a small greyscale image: enough to find black or frozen frames
    (``info``: the file's probe, when the caller has it already)."""
    info = info or probe(path)
    height = max(2, round(info.height * width / info.width / 2) * 2)
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
               "-vf", f"scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "gray", "-"]
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        size = width * height
        while chunk := process.stdout.read(size):
            if len(chunk) < size:
                break
            yield np.frombuffer(chunk, np.uint8).reshape(height, width)


def faststart(path: Path) -> bool:
    """Whether the index (moov) precedes the media (mdat): playback can start at once."""
    with path.open("rb") as file:
        data = file.read(1 << 20)
    moov, mdat = data.find(b"moov"), data.find(b"mdat")
    return moov != -1 and (mdat == -1 or moov < mdat)
