"""`pip install .` (not editable) gives a working `vitrina`: the wheel carries the template,
the state machines and every handler, and the engine finds them outside any checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

from tests.conftest import ROOT

SOURCES = ("pyproject.toml", "README.md", "template.yaml", "shared", "statemachines",
           "functions")


def test_every_function_and_state_machine_ships_in_the_wheel() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "data-files"]
    shipped = {Path(target).name for target in data if "/functions/" in target}
    assert shipped == {p.name for p in (ROOT / "functions").iterdir() if p.is_dir()}
    assert data["share/vitrina"] == ["template.yaml"]


def test_a_non_editable_install_runs_outside_the_checkout(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns(
            "__pycache__", "*.egg-info")} if (ROOT / name).is_dir() else {}))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path / "dist"), str(source)], check=True, timeout=300)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv)}))
    # The dependencies come from the project's environment; vitrina itself from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    wheel = next((tmp_path / "dist").glob("vitrina-*.whl"))
    subprocess.run([*pip, "--python", str(venv / "bin/python"), "install", "--no-deps",
                    "--no-index", str(wheel)], check=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy2(ROOT / "samples/coffee.png", work / "coffee.png")
    result = subprocess.run([str(venv / "bin/vitrina"), "matting", "coffee.png", "--out", "out",
                             "--quiet"], cwd=work, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (work / "out/coffee.png").stat().st_size > 10_000
    where = subprocess.run([str(venv / "bin/python"), "-c",
                            "import vitrina, vitrina.engine.local as e; "
                            "print(vitrina.__file__, e.project_root())"],
                           cwd=work, capture_output=True, text=True, check=True)
    module, root = where.stdout.split()
    assert module.startswith(str(venv)) and root == str(venv / "share/vitrina")
