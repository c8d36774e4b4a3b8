"""What the embedded engine costs: per product, the CLI's wall time for one item beside the
same work through the library alone (each in a fresh process: interpreter, imports, model
load and files written count on both sides), their ratio, and `vitrina serve`'s cold start
to its first answered request. Prints medians; asserts nothing.

Run: make bench-engine (or .venv/bin/python bench/engine.py --runs 5)
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VITRINA = str(ROOT / ".venv/bin/vitrina")
PHOTO = ROOT / "samples/coffee.png"

# The library side of each product, as a user of the library would write it.
LIBRARY_MATTING = """
import sys
from pathlib import Path
from vitrina.imaging import decode_image, encode_png
from vitrina.matting.pipeline import cut_out
out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
cut = cut_out(decode_image(Path(sys.argv[1]).read_bytes()))
(out / "coffee.png").write_bytes(encode_png(cut.rgba))
(out / "coffee.mask.png").write_bytes(encode_png(cut.alpha))
"""
LIBRARY_BANNER = """
import sys
from pathlib import Path
from vitrina.banner import compose, render
from vitrina.banner.analyse import analyse_product
from vitrina.banner.layout import Copy
from vitrina.banner.templates import load_templates
from vitrina.imaging import decode_image
out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
image = decode_image(Path(sys.argv[1]).read_bytes())
inputs = compose.Inputs(photo=image.rgb, analysis=analyse_product(image))
kept, _ = compose.compose(inputs, Copy(title="Single-origin coffee", price="89", cta="Buy now"),
                          [(1200, 628)], 6)[(1200, 628)]
for n, v in enumerate(kept, 1):
    assets = compose.assets_for(load_templates()[v.template], inputs)
    (out / f"{n}-{v.template}.png").write_bytes(render.encode(render.render(v.layout, assets),
                                                              "png"))
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_cold_start(env: dict[str, str]) -> float:
    """Seconds from `vitrina serve` starting to its first answered /healthz."""
    import httpx

    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([VITRINA, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.02)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vitrina-bench-engine-"))
    env = {**os.environ, "VITRINA_HOME": str(work / "home")}
    python = str(ROOT / ".venv/bin/python")
    cases = {
        "matting, one photo": (
            [VITRINA, "matting", str(PHOTO), "--out", str(work / "m-cli"), "--quiet"],
            [python, "-c", LIBRARY_MATTING, str(PHOTO), str(work / "m-lib")]),
        "banner, 1200x628 x 6 variants": (
            [VITRINA, "banner", str(PHOTO), "--title", "Single-origin coffee", "--price", "89",
             "--cta", "Buy now", "--size", "1200x628", "--variants", "6",
             "--out", str(work / "b-cli"), "--quiet"],
            [python, "-c", LIBRARY_BANNER, str(PHOTO), str(work / "b-lib")]),
    }
    print(f"vitrina engine benchmark ({os.cpu_count()} cores, {args.runs} runs, medians; "
          "each run a fresh process)")
    for name, (cli, library) in cases.items():
        timed(cli, env), timed(library, env)  # warm the file cache and the data directory
        cli_s = statistics.median(timed(cli, env) for _ in range(args.runs))
        lib_s = statistics.median(timed(library, env) for _ in range(args.runs))
        print(f"{name:<32} CLI {cli_s:6.2f} s   library {lib_s:6.2f} s   "
              f"ratio x{cli_s / lib_s:.2f} (target <= 1.5)")
    cold = statistics.median(serve_cold_start(env) for _ in range(args.runs))
    print(f"{'vitrina serve cold start':<32} {cold:6.2f} s to the first answered request "
          "(target <= 3 s)")


if __name__ == "__main__":
    sys.exit(main())
