"""Memory bombs under the pixel limit: small files that decode to deep or wide images.

The peak is measured in a fresh interpreter: its resident high-water mark counts Pillow's and
OpenCV's own allocations, which tracemalloc does not see. ``VmHWM`` rather than ``ru_maxrss``,
which a child inherits from the (large) pytest process that forked it.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps

from vitrina import deadline, imaging
from vitrina.config import settings
from vitrina.errors import DeadlineExceeded, TooCostly
from vitrina.imaging import decode_image, encode_png

SIDE = 3000  # 9 MP: the old whole-image conversions held ~30 bytes a pixel, now ~8
OUTPUT_BYTES = SIDE * SIDE * 3  # the HxWx3 uint8 result

_MEASURE = """
import json, sys
from vitrina.imaging import decode_image

def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))

data = open(sys.argv[1], "rb").read()
before = peak_kib()
loaded = decode_image(data)
print(json.dumps({"kib": peak_kib() - before, "shape": loaded.rgb.shape, "mode": loaded.mode,
                  "alpha": loaded.alpha is not None}))
"""


def _float_tiff() -> bytes:
    """A few hundred KB of deflated float32 grey that decodes to 9 MP of 4-byte pixels."""
    grey = np.zeros((SIDE, SIDE), np.float32)
    grey[::50] = 0.5
    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, "TIFF", compression="tiff_adobe_deflate")
    return buf.getvalue()


def _rgba16_png() -> bytes:
    """16-bit RGBA with real (not opaque) alpha: the flatten-on-white path."""
    rgba = np.zeros((SIDE, SIDE, 4), np.uint16)
    rgba[..., 3] = 65535
    rgba[::50, :, 0] = 40000
    rgba[::70, :, 3] = 1000
    return encode_png(rgba, compress_level=9)


def _decode_peak(data: bytes, tmp_path: Path) -> dict[str, object]:
    """Peak resident memory decode_image adds, in a fresh process under the default budget."""
    path = tmp_path / "bomb"
    path.write_bytes(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITRINA_")}
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def _refused_before_decoding(data: bytes, monkeypatch: pytest.MonkeyPatch) -> TooCostly:
    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setenv("VITRINA_MAX_DECODE_BYTES", str(40 * 2**20))
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(TooCostly) as caught:
        decode_image(data)
    assert caught.value.status == 413 and caught.value.code == "too_costly"
    assert f"{SIDE}x{SIDE}" in caught.value.message
    assert "40 MiB allowed (VITRINA_MAX_DECODE_BYTES)" in caught.value.message
    return caught.value


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_float_tiff_decode_budget(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = _float_tiff()
    assert len(data) < 300_000
    measured = _decode_peak(data, tmp_path)
    assert measured["shape"] == [SIDE, SIDE, 3] and measured["mode"] == "F"
    # Before the fix: ~290 MB (float64 copies of the whole image); now Pillow's 4 bytes a
    # pixel, the 3-byte output and one band.
    assert measured["kib"] * 1024 < 4 * OUTPUT_BYTES
    error = _refused_before_decoding(data, monkeypatch)
    assert "F (32-bit float grey)" in error.message


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_sixteen_bit_rgba_png_decode_budget(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = _rgba16_png()
    assert len(data) < 300_000
    with Image.open(io.BytesIO(data)) as img:
        # Pillow unpacks 16-bit PNGs to 8 bits a channel as it decodes: the memory went to
        # the whole-image conversion and flattening, ~23 bytes a pixel of temporaries.
        assert img.mode == "RGBA" and img.tile[0].args == "RGBA;16B"
    measured = _decode_peak(data, tmp_path)
    assert measured["shape"] == [SIDE, SIDE, 3] and measured["alpha"] is True
    assert measured["kib"] * 1024 < 4 * OUTPUT_BYTES
    error = _refused_before_decoding(data, monkeypatch)
    assert "RGBA (16 bits a channel)" in error.message


def test_decode_cost_counts_the_stored_mode_and_the_output() -> None:
    def cost(mode: str, fmt: str = "PNG") -> int:
        buf = io.BytesIO()
        Image.new(mode, (1000, 1000)).save(buf, fmt)
        with Image.open(buf) as img:
            return imaging.decode_cost(img) - imaging.decode_cost(Image.new("L", (0, 0)))

    assert cost("RGB") == 7_000_000  # Pillow keeps RGB in four bytes, plus the output's three
    assert cost("RGBA") == 8_000_000  # and the alpha plane
    assert cost("L") == 6_000_000  # two outputs while the EXIF rotation copies it
    assert cost("RGB", "WEBP") == 17_000_000  # libwebp's buffers and the copy it returns
    deep, wide = Image.new("F", (1000, 1000)), Image.new("I;16", (1000, 1000))
    assert imaging.decode_cost(deep) > imaging.decode_cost(wide)


def test_budget_argument_and_default_accepts_ordinary_images() -> None:
    data = encode_png(np.zeros((100, 100, 3), np.uint8))
    with pytest.raises(TooCostly, match="100x100 RGB"):
        decode_image(data, max_bytes=1000)
    assert decode_image(data).rgb.shape == (100, 100, 3)
    # A 40 MP RGBA PNG header (the pixel limit): the default budget lets it through.
    header = bytearray(encode_png(np.zeros((1, 1, 4), np.uint8)))
    header[16:24] = struct.pack(">II", 6400, 6250)
    header[29:33] = struct.pack(">I", zlib.crc32(bytes(header[12:29])))
    with Image.open(io.BytesIO(bytes(header))) as img:
        assert img.mode == "RGBA"
        assert imaging.decode_cost(img) < settings().max_decode_bytes


@pytest.mark.parametrize("mode", ["RGBA", "P", "F", "I", "I;16", "LAB", "CMYK", "LA"])
def test_banded_conversion_matches_whole_image(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny bands (a few rows) give exactly what one band does: ranges and alpha are global."""
    rng = np.random.default_rng(8)
    if mode in ("F", "I", "I;16"):
        dtype = {"F": np.float32, "I": np.int32, "I;16": np.uint16}[mode]
        grey = rng.integers(0, 3000, (37, 23)).astype(dtype)
        grey[36, 22] = -500 if mode != "I;16" else 65535  # the extreme is in the last band
        img = Image.fromarray(grey)
    else:
        rgba = rng.integers(0, 256, (37, 23, 4), dtype=np.uint8)
        rgba[..., 3] = np.where(rgba[..., 3] > 128, 255, rgba[..., 3])
        img = Image.fromarray(rgba, "RGBA")
        img = img.convert("P", palette=Image.Palette.ADAPTIVE) if mode == "P" else img.convert(mode)
    buf = io.BytesIO()
    img.save(buf, "PNG" if mode in ("RGBA", "P", "I;16", "LA") else "TIFF",
             **({"transparency": 3} if mode == "P" else {}))
    whole = decode_image(buf.getvalue())
    monkeypatch.setattr(imaging, "_BAND_PIXELS", 50)  # two rows a band
    banded = decode_image(buf.getvalue())
    assert whole.mode == banded.mode
    assert np.array_equal(whole.rgb, banded.rgb)
    assert (whole.alpha is None) == (banded.alpha is None)
    assert whole.alpha is None or np.array_equal(whole.alpha, banded.alpha)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matches_pillow(orientation: int) -> None:
    rgba = np.random.default_rng(orientation).integers(0, 256, (5, 7, 4), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG", exif=exif)
    with Image.open(io.BytesIO(buf.getvalue())) as img:
        expected = np.asarray(ImageOps.exif_transpose(img))
    loaded = decode_image(buf.getvalue())
    assert loaded.alpha is not None and np.array_equal(loaded.alpha, expected[..., 3])
    assert loaded.rgb.shape == (*expected.shape[:2], 3) and loaded.rgb.flags.c_contiguous


def test_decoding_honours_the_deadline() -> None:
    data = encode_png(np.zeros((64, 64, 3), np.uint8))
    with deadline.within(0), pytest.raises(DeadlineExceeded):
        decode_image(data)
