"""API concurrency benchmark: does one slow request or a burst of work hold the others?

    .venv/bin/python bench/api.py [--runs N] [--cutouts N]      # or: make bench-api

Starts `vitrina serve` as a user would (a separate process on loopback), then in each run
sends N concurrent cutouts of the sample photo plus one URL whose server dribbles a byte
every 0.5 s, and polls /healthz every 20 ms meanwhile. Then 16 parallel refinements of one
result. Prints medians over the runs; nothing is asserted (tests/security asserts the
guarantees).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.security.servers import slow_loris  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def serve(port: int, allow: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VITRINA_FETCH_ALLOW_NETS": allow, "VITRINA_FETCH_DEADLINE_S": "20"}
    process = subprocess.Popen([str(ROOT / ".venv/bin/vitrina"), "serve", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("vitrina serve did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz_during(base: str, busy: list) -> list[float]:
    latencies = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while not all(f.done() for f in busy) and len(latencies) < 20_000:
            started = time.perf_counter()
            client.get("/healthz")
            latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
    return latencies


def one_run(base: str, loris_port: int, photo: bytes, cutouts: int) -> dict[str, float]:
    def cutout() -> tuple[int, float]:
        started = time.perf_counter()
        status = httpx.post(f"{base}/v1/matting", files={"file": ("coffee.png", photo)},
                            timeout=600).status_code
        return status, time.perf_counter() - started

    def slow() -> tuple[int, float]:
        started = time.perf_counter()
        status = httpx.post(f"{base}/v1/matting", timeout=600,
                            json={"url": f"http://127.0.0.1:{loris_port}/p.png"}).status_code
        return status, time.perf_counter() - started

    with ThreadPoolExecutor(cutouts + 1) as pool:
        started = time.perf_counter()
        loris = pool.submit(slow)
        work = [pool.submit(cutout) for _ in range(cutouts)]
        latencies = healthz_during(base, work)
        wall = time.perf_counter() - started
        results = [f.result() for f in work]
        loris_status, loris_s = loris.result()
    return {"healthz_p50_ms": 1000 * statistics.median(latencies),
            "healthz_p99_ms": 1000 * percentile(latencies, 0.99),
            "healthz_max_ms": 1000 * max(latencies),
            "cutouts_ok": sum(1 for s, _ in results if s == 200),
            "cutout_median_s": statistics.median(t for _, t in results),
            "wall_s": wall, "slow_status": loris_status, "slow_s": loris_s}


def refines(base: str, photo: bytes) -> tuple[float, int, int]:
    with httpx.Client(base_url=base, timeout=600) as client:
        rid = client.post("/v1/matting?response=json",
                          files={"file": ("coffee.png", photo)}).json()["result_id"]

    def refine(i: int) -> httpx.Response:
        body = {"base_version": 1, "strokes": [{"tool": "pen", "radius": 4,
                                                 "points": [[10 + 9 * i, 10]]}]}
        return httpx.post(f"{base}/v1/matting/{rid}/refine", json=body, timeout=600)

    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(refine, range(16)))
    wall = time.perf_counter() - started
    ok = [a for a in answers if a.status_code == 200]
    return wall, len(ok), len({a.json()["version"] for a in ok})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cutouts", type=int, default=20)
    args = parser.parse_args()
    photo = (ROOT / "samples" / "coffee.png").read_bytes()
    port = free_port()
    with slow_loris(byte_every_s=0.5, count=100, max_s=600) as loris_port:
        process = serve(port, f"127.0.0.1:{loris_port}")
        base = f"http://127.0.0.1:{port}"
        try:
            idle = []
            with httpx.Client(base_url=base) as client:
                for _ in range(200):
                    started = time.perf_counter()
                    client.get("/healthz")
                    idle.append(time.perf_counter() - started)
            runs = [one_run(base, loris_port, photo, args.cutouts) for _ in range(args.runs)]
            refine_runs = [refines(base, photo) for _ in range(args.runs)]
        finally:
            process.terminate()
            process.wait(30)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"vitrina API concurrency benchmark ({os.cpu_count()} cores, `vitrina serve`, "
          f"{args.runs} runs, medians)")
    print(f"GET /healthz idle: p50 {1000 * statistics.median(idle):.1f} ms, "
          f"p99 {1000 * percentile(idle, 0.99):.1f} ms")
    print(f"under {args.cutouts} concurrent cutouts of samples/coffee.png + 1 slow-loris URL:")
    print(f"  GET /healthz p50 {med['healthz_p50_ms']:.1f} ms, "
          f"p99 {med['healthz_p99_ms']:.1f} ms (target <= 100 ms), "
          f"max {med['healthz_max_ms']:.1f} ms")
    print(f"  cutouts completed {med['cutouts_ok']:.0f}/{args.cutouts}, "
          f"each {med['cutout_median_s']:.2f} s median, all in {med['wall_s']:.1f} s")
    print(f"  slow-loris URL: HTTP {med['slow_status']:.0f} after {med['slow_s']:.1f} s "
          "(VITRINA_FETCH_DEADLINE_S=20)")
    wall = statistics.median(r[0] for r in refine_runs)
    print(f"16 parallel refines of one result: {wall:.2f} s, "
          f"{min(r[1] for r in refine_runs)}/16 answered 200, "
          f"{min(r[2] for r in refine_runs)} distinct versions")


if __name__ == "__main__":
    main()
