"""Decoding user images into plain arrays, and fast PNG encoding for results.

Every image a user sends goes through :func:`decode_image`, so that each way a file can be
unusable (empty, not an image, truncated, too large, an exotic format) becomes one named
:mod:`vitrina.errors` class with a sentence the user can act on, and every product downstream
sees the same thing: an upright HxWx3 uint8 RGB array plus the source alpha, if any.
"""

from __future__ import annotations

import functools
import io
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import ExifTags, Image, ImageCms, ImageFile, UnidentifiedImageError

from vitrina import deadline
from vitrina.config import settings
from vitrina.errors import (
    EmptyInput,
    ImageTooLarge,
    NotAnImage,
    TooCostly,
    TruncatedImage,
    UnsupportedImage,
)

# Pillow's process-wide switches, pinned to what decode_image relies on: its own bomb check
# would refuse images above ~179 MP whatever VITRINA_MAX_PIXELS says (decode_image checks the
# configured limit itself, before decoding), and truncated files must fail rather than be
# silently padded with grey.
Image.MAX_IMAGE_PIXELS = None
ImageFile.LOAD_TRUNCATED_IMAGES = False

SUPPORTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "BMP", "TIFF", "GIF"})
_EXPECTED = "PNG, JPEG, WebP, BMP or TIFF expected"
# Single-channel modes deeper than 8 bits: 16-bit unsigned, 32-bit signed and float.
_DEEP_GREY_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
# Modes Pillow holds in one byte a pixel (every other mode but 16-bit grey takes four).
_BYTE_MODES = frozenset({"1", "L", "P"})
# Bytes a pixel a codec holds beside Pillow's copy while decoding (measured): libwebp's
# animation decoder keeps its own buffers and RGBA canvas and hands Pillow a copy as bytes.
_CODEC_BYTES = {"WEBP": 10}
_BAND_PIXELS = 1 << 18  # pixels converted at a time (see _bands)
_BAND_BYTES_PER_PIXEL = 64  # the worst band's temporaries, allocator slack included
_MIB = 1 << 20
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What a damaged file makes Pillow's decoders raise (SyntaxError: PNG chunk checks).
_DAMAGED = (OSError, SyntaxError, EOFError, ValueError, struct.error)


@dataclass(frozen=True)
class LoadedImage:
    """A decoded user image: what the models see, plus what is needed to put alpha back."""

    rgb: np.ndarray  # HxWx3 uint8, EXIF orientation applied, any input alpha flattened on white
    alpha: np.ndarray | None  # HxW uint8 source alpha, None when absent or fully opaque
    format: str  # Pillow's format name: "PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF", "MPO"
    mode: str  # the source's Pillow mode before conversion: "RGB", "CMYK", "I;16", "P"...


def decode_image(
    data: bytes, *, max_pixels: int | None = None, max_bytes: int | None = None
) -> LoadedImage:
    """Decode user-supplied bytes, refusing anything unusable with a named error.

    The pixel count and the memory decoding needs (:func:`decode_cost`) are checked from the
    header before any pixel is decoded, so a small file claiming a huge or deep image costs
    nothing. ``max_pixels`` and ``max_bytes`` default to ``VITRINA_MAX_PIXELS`` and
    ``VITRINA_MAX_DECODE_BYTES``. Animated images give their first frame.
    """
    if not data:
        raise EmptyInput("the file is empty")
    limit = settings().max_pixels if max_pixels is None else max_pixels
    budget = settings().max_decode_bytes if max_bytes is None else max_bytes
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in SUPPORTED_FORMATS:
                raise UnsupportedImage(f"{img.format} images are not supported ({_EXPECTED})")
            width, height = img.size
            if width * height > limit:
                raise ImageTooLarge(
                    f"the image is {width}x{height} = {width * height:,} pixels, more than the "
                    f"{limit:,} allowed (VITRINA_MAX_PIXELS)"
                )
            if (need := decode_cost(img)) > budget:
                raise TooCostly(
                    f"decoding this {width}x{height} {img.mode} ({_describe(img)}) image "
                    f"needs about {need / _MIB:,.0f} MiB, more than the {budget / _MIB:,.0f} "
                    "MiB allowed (VITRINA_MAX_DECODE_BYTES)"
                )
            img.load()
            mode, fmt, orientation = img.mode, img.format, _orientation(img)
            rgb, alpha = _to_rgb(img)
        # Oriented once the with block has closed Pillow's image, which frees its pixels.
        if alpha is not None:
            alpha = _orient(alpha, orientation)
        return LoadedImage(rgb=_orient(rgb, orientation), alpha=alpha, format=fmt, mode=mode)
    # Only reachable if other code re-enabled Pillow's own check (see the top of this module).
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(
            f"the image is larger than the {limit:,} pixels allowed (VITRINA_MAX_PIXELS)"
        ) from exc
    except UnidentifiedImageError as exc:
        raise NotAnImage(f"the file is not an image ({_EXPECTED})") from exc
    except _DAMAGED as exc:
        raise TruncatedImage("the image file is truncated or damaged and cannot be read") from exc


