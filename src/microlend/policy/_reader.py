"""Typed reading of a parsed TOML document, every problem named by its key path.

``Node`` wraps one table of the document and remembers which keys were read, so ``finish``
can refuse the keys nobody asked for (a misspelt key is an error, not a silent default). Each
message reads ``<file>: <key path>: expected ..., got ...`` so a risk officer finds the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn

from microlend.errors import ConfigError

__all__ = ["Node"]

_MISSING: Any = object()


def _shown(value: object) -> str:
    """A value as the file wrote it: text quoted, numbers plain."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, Decimal | int) and not isinstance(value, bool)


class Node:
    """One table of a policy document at ``path`` (empty for the root)."""

    def __init__(self, source: str, path: str, body: Mapping[str, Any]) -> None:
        self.source = source
        self.path = path
        self._body = body
        self._read: set[str] = set()

    def where(self, key: str | None = None) -> str:
        """The key path of ``key`` in this table (or of the table itself)."""
        if key is None:
            return self.path or "(top level)"
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str | None, message: str) -> NoReturn:
        raise ConfigError(f"{self.source}: {self.where(key)}: {message}")

    def has(self, key: str) -> bool:
        return key in self._body

    def names(self) -> list[str]:
        """Every key of this table (all count as read)."""
        self._read.update(self._body)
        return list(self._body)

    def _get(self, key: str, default: Any) -> Any:
        self._read.add(key)
        if key in self._body:
            return self._body[key]
        if default is _MISSING:
            self.fail(key, "missing")
        return default

    def table(self, key: str) -> Node:
        value = self._get(key, _MISSING)
        if not isinstance(value, dict):
            self.fail(key, f"expected a table, got {_shown(value)}")
        return Node(self.source, self.where(key), value)

    def tables(self, key: str) -> list[Node]:
        """An array of tables (``[[key]]``), each named ``key[i]``, counted from 0."""
        value = self._get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, f"expected an array of tables, got {_shown(value)}")
        return [Node(self.source, f"{self.where(key)}[{i}]", v) for i, v in enumerate(value)]

    def text(self, key: str, *, choices: tuple[str, ...] = (), default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty text, got {_shown(value)}")
        if choices and value not in choices:
            self.fail(key, f"expected one of {', '.join(choices)}, got {_shown(value)}")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"expected a list of texts, got {_shown(value)}")
        if len(set(value)) != len(value):
            self.fail(key, f"names an entry twice: {value}")
        return tuple(value)

    def number(
        self, key: str, low: Decimal | int, high: Decimal | int, *, default: Any = _MISSING
    ) -> Decimal:
        """A decimal in ``[low, high]``; TOML floats arrive as ``Decimal`` (exact)."""
        value = self._get(key, default)
        return self._check_number(key, value, low, high)

    def optional_number(self, key: str, low: Decimal | int, high: Decimal | int) -> Decimal | None:
        value = self._get(key, None)
        return None if value is None else self._check_number(key, value, low, high)

    def numbers(self, key: str, low: Decimal | int, high: Decimal | int) -> tuple[Decimal, ...]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list) or not value:
            self.fail(key, f"expected a non-empty list of numbers, got {_shown(value)}")
        return tuple(self._check_number(key, v, low, high) for v in value)

    def _check_number(
        self, key: str, value: Any, low: Decimal | int, high: Decimal | int
    ) -> Decimal:
        if not _is_number(value) or not Decimal(value).is_finite() or not low <= value <= high:
            self.fail(key, f"expected a number between {low} and {high}, got {_shown(value)}")
        return Decimal(value)

    def integer(self, key: str, low: int, high: int, *, default: Any = _MISSING) -> int:
        value = self._get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.fail(key, f"expected a whole number between {low} and {high}, got {_shown(value)}")
        return value

    def amount(self, key: str) -> Decimal:
        """A positive money amount, written as a whole number or a decimal text ("2500.50")."""
        return self._check_amount(key, self._get(key, _MISSING))

    def optional_amount(self, key: str) -> Decimal | None:
        value = self._get(key, None)
        return None if value is None else self._check_amount(key, value)

    def _check_amount(self, key: str, value: Any) -> Decimal:
        try:
            amount = Decimal(value) if _is_number(value) or isinstance(value, str) else None
        except ArithmeticError:
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0:
            self.fail(key, f"expected a positive amount, got {_shown(value)}")
        return amount

    def finish(self) -> None:
        """Refuse any key of this table that was not read: it is misspelt or not supported."""
        unknown = sorted(set(self._body) - self._read)
        if unknown:
            self.fail(unknown[0], "unknown key")
