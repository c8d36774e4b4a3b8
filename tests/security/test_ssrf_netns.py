"""SSRF refusals against real servers on private and link-local addresses.

Those addresses must never be reached on the machine running the tests (169.254.169.254 is
the cloud metadata service), so netns_fetch.py runs inside ``unshare -n``: a fresh network
namespace with only lo, where the test gives lo the addresses it needs. Nothing there has a
route out. The test fails, rather than skips, where namespaces are unavailable: a skipped
security check reads like a passed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = Path(__file__).with_name("netns_fetch.py")
SETUP = (
    "ip link set lo up && ip addr add 10.20.30.40/32 dev lo && "
    "ip addr add 169.254.169.254/32 dev lo && ip addr add fd00::1/128 dev lo"
)


def _namespace_problem() -> str | None:
    for tool in ("unshare", "ip"):
        if shutil.which(tool) is None:
            return f"the {tool} command is missing (packages util-linux and iproute2)"
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"],
                           capture_output=True, text=True, timeout=20)
    if probe.returncode != 0:
        return (f"`unshare -n` does not work here ({probe.stderr.strip() or probe.returncode}); "
                "it needs root or unprivileged user namespaces")
    return None


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith("VITRINA_FETCH_") and k != "VITRINA_API_SELF"}


def test_ssrf_inside_network_namespace() -> None:
    problem = _namespace_problem()
    if problem:
        pytest.fail(f"cannot run the SSRF checks in a network namespace: {problem}")
    result = subprocess.run(
        ["unshare", "-n", "sh", "-c", f'{SETUP} && exec "$0" "$1"', sys.executable, str(HELPER)],
        capture_output=True, text=True, timeout=120, env=_clean_env(),
    )
    output = f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, output
    assert "all SSRF checks passed" in result.stdout, output


def test_helper_refuses_to_run_outside_a_namespace() -> None:
    import socket

    if [name for _, name in socket.if_nameindex()] == ["lo"]:
        pytest.skip("this machine itself has only lo: there is no outside to refuse")
    result = subprocess.run([sys.executable, str(HELPER)], capture_output=True, text=True,
                            timeout=30, env=_clean_env())
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to run" in result.stderr