def decode_cost(img: Image.Image) -> int:
    """Peak bytes :func:`decode_image` needs for an opened (not yet loaded) image.

    Pillow's decoded copy (one byte a pixel for 1/L/P, two for 16-bit grey, four for every
    other mode, RGB included), what the codec holds beside it (WebP keeps its own canvases),
    and the HxWx3 output plus alpha; or two copies of the output while the EXIF rotation
    copies it. Conversion goes in bands, so it adds only a constant.
    """
    width, height = img.size
    out = 3 + (1 if img.has_transparency_data else 0)
    stored = 1 if img.mode in _BYTE_MODES else 2 if img.mode.startswith("I;16") else 4
    per_pixel = max(stored + _CODEC_BYTES.get(img.format or "", 0) + out, 2 * out)
    return width * height * per_pixel + _BAND_PIXELS * _BAND_BYTES_PER_PIXEL


def _describe(img: Image.Image) -> str:
    """The source's depth in words, for messages: Pillow reads 16-bit RGB(A) PNGs as 8-bit."""
    if img.mode.startswith("I;16"):
        return "16-bit grey"
    if img.mode in ("I", "F"):
        return f"32-bit {'integer' if img.mode == 'I' else 'float'} grey"
    args = img.tile[0].args if img.tile else None
    raw = args if isinstance(args, str) else args[0] if isinstance(args, tuple) and args else ""
    return "16 bits a channel" if ";16" in str(raw) else "8 bits a channel"


def _orientation(img: Image.Image) -> int:
    """The EXIF (or XMP) orientation, 1 when absent or malformed."""
    value = img.getexif().get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) and value in _ORIENT else 1


def _orient(array: np.ndarray, orientation: int) -> np.ndarray:
    """What ``ImageOps.exif_transpose`` does, on the uint8 output (not Pillow's 4-byte copy)."""
    if orientation == 1:
        return array
    return np.ascontiguousarray(_ORIENT[orientation](array))


_ORIENT: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],  # mirrored
    3: lambda a: a[::-1, ::-1],  # upside down
    4: lambda a: a[::-1],  # mirrored upside down
    5: lambda a: a.swapaxes(0, 1),  # transposed
    6: lambda a: a[::-1].swapaxes(0, 1),  # turned 90 degrees clockwise to display
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),  # transversed
    8: lambda a: a[:, ::-1].swapaxes(0, 1),  # turned 90 degrees anticlockwise to display
}


