"""The one error tree of microlend.

Every error raised on purpose is a ``MicrolendError`` and also the built-in it most resembles,
so callers may catch either. The cli and the api translate these once, at the edge; library
code never prints. A declined application is a result with reasons, never an exception.

::

    MicrolendError(Exception)
    ├── DataContractError(ValueError)     input records break the data contract: file, row, column
    ├── ConfigError(ValueError)           a setting, option or policy file is invalid
    ├── NotFoundError(LookupError)        a merchant, loan, model or file asked for is absent
    ├── SegregationError(PermissionError)  a key would check its own proposal (maker-checker)
    ├── ModelError(Exception)             a model cannot be trained or used
    │   ├── NotFittedError(AttributeError)    a learned component was used before ``fit``
    │   └── ArtifactError(ValueError)         a saved model is incomplete, altered or incompatible
    └── LedgerError(Exception)            a money movement would break the book
        ├── UnbalancedEntryError(ValueError)  postings of one transaction do not sum to zero
        ├── IdempotencyConflictError(ValueError)  a key was reused for a different request
        ├── OfferUnavailableError             a decision's offers are used, superseded or expired
        ├── ProposalUnavailableError          a proposal is approved, rejected or stale already
        └── LimitExceededError                a loan would take a merchant past its granted limit
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ArtifactError",
    "ConfigError",
    "DataContractError",
    "IdempotencyConflictError",
    "LedgerError",
    "LimitExceededError",
    "MicrolendError",
    "ModelError",
    "NotFittedError",
    "NotFoundError",
    "OfferUnavailableError",
    "ProposalUnavailableError",
    "SegregationError",
    "UnbalancedEntryError",
    "Violation",
]


class MicrolendError(Exception):
    """Base of every error microlend raises on purpose."""


@dataclass(frozen=True)
class Violation:
    """One broken rule of the data contract, located as precisely as the input allows.

    ``row`` is the 1-based data row of the file (the header of a CSV file is not a row, so data
    row 1 is line 2 of the file); ``None`` where the rule concerns the whole file or column.
    ``line`` is the physical line of a text file, shown beside the row so an editor finds it.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (line {self.line})" if self.line else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class DataContractError(MicrolendError, ValueError):
    """Input records break the data contract.

    Holds the first few violations found (``violations``) and how many there were in all
    (``total``); the message names the file, row and column of each one shown.
    """

    shown = 5

    def __init__(self, violations: Sequence[Violation], total: int | None = None) -> None:
        if not violations:
            raise ValueError("DataContractError needs at least one violation")
        self.violations = tuple(violations)
        self.total = max(total if total is not None else len(violations), len(violations))
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [str(v) for v in self.violations[: self.shown]]
        hidden = self.total - len(lines)
        if hidden > 0:
            lines.append(f"... and {hidden} more violation{'s' if hidden != 1 else ''}")
        return "\n".join(lines)


class ConfigError(MicrolendError, ValueError):
    """A setting, command-line option or policy file is invalid."""


class NotFoundError(MicrolendError, LookupError):
    """Something asked for by id or path does not exist."""


class ModelError(MicrolendError):
    """A model cannot be trained or used."""


class NotFittedError(ModelError, AttributeError):
    """A learned component was used before ``fit`` was called."""


class ArtifactError(ModelError, ValueError):
    """A saved model artefact is incomplete, altered or was made by incompatible versions."""


class LedgerError(MicrolendError):
    """A money movement would break the book."""


class UnbalancedEntryError(LedgerError, ValueError):
    """The postings of one transaction do not sum to zero."""


class IdempotencyConflictError(LedgerError, ValueError):
    """An idempotency key was reused for a request that differs from the first."""


class OfferUnavailableError(LedgerError):
    """A decision's offers cannot be accepted: ``reason`` says why, one of ``REASONS``."""

    #: used: a loan came of it already; superseded: the merchant has a newer decision;
    #: expired: past its ``expires_on``; declined: it made no offer that stands.
    REASONS = ("used", "superseded", "expired", "declined")

    def __init__(self, reason: str, message: str) -> None:
        assert reason in self.REASONS, f"unknown reason {reason!r}"
        super().__init__(message)
        self.reason = reason


class ProposalUnavailableError(LedgerError):
    """A proposed servicing action cannot be approved or rejected: ``reason`` says why, one of
    ``REASONS``."""

    #: approved, rejected: decided already; stale: the loan changed since it was proposed
    #: (paid off, written off, or owing another amount than the one proposed).
    REASONS = ("approved", "rejected", "stale")

    def __init__(self, reason: str, message: str) -> None:
        assert reason in self.REASONS, f"unknown reason {reason!r}"
        super().__init__(message)
        self.reason = reason


class SegregationError(MicrolendError, PermissionError):
    """A key would approve (or reject) its own proposal: the maker is never the checker."""


class LimitExceededError(LedgerError):
    """A loan would take the merchant's exposure past the limit its decision granted (or the
    policy's cap on one merchant)."""
