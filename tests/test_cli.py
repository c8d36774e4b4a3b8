"""The `vitrina` command as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT, png_bytes
from vitrina.imaging import decode_png_array

VITRINA = str(ROOT / ".venv/bin/vitrina")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VITRINA, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("run", "serve", "matting", "banner"):
        assert command in result.stdout
    assert "--model" in run("matting", "--help").stdout


def test_matting_writes_cutouts_masks_and_a_sorted_report(tmp_path: Path, photo) -> None:
    (tmp_path / "bottle.png").write_bytes(png_bytes(photo[0]))
    (tmp_path / "notes.jpg").write_text("not a picture")
    out = tmp_path / "out"
    result = run("matting", str(ROOT / "samples/coffee.png"), str(tmp_path / "bottle.png"),
                 str(tmp_path / "notes.jpg"), str(tmp_path / "missing.png"), "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert "2 cut out, 2 failed" in result.stderr
    assert "[   4/3]" not in result.stderr and "NotAnImage" in result.stderr
    # Progress from the first line (what was queued), then a bar with counts; no log records
    # of stages or libraries on the terminal: they go to the data directory's log file.
    assert result.stderr.splitlines()[0].startswith("queued 3 photo(s) to cut out as job ")
    assert "3/3" in result.stderr and "photo/s" in result.stderr
    assert '"level"' not in result.stderr and "INFO" not in result.stderr
    assert (Path(os.environ["VITRINA_HOME"]) / "logs" / "vitrina.log").is_file()
    report = json.loads((out / "report.json").read_text())
    names = [i["name"] for i in report["items"]]
    assert set(names[:2]) == {"coffee", "bottle"} and set(names[2:]) == {"notes", "missing"}
    ok = report["items"][:2]
    assert ok[0]["confidence"] >= ok[1]["confidence"]
    errors = {i["name"]: i["error"]["type"] for i in report["items"][2:]}
    assert errors == {"notes": "NotAnImage", "missing": "FileNotFound"}
    rgba = decode_png_array((out / "bottle.png").read_bytes())
    mask = decode_png_array((out / "bottle.mask.png").read_bytes())
    assert rgba.shape == (*photo[1].shape, 4) and mask.shape == photo[1].shape
    assert (rgba[..., 3] == mask).all()


def test_run_prints_output_and_history(tmp_path: Path) -> None:
    payload = {"job_id": "cli-1", "item_id": "00000", "name": "x",
               "source": {"url": "http://127.0.0.1:9/latest/x.png"}}
    (tmp_path / "in.json").write_text(json.dumps(payload))
    result = run("run", "MattingStateMachine", "--input", str(tmp_path / "in.json"), "--history")
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"] == "FetchRefused"
    assert "TaskStateEntered" in result.stderr and "RecordError" in result.stderr


def test_banner_writes_sizes_layouts_report_and_sheet(tmp_path: Path, photo) -> None:
    (tmp_path / "bottle.png").write_bytes(png_bytes(photo[0]))
    out = tmp_path / "out"
    result = run("banner", str(tmp_path / "bottle.png"), "--title", "Thermo bottle 保温杯",
                 "--price", "89", "--original-price", "129", "--cta", "Buy now", "--badge",
                 "NEW", "--size", "1200x628", "--size", "300x600", "--variants", "2",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "designed" in result.stderr  # progress
    report = json.loads((out / "report.json").read_text())
    for size in ("1200x628", "300x600"):
        names = sorted(p.name for p in (out / size).iterdir())
        assert len(names) == 4 and names[0].startswith("1-") and names[2].startswith("2-")
        layout = json.loads((out / size / names[0]).read_text())
        assert f"{layout['width']}x{layout['height']}" == size
    assert [s["size"] for s in report["sizes"]] == ["1200x628", "300x600"]
    assert (out / "sheet.png").stat().st_size > 10_000


def test_banner_refuses_bad_sizes_and_missing_files(tmp_path: Path) -> None:
    result = run("banner", "nope.png", "--title", "x", "--size", "100x100", "--out",
                 str(tmp_path))
    assert result.returncode == 2 and "250..3000" in result.stderr
    result = run("banner", str(tmp_path / "nope.png"), "--title", "x", "--out", str(tmp_path))
    assert result.returncode == 2 and "no such file" in result.stderr