def _bands(img: Image.Image) -> Iterator[tuple[slice, Image.Image]]:
    """Row strips of about _BAND_PIXELS pixels: converting one at a time keeps the working
    set to a few MB whatever the image's size and depth, where whole-image conversion of a
    40 MP RGBA image held ~900 MB of temporaries."""
    width, height = img.size
    rows = max(1, _BAND_PIXELS // max(1, width))
    for top in range(0, height, rows):
        deadline.check()
        bottom = min(height, top + rows)
        yield slice(top, bottom), img.crop((0, top, width, bottom))


def _to_rgb(img: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """Any Pillow mode -> (HxWx3 uint8 RGB on white, HxW alpha or None if fully opaque)."""
    width, height = img.size
    rgb = np.empty((height, width, 3), np.uint8)
    if img.mode in _DEEP_GREY_MODES:
        grey_range = _grey_range(img)
        for rows, band in _bands(img):
            rgb[rows] = _grey_to_uint8(np.asarray(band), grey_range)[:, :, np.newaxis]
        return rgb, None
    target = "RGBA" if img.has_transparency_data else "RGB"
    alpha = np.empty((height, width), np.uint8) if target == "RGBA" else None
    for rows, band in _bands(img):
        if band.mode == "LAB":  # CIELab TIFFs: Pillow's plain convert() gives wrong colours
            band = ImageCms.applyTransform(band, _lab_to_srgb())
        if band.mode != target:
            # Pillow's own conversions: CMYK (Adobe-inverted JPEGs included), palette
            # transparency, premultiplied alpha, 1-bit, YCbCr...
            band = band.convert(target)
        pixels = np.asarray(band)
        if alpha is None:
            rgb[rows] = pixels
        else:
            alpha[rows] = pixels[:, :, 3]
            rgb[rows] = _flatten_on_white(cv2.cvtColor(pixels, cv2.COLOR_RGBA2RGB), alpha[rows])
    if alpha is not None and alpha.min() == 255:
        return rgb, None
    return rgb, alpha


@functools.cache
def _lab_to_srgb() -> ImageCms.ImageCmsTransform:
    """Built once: a colour-managed CIELab (D50) to sRGB transform."""
    return ImageCms.buildTransform(
        ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB"
    )


def _grey_range(img: Image.Image) -> tuple[float, float]:
    """The value range that maps to 0..255: a first pass over the bands, since the mapping of
    Pillow's 32-bit modes depends on the whole image's extremes.

    16-bit data keeps its meaning with ``>> 8`` (the range is unused). Pillow's 32-bit modes
    have no fixed range: "I" usually holds 16-bit values and "F" values in [0, 1]; anything
    else is stretched from its minimum to its maximum so that the picture stays visible.
    """
    if img.mode.startswith("I;16"):
        return 0.0, 65535.0
    low, high = np.inf, -np.inf
    for _, band in _bands(img):
        values = _finite(np.asarray(band))
        low, high = min(low, float(values.min())), max(high, float(values.max()))
    full_scale = 65535.0 if img.mode == "I" else 1.0
    if low >= 0 and high <= full_scale:
        return 0.0, full_scale
    return low, high


def _grey_to_uint8(grey: np.ndarray, grey_range: tuple[float, float]) -> np.ndarray:
    """High-bit-depth grey -> uint8 over ``grey_range`` (see :func:`_grey_range`)."""
    if grey.dtype.kind == "u":
        return (grey >> 8).astype(np.uint8)
    low, high = grey_range
    values = _finite(grey)
    values -= low
    values *= 255.0 / (high - low) if high > low else 0.0
    return np.rint(values, out=values).astype(np.uint8)


def _finite(grey: np.ndarray) -> np.ndarray:
    """float64 copy with NaN as 0 and infinities as the largest finite values, in place."""
    return np.nan_to_num(grey.astype(np.float64), copy=False)


def _flatten_on_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite over white, so that transparent areas do not look black to the models.

    ``round(rgb * a / 255) + (255 - a)``, the exact integer blend, in OpenCV: about five
    times faster than numpy on a 24 MP image.
    """
    a3 = cv2.merge([alpha, alpha, alpha])
    return cv2.add(cv2.multiply(rgb, a3, scale=1 / 255), cv2.bitwise_not(a3))


def encode_png(array: np.ndarray, *, compress_level: int = 1) -> bytes:
    """HxW, HxWx3 (RGB) or HxWx4 (RGBA) uint8 or uint16 -> PNG bytes.

    Uses OpenCV's encoder, several times faster than Pillow's at the low compression levels
    that suit intermediate results.
    """
    if array.dtype not in (np.uint8, np.uint16) or not (
        array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))
    ):
        raise ValueError(
            f"expected an HxW, HxWx3 or HxWx4 uint8/uint16 array, got {array.shape} {array.dtype}"
        )
    if array.ndim == 3:
        code = cv2.COLOR_RGB2BGR if array.shape[2] == 3 else cv2.COLOR_RGBA2BGRA
        array = cv2.cvtColor(array, code)
    ok, buf = cv2.imencode(
        ".png", np.ascontiguousarray(array), [cv2.IMWRITE_PNG_COMPRESSION, compress_level]
    )
    if not ok:
        raise ValueError("OpenCV could not encode the array as PNG")
    return buf.tobytes()


def decode_png_array(data: bytes) -> np.ndarray:
    """Inverse of :func:`encode_png`: keeps channels (grey, RGB, RGBA) and uint8/uint16 depth."""
    array = (
        cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        if data.startswith(_PNG_SIGNATURE)
        else None
    )
    if array is None:
        raise NotAnImage("the data is not a readable PNG image")
    if array.ndim == 3:
        code = cv2.COLOR_BGR2RGB if array.shape[2] == 3 else cv2.COLOR_BGRA2RGBA
        array = cv2.cvtColor(array, code)
    return array
