"""A serving command run as a user runs it: a real process on a free port, its output in a log.

Readiness is a poll of ``/health`` with a deadline (no fixed wait); the URLs and keys are read
back from what the command printed, and staff keys from the file it named (stdout is a log, not
a terminal).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

#: Long enough for ``demo --serve`` to simulate and fit first on a busy two-core machine.
READY_SECONDS = 300.0
STOP_SECONDS = 30.0

# Lines as ``microlend.cli._served.print_access`` prints them (never wrapped).
_KEY = re.compile(r"^new (\w+) key(?: of merchant (\S+))? \(shown once\): (ml_\S+)$", re.M)
_URL = re.compile(r"^(\w[\w ()]*?):\s+(http://\S+)$", re.M)
_FILED = re.compile(r"^new [\w, ]+ keys written to a file only you can read: (.+)$", re.M)


@dataclass(frozen=True)
class Printed:
    """What a serving command printed: URLs by label, keys by role, the merchant key's owner."""

    urls: dict[str, str]
    keys: dict[str, str]
    key_merchant: str | None
    key_file: Path | None = None


def printed(text: str) -> Printed:
    keys = {role: key for role, _, key in _KEY.findall(text)}
    owners = [merchant for _, merchant, _ in _KEY.findall(text) if merchant]
    filed = _FILED.search(text)
    key_file = Path(filed[1]) if filed else None
    return Printed(dict(_URL.findall(text)), keys, owners[0] if owners else None, key_file)


def filed_keys(path: Path) -> dict[str, str]:
    """The keys of a key file by role, after checking that only its owner may read it."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    pairs = [line.partition(" ") for line in lines]
    return {role: key for role, _, key in pairs}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_cli(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """``microlend ARGS`` in a new process, stdout and stderr (unbuffered) to ``log``."""
    command = [sys.executable, "-c", "from microlend.cli import main; main()", *args]
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_ready(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Return once ``base``/health answers 200; fail if the process exits or the deadline passes."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the command exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            # Not listening yet: wait a moment on the process itself (an exit ends the wait).
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.2)
    process.kill()
    pytest.fail(f"the command did not answer /health in {READY_SECONDS:.0f} s:\n{log.read_text()}")


def interrupt(process: subprocess.Popen[bytes]) -> int:
    """Ctrl+C: SIGINT, then the exit status (killed and failed if it outlives the deadline)."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the command still ran {STOP_SECONDS:.0f} s after SIGINT")


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def log_in(client: httpx.Client, key: str) -> None:
    """Log ``client`` (its ``base_url`` the served app) in to the pages with ``key``, as a
    browser does: the login form's CSRF token, then the key posted for a session cookie."""
    form = client.get("/login")
    token = _CSRF.search(form.text)
    assert token is not None, form.text
    answer = client.post("/login", data={"key": key, "csrf": token[1]}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
