"""Encoding with the ffmpeg binary that ships in ``imageio-ffmpeg``.

Frames are composed in numpy and piped raw to ffmpeg (H.264, yuv420p). A timeline is cut into
segments encoded independently (in parallel processes locally, as Map items on AWS) with
identical settings, so they join with the concat demuxer without re-encoding; the audio is
encoded once, to AAC, when the segments are joined, and the file is finished with
``+faststart`` so a browser starts playing before it has the whole file.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from vitrina.errors import VitrinaError


class EncoderUnavailable(VitrinaError):
    """The ffmpeg binary is missing: the message names the package that ships it."""

    code = "encoder_unavailable"
    status = 503


class EncodeError(VitrinaError):
    """ffmpeg refused or failed: the message carries the end of its own report."""

    code = "encode_failed"


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'\"]+)+[\\/]([^\s\\/:'\"]*)")


def ffmpeg_reason(stderr: bytes | str, limit: int = 300) -> str:
    """The tail of ffmpeg's complaint for a message: files named by their last part only, so
    no server path (a job's temporary folder) reaches the user."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    return _PATH.sub(r"\1", text.strip())[-limit:]


def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise EncoderUnavailable("ffmpeg is missing: pip install imageio-ffmpeg") from exc
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise EncoderUnavailable(
            f"the imageio-ffmpeg package has no ffmpeg binary for this platform: {exc}"
        ) from exc


@dataclass(frozen=True)
class VideoSpec:
    width: int
    height: int
    fps: int = 25
    crf: int = 21
    preset: str = "veryfast"

    def __post_init__(self) -> None:
        if self.width % 2 or self.height % 2:
            raise ValueError(f"yuv420p needs even sides, not {self.width}x{self.height}")


class SegmentWriter:
    """Raw RGB frames in, one H.264 segment (MP4) out.

    Every segment starts on a keyframe and uses the same encoder settings, which is what lets
    :func:`join` concatenate them without decoding.
    """

    def __init__(self, path: Path, spec: VideoSpec) -> None:
        self.path, self.spec, self.count = path, spec, 0
        command = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{spec.width}x{spec.height}",
            "-r", str(spec.fps), "-i", "-",
            "-an", "-c:v", "libx264", "-preset", spec.preset, "-crf", str(spec.crf),
            "-pix_fmt", "yuv420p", "-g", str(spec.fps * 2), "-bf", "0",
            "-x264-params", "scenecut=0", "-video_track_timescale", str(spec.fps * 1000),
            str(path),
        ]
        # ffmpeg's report goes to a file (not a pipe nobody drains while frames are written).
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()/__exit__
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=self._stderr)

    def write(self, frame: np.ndarray) -> None:
        expected = (self.spec.height, self.spec.width, 3)
        if frame.shape != expected or frame.dtype != np.uint8:
            raise ValueError(f"frame {frame.shape} {frame.dtype}, expected {expected} uint8")
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError:
            self.close()
            raise
        self.count += 1

    def close(self) -> None:
        if self._process.stdin and not self._process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        code = self._process.wait()
        self._stderr.seek(0)
        report = self._stderr.read().decode(errors="replace").strip()
        self._stderr.close()
        if code != 0:
            raise EncodeError(f"ffmpeg failed on {self.path.name} (exit {code}): "
                              f"{ffmpeg_reason(report, 500)}")

    def __enter__(self) -> SegmentWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self._process.kill()
            self._process.wait()
            self._stderr.close()


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EncodeError(f"ffmpeg could not {what}: {ffmpeg_reason(result.stderr, 500)}")


def join(segments: list[Path], out: Path, *, audio: Path | None = None,
         duration: float | None = None, audio_bitrate: str = "160k") -> None:
    """Concatenate segments without re-encoding, add the audio (AAC), finish with faststart.

    ``duration`` trims the audio to the video's exact length so the streams end together.
    """
    if not segments:
        raise ValueError("nothing to join")
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "segments.txt"
        listing.write_text("".join(f"file '{p.resolve()}'\n" for p in segments))
        command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "concat", "-safe", "0", "-i", str(listing)]
        if audio is not None:
            command += ["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0",
                        "-c:a", "aac", "-b:a", audio_bitrate]
            if duration is not None:
                command += ["-t", f"{duration:.6f}"]
        command += ["-c:v", "copy", "-movflags", "+faststart", str(out)]
        _run(command, f"join {len(segments)} segments into {out.name}")
