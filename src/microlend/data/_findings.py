"""Collecting contract violations without building millions of them.

Each rule finds its offending rows vectorised (a boolean mask or a query), counts them all, and
keeps only the first ``PER_RULE`` located violations: enough to fix the file, cheap at any size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from microlend.errors import DataContractError, Violation

__all__ = ["PER_RULE", "Findings", "Source"]

#: Located violations kept per rule; the others are counted only.
PER_RULE = 5


@dataclass(frozen=True)
class Source:
    """Where a table was read from, to turn a 0-based row index into a located violation.

    ``renamed``: (contract column, the file's column) where a mapping file renamed one: its
    violations name the file's column, and the contract's after the message.
    """

    table: str
    path: Path
    renamed: tuple[tuple[str, str], ...] = ()

    @property
    def file(self) -> str:
        return self.path.name

    @property
    def is_text(self) -> bool:
        return self.path.suffix == ".csv"

    def violation(self, index: int | None, column: str | None, message: str) -> Violation:
        """A violation at 0-based data row ``index`` (``None``: the whole file or column)."""
        exported = dict(self.renamed).get(column or "")
        if exported is not None:
            column, message = exported, f"{message} (contract column {self.table}.{column})"
        if index is None:
            return Violation(self.file, None, column, message)
        row = index + 1
        # A CSV header is line 1 and values cannot span lines (the reader refuses that),
        # so data row n is line n + 1.
        return Violation(self.file, row, column, message, line=row + 1 if self.is_text else None)


class Findings:
    """The violations found so far: the first few of each rule, and the count of all."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.total = 0

    def add(self, violation: Violation) -> None:
        self.violations.append(violation)
        self.total += 1

    def add_rows(
        self,
        source: Source,
        column: str | None,
        mask: pa.Array | pa.ChunkedArray,
        describe: Callable[[int], str],
    ) -> None:
        """Count the rows where ``mask`` is true; locate the first few, worded by ``describe``."""
        mask = pc.fill_null(mask, False)
        count = pc.sum(mask).as_py() or 0
        if count == 0:
            return
        self.total += count
        for index in pc.indices_nonzero(mask)[:PER_RULE].to_pylist():
            self.violations.append(source.violation(index, column, describe(index)))

    def add_located(
        self,
        source: Source,
        column: str | None,
        total: int,
        located: Iterable[tuple[int | None, str]],
    ) -> None:
        """Add a rule's ``total`` count and its first few ``(row index, message)`` pairs."""
        self.total += total
        for index, message in located:
            self.violations.append(source.violation(index, column, message))

    def raise_if_any(self) -> None:
        """Raise one ``DataContractError`` holding everything found so far, if anything."""
        if self.total:
            raise DataContractError(self.violations, self.total)
