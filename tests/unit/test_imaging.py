"""vitrina.imaging: every fixture is built in memory with Pillow, numpy or OpenCV."""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from vitrina.errors import EmptyInput, ImageTooLarge, NotAnImage, TruncatedImage, UnsupportedImage
from vitrina.imaging import decode_image, decode_png_array, encode_png

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def _quadrants() -> np.ndarray:
    """16x12 RGB picture of four flat colours: exact in lossless formats, even GIF."""
    rgb = np.empty((12, 16, 3), np.uint8)
    rgb[:6, :8], rgb[:6, 8:], rgb[6:, :8], rgb[6:, 8:] = RED, GREEN, BLUE, WHITE
    return rgb


def _save(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose IHDR (with a correct CRC) claims another size."""
    data = bytearray(_save(Image.new("RGB", (1, 1)), "PNG"))
    # Signature (8) + chunk length (4) + b"IHDR" (4), then width and height.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(
    ("fmt", "params", "tolerance"),
    [
        ("PNG", {}, 0),
        ("BMP", {}, 0),
        ("TIFF", {}, 0),
        ("GIF", {}, 0),
        ("WEBP", {"lossless": True}, 0),
        ("WEBP", {"quality": 90}, 40),
        ("JPEG", {"quality": 95}, 40),
    ],
)
def test_decodes_each_format(fmt: str, params: dict[str, object], tolerance: int) -> None:
    picture = _quadrants()
    loaded = decode_image(_save(Image.fromarray(picture), fmt, **params))
    assert loaded.format == fmt
    assert loaded.alpha is None
    assert loaded.rgb.shape == (12, 16, 3) and loaded.rgb.dtype == np.uint8
    diff = np.abs(loaded.rgb.astype(int) - picture)
    # Lossy codecs blur the colour edges; compare away from them.
    assert diff[1:5, 1:7].max() <= tolerance and diff[7:11, 9:15].max() <= tolerance


def test_result_arrays_are_writeable() -> None:
    rgba = np.zeros((1, 1, 4), np.uint8)  # a 1x1 slice is "contiguous" even as a view
    rgba[..., 3] = 100
    loaded = decode_image(_save(Image.fromarray(_quadrants()), "PNG"))
    with_alpha = decode_image(_save(Image.fromarray(rgba, "RGBA"), "PNG"))
    for array in (loaded.rgb, with_alpha.rgb, with_alpha.alpha):
        assert array is not None and array.flags.writeable and array.flags.c_contiguous


def test_png_alpha_is_kept_and_flattened_on_white() -> None:
    rgba = np.zeros((2, 3, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = [[0, 128, 255], [255, 255, 255]]
    loaded = decode_image(_save(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert loaded.mode == "RGBA"
    assert loaded.alpha is not None
    assert loaded.alpha.tolist() == [[0, 128, 255], [255, 255, 255]]
    assert loaded.rgb[0, 0].tolist() == [255, 255, 255]  # fully transparent -> white
    assert loaded.rgb[0, 1].tolist() == [227, 127, 127]  # half way between (200, 0, 0) and white
    assert loaded.rgb[0, 2].tolist() == [200, 0, 0]


def test_opaque_alpha_is_dropped() -> None:
    rgba = np.full((2, 2, 4), 255, np.uint8)
    rgba[..., :3] = 10
    loaded = decode_image(_save(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert loaded.mode == "RGBA" and loaded.alpha is None
    assert (loaded.rgb == 10).all()


def test_grey_l() -> None:
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    loaded = decode_image(_save(Image.fromarray(grey, "L"), "PNG"))
    assert loaded.mode == "L" and loaded.alpha is None
    assert loaded.rgb.shape == (3, 4, 3)
    assert all((loaded.rgb[..., c] == grey).all() for c in range(3))


def test_one_bit() -> None:
    bits = np.array([[True, False], [False, True]])
    loaded = decode_image(_save(Image.fromarray(bits).convert("1"), "PNG"))
    assert loaded.mode == "1"
    assert loaded.rgb[..., 0].tolist() == [[255, 0], [0, 255]]


def test_la_alpha() -> None:
    la = Image.merge("LA", [Image.new("L", (2, 1), 0), Image.frombytes("L", (2, 1), b"\x80\xff")])
    loaded = decode_image(_save(la, "PNG"))
    assert loaded.mode == "LA"
    assert loaded.alpha is not None and loaded.alpha.tolist() == [[128, 255]]
    assert loaded.rgb[0].tolist() == [[127, 127, 127], [0, 0, 0]]


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_with_transparency(fmt: str) -> None:
    pal = Image.new("P", (3, 1))
    pal.putpalette([*RED, *GREEN, *BLUE])
    pal.putdata([0, 1, 2])
    loaded = decode_image(_save(pal, fmt, transparency=1))
    assert loaded.mode == "P"
    assert loaded.alpha is not None and loaded.alpha.tolist() == [[255, 0, 255]]
    assert loaded.rgb[0].tolist() == [list(RED), list(WHITE), list(BLUE)]


def test_palette_without_transparency() -> None:
    pal = Image.fromarray(_quadrants()).convert("P", palette=Image.Palette.ADAPTIVE)
    loaded = decode_image(_save(pal, "PNG"))
    assert loaded.mode == "P" and loaded.alpha is None
    assert (loaded.rgb == _quadrants()).all()


def test_cmyk_jpeg_red_comes_out_red() -> None:
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))
    loaded = decode_image(_save(cmyk, "JPEG", quality=95))
    assert loaded.mode == "CMYK" and loaded.format == "JPEG"
    r, g, b = loaded.rgb[4, 4].tolist()
    assert r > 230 and g < 25 and b < 25


@pytest.mark.parametrize(("dtype", "fmt"), [("<u2", "PNG"), ("<u2", "TIFF"), (">u2", "TIFF")])
def test_16_bit_grey_is_scaled_by_its_range(dtype: str, fmt: str) -> None:
    grey = np.array([[0, 255, 256, 40000, 65535]], dtype=dtype)
    loaded = decode_image(_save(Image.fromarray(grey), fmt))
    assert loaded.mode in ("I;16", "I;16B")
    assert loaded.rgb[..., 0].tolist() == [[0, 0, 1, 156, 255]]
    assert (loaded.rgb[..., 1] == loaded.rgb[..., 0]).all()


def test_16_bit_rgb_png() -> None:
    rgb16 = np.zeros((2, 2, 3), np.uint16)
    rgb16[..., 0] = 65535
    rgb16[..., 2] = 40000
    loaded = decode_image(encode_png(rgb16))
    assert loaded.format == "PNG"
    assert loaded.rgb[0, 0].tolist() == [255, 0, 156]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (np.array([[0, 32768, 65535]], np.int32), [0, 128, 255]),  # 16-bit data in mode I
        (np.array([[-1000, 0, 1000]], np.int32), [0, 128, 255]),  # no fixed range: stretched
        (np.array([[0.0, 0.25, 1.0]], np.float32), [0, 64, 255]),  # float in [0, 1]
        (np.array([[-1.0, 0.0, 1.0]], np.float32), [0, 128, 255]),  # stretched
    ],
)
def test_32_bit_tiff(values: np.ndarray, expected: list[int]) -> None:
    loaded = decode_image(_save(Image.fromarray(values), "TIFF"))
    assert loaded.mode == ("I" if values.dtype.kind == "i" else "F")
    assert loaded.rgb[0, :, 0].tolist() == expected


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (20, 10), RED)
    img.paste(BLUE, (10, 0, 20, 10))  # left half red, right half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    loaded = decode_image(_save(img, "JPEG", exif=exif, quality=95))
    assert loaded.rgb.shape == (20, 10, 3)  # 10 wide, 20 high
    top, bottom = loaded.rgb[3, 5].astype(int), loaded.rgb[16, 5].astype(int)
    assert top[0] > 200 and top[2] < 60  # the left (red) half is now at the top
    assert bottom[2] > 200 and bottom[0] < 60


def test_animated_gif_gives_first_frame() -> None:
    frames = [Image.new("RGB", (4, 4), colour) for colour in (GREEN, RED)]
    data = _save(frames[0], "GIF", save_all=True, append_images=frames[1:])
    loaded = decode_image(data)
    assert loaded.format == "GIF"
    assert (loaded.rgb == GREEN).all()


def test_mpo_gives_first_frame() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in (GREEN, BLUE)]
    loaded = decode_image(_save(frames[0], "MPO", save_all=True, append_images=frames[1:]))
    assert loaded.format == "MPO"
    r, g, b = loaded.rgb[4, 4].tolist()
    assert g > 230 and r < 25 and b < 25


def test_empty_input() -> None:
    with pytest.raises(EmptyInput):
        decode_image(b"")


@pytest.mark.parametrize(
    "data",
    [
        np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        b"name,price\nmug,12.50\nThis is a text file, not a picture.\n",
    ],
)
def test_not_an_image(data: bytes) -> None:
    with pytest.raises(NotAnImage, match=r"not an image \(PNG, JPEG, WebP, BMP or TIFF expected"):
        decode_image(data)


@pytest.mark.parametrize("fmt", ["PPM", "TGA", "PCX"])
def test_unsupported_format(fmt: str) -> None:
    with pytest.raises(UnsupportedImage, match=fmt):
        decode_image(_save(Image.fromarray(_quadrants()), fmt))


def test_cielab_tiff_is_colour_managed() -> None:
    lab = Image.new("LAB", (2, 1), (128, 128, 128))  # L* 50, a* 0, b* 0: mid grey
    lab.putpixel((1, 0), (135, 208, 195))  # L* 53, a* 80, b* 67: sRGB red
    loaded = decode_image(_save(lab, "TIFF"))
    assert loaded.mode == "LAB"
    grey, red = loaded.rgb[0].astype(int)
    assert abs(grey - 119).max() <= 3
    assert red[0] > 230 and red[1] < 25 and red[2] < 25


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
def test_truncated_file(fmt: str) -> None:
    noise = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = _save(Image.fromarray(noise), fmt)
    with pytest.raises(TruncatedImage, match="truncated"):
        decode_image(data[: len(data) // 2])


def test_png_cut_inside_its_header() -> None:
    with pytest.raises(TruncatedImage):
        decode_image(_save(Image.fromarray(_quadrants()), "PNG")[:20])


def test_pillow_switches_are_pinned() -> None:
    assert Image.MAX_IMAGE_PIXELS is None
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_huge_header_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageTooLarge) as caught:
        decode_image(_png_claiming(50_000, 50_000))
    assert "2,500,000,000" in caught.value.message
    assert "40,000,000" in caught.value.message
    assert "VITRINA_MAX_PIXELS" in caught.value.message


def test_max_pixels_argument() -> None:
    data = _save(Image.new("RGB", (20, 10)), "PNG")
    assert decode_image(data, max_pixels=200).rgb.shape == (10, 20, 3)
    with pytest.raises(ImageTooLarge, match=r"20x10 = 200 pixels, more than the 199 "):
        decode_image(data, max_pixels=199)


def test_max_pixels_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _save(Image.new("RGB", (20, 10)), "PNG")
    monkeypatch.setenv("VITRINA_MAX_PIXELS", "150")
    with pytest.raises(ImageTooLarge, match="VITRINA_MAX_PIXELS"):
        decode_image(data)
    monkeypatch.setenv("VITRINA_MAX_PIXELS", "200")
    assert decode_image(data).rgb.shape == (10, 20, 3)


def test_pillow_bomb_error_becomes_image_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)  # 200 pixels > 2 * 50: Pillow raises
    with pytest.raises(ImageTooLarge):
        decode_image(_save(Image.new("RGB", (20, 10)), "PNG"), max_pixels=1000)


def test_pillow_bomb_warning_becomes_image_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 150)  # 200 pixels > 150: Pillow warns
    with warnings.catch_warnings(), pytest.raises(ImageTooLarge):
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        decode_image(_save(Image.new("RGB", (20, 10)), "PNG"), max_pixels=1000)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(60, dtype=np.uint8).reshape(6, 10),
        np.random.default_rng(2).integers(0, 256, (6, 10, 3), dtype=np.uint8),
        np.random.default_rng(3).integers(0, 256, (6, 10, 4), dtype=np.uint8),
        np.random.default_rng(4).integers(0, 65536, (6, 10), dtype=np.uint16),
        np.random.default_rng(5).integers(0, 65536, (6, 10, 3), dtype=np.uint16),
    ],
    ids=["L", "RGB", "RGBA", "uint16", "uint16-RGB"],
)
@pytest.mark.parametrize("compress_level", [0, 1, 9])
def test_png_round_trip(array: np.ndarray, compress_level: int) -> None:
    data = encode_png(array, compress_level=compress_level)
    back = decode_png_array(data)
    assert back.dtype == array.dtype and back.shape == array.shape
    assert (back == array).all()


@pytest.mark.parametrize("channels", [3, 4])
def test_encode_png_writes_rgb_order(channels: int) -> None:
    array = np.zeros((2, 2, channels), np.uint8)
    array[..., 0] = 255
    if channels == 4:
        array[..., 3] = 77
    with Image.open(io.BytesIO(encode_png(array))) as img:
        assert img.mode == ("RGB", "RGBA")[channels - 3]
        assert (np.asarray(img) == array).all()


def test_encode_png_accepts_views() -> None:
    array = np.random.default_rng(6).integers(0, 256, (8, 8, 4), dtype=np.uint8)
    view = array[::2, ::2, :3]
    assert (decode_png_array(encode_png(view)) == view).all()


@pytest.mark.parametrize(
    "array",
    [np.zeros((2, 2), np.float32), np.zeros((2, 2, 2), np.uint8), np.zeros(4, np.uint8)],
)
def test_encode_png_refuses_other_arrays(array: np.ndarray) -> None:
    with pytest.raises(ValueError, match="expected an HxW"):
        encode_png(array)


@pytest.mark.parametrize("data", [b"", b"not a png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20])
def test_decode_png_array_refuses_other_data(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        decode_png_array(data)
