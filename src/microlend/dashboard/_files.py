"""Documents written beside a model or a report: atomically, and refused early where they
cannot be written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from microlend.errors import ConfigError

__all__ = ["check_writable", "write_text_atomically"]

#: Readable by all, as the model's other files are (a temporary file is created 0600).
_MODE = 0o644


def write_text_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``: a temporary file beside it, then a rename, so a reader sees
    the old document or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temporary).chmod(_MODE)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def check_writable(path: Path, *, elsewhere: str) -> None:
    """Refuse, before any work, a ``path`` whose folder cannot take a new file (read-only, or
    not ours): one temporary file is created there and removed. ``elsewhere`` says how to write
    it somewhere else."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot write {path.name} in {folder} ({reason}); {elsewhere}") from None
    os.close(handle)
    Path(temporary).unlink()
