"""The Makefile's set-up: it picks a supported Python from PATH, and only `make test` needs a
browser (the demo installs nothing with apt).

``make -n -B`` prints what each target would run without running it, in a scratch folder that
holds the Makefile and empty stand-ins for the files its targets depend on.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    for name in ("pyproject.toml", "requirements.lock"):
        (folder / name).touch()
    return folder


def _python_named(folder: Path, name: str) -> Path:
    """An executable called ``name`` in ``folder`` (make only looks it up, never runs it here)."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def _dry_run(
    scratch: Path, target: str, path: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    assert MAKE is not None, "make is needed to set the project up"
    return subprocess.run(
        [MAKE, "-n", "-B", target, *extra],
        cwd=scratch,
        env={"PATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def test_setup_takes_the_first_supported_python_on_path(scratch: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    newer = _python_named(bin_dir, "python3.13")
    _python_named(bin_dir, "python3.10")  # not supported: never chosen
    run = _dry_run(scratch, "setup", str(bin_dir))
    assert run.returncode == 0, run.stderr
    assert f"{newer} -m venv .venv" in run.stdout


def test_setup_prefers_the_version_ci_runs(scratch: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _python_named(bin_dir, "python3.12")
    ci = _python_named(bin_dir, "python3.11")
    run = _dry_run(scratch, "setup", str(bin_dir))
    assert f"{ci} -m venv .venv" in run.stdout


def test_an_explicit_python_wins(scratch: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _python_named(bin_dir, "python3.11")
    chosen = _python_named(tmp_path / "elsewhere", "python3.13")
    run = _dry_run(scratch, "setup", str(bin_dir), f"PY={chosen}")
    assert f"{chosen} -m venv .venv" in run.stdout


def test_no_supported_python_says_so(scratch: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _python_named(bin_dir, "python3.10")
    assert MAKE is not None
    # Not a dry run of the venv: make must stop at the check, before any command runs.
    run = subprocess.run(
        [MAKE, "-B", "setup"],
        cwd=scratch,
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "no Python 3.11 3.12 3.13 on PATH" in run.stderr
    assert not (scratch / ".venv").exists()


def test_only_the_tests_install_a_browser(scratch: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _python_named(bin_dir, "python3.11")
    demo = _dry_run(scratch, "demo", str(bin_dir))
    test = _dry_run(scratch, "test", str(bin_dir), "MICROLEND_CHROMIUM=/nonexistent/chrome")
    assert demo.returncode == 0, demo.stderr
    assert "apt-get" not in demo.stdout
    assert "chromium" in test.stdout


def test_a_named_chromium_that_is_missing_stops_make_test(scratch: Path, tmp_path: Path) -> None:
    assert MAKE is not None
    # Run for real (only the browser target): a wrong MICROLEND_CHROMIUM must not fall back
    # to installing another browser with apt.
    run = subprocess.run(
        [MAKE, "browser", "MICROLEND_CHROMIUM=/nonexistent/chrome"],
        cwd=scratch,
        env={"PATH": "/usr/bin:/bin", "MICROLEND_CHROMIUM": "/nonexistent/chrome"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "MICROLEND_CHROMIUM=/nonexistent/chrome is not an executable" in run.stderr
    assert "apt-get" not in run.stdout
