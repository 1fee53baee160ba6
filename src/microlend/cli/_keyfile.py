"""Where new staff keys go: a terminal, or else a file only its owner may read.

A risk officer or servicing key opens every merchant's data and moves money. Printed into a
pipe, it would land in logs, CI output or a process supervisor's journal; so it is printed only
to a terminal, and otherwise written to a new file of mode 0o600 and only the file's path is
printed. The file is made (never over an existing one) before the keys are, so a key is never
made that cannot be delivered. Merchant keys, which see one merchant, are still printed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from microlend.cli._book import book_file
from microlend.errors import ConfigError
from microlend.service import Role

__all__ = ["STAFF", "DeliveredKeys", "KeySink", "default_key_file", "staff_key_sink"]

STAFF = frozenset({Role.RISK_OFFICER, Role.SERVICING})

_MODE = 0o600
# Default names take the first free number (book-keys.txt, book-keys-2.txt, ...).
_NUMBERS = 1000


@dataclass(frozen=True)
class DeliveredKeys:
    """New keys as delivered: ``shown`` to be printed, ``filed`` roles written to ``path``."""

    shown: Mapping[Role, str] = field(default_factory=dict)
    filed: tuple[Role, ...] = ()
    path: Path | None = None


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def default_key_file(db: str, name: str) -> Path:
    """``NAME.txt`` beside a SQLite book, prefixed with its name (``book-keys.txt`` beside
    ``book.sqlite``); ``microlend-NAME.txt`` in the current folder for any other book."""
    file = book_file(db)
    if file is None:
        return Path(f"microlend-{name}.txt")
    return file.with_name(f"{file.stem}-{name}.txt")


class KeySink:
    """Takes the keys just made: staff keys into the reserved file when there is one."""

    def __init__(self, path: Path | None, fd: int | None) -> None:
        self.path, self._fd, self.written = path, fd, False

    def deliver(self, keys: Mapping[Role, str]) -> DeliveredKeys:
        staff = {role: key for role, key in keys.items() if role in STAFF}
        if self._fd is None or self.path is None or not staff:
            return DeliveredKeys(shown=dict(keys))
        lines = ["# microlend API keys, shown this once (only their hashes are stored)"]
        lines += [f"{role.value} {key}" for role, key in staff.items()]
        os.write(self._fd, ("\n".join(lines) + "\n").encode())
        os.fsync(self._fd)
        self.written = True
        rest = {role: key for role, key in keys.items() if role not in STAFF}
        return DeliveredKeys(shown=rest, filed=tuple(staff), path=self.path)


@contextmanager
def staff_key_sink(path: Path, *, numbered: bool, wanted: bool = True) -> Iterator[KeySink]:
    """A sink for keys made inside the block. Not on a terminal (and ``wanted``: keys will be
    made) a new file is reserved at ``path`` first (``numbered``: the next free number when it
    is taken, for default names); it is removed again if the block fails or files nothing."""
    if not wanted or stdout_is_terminal():
        yield KeySink(None, None)
        return
    target, fd = _reserve(path, numbered=numbered)
    sink = KeySink(target, fd)
    try:
        yield sink
    finally:
        os.close(fd)
        if not sink.written:
            target.unlink(missing_ok=True)


def _reserve(path: Path, *, numbered: bool) -> tuple[Path, int]:
    candidates = [path]
    if numbered:
        candidates += [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, _NUMBERS)]
    for candidate in candidates:
        try:
            return candidate, os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ConfigError(f"cannot create the key file {candidate}: {exc.strerror}") from None
    raise ConfigError(
        f"{path} exists: keys are never written over a file; move it or name another with "
        "--key-file"
    )
