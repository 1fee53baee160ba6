"""The query parameters of the pages' tables: read, checked and turned into the service's
queries; and the links a table's headers, pager and export carry.

A parameter the table does not read, given twice, or with a value outside its choices is
refused with one sentence naming it (``BadQueryError``, a 400 or 422 page), never ignored: a
link that filters nothing while looking filtered would mislead. An empty value is no filter
(what a form's "any" choice sends).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlencode

from microlend.ledger import Bucket, Product
from microlend.scoring import ScoreScale
from microlend.service import (
    DecisionQuery,
    DecisionSort,
    LoanQuery,
    LoanSort,
    Outcome,
)
from microlend.store import LoanStatus

__all__ = [
    "DECISION_PARAMETERS",
    "LOAN_PARAMETERS",
    "BadQueryError",
    "TableState",
    "decision_query",
    "loan_query",
    "table_parameters",
]

LOAN_PARAMETERS = (
    "status",
    "band",
    "product",
    "vintage",
    "dpd",
    "merchant",
    "sort",
    "order",
    "page",
)
DECISION_PARAMETERS = (
    "outcome",
    "reason",
    "band",
    "product",
    "month",
    "merchant",
    "sort",
    "order",
    "page",
)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_REASON = re.compile(r"[a-z0-9_]{1,64}")
#: The longest merchant search: an id is at most 64 characters.
_SEARCH = 64
_PAGES = 1_000_000

E = TypeVar("E", bound=StrEnum)


class BadQueryError(ValueError):
    """A table's query parameters cannot be read; ``status`` is 400 for a parameter the table
    does not know or one given twice, 422 for a known one with a value outside its choices."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def table_parameters(items: Sequence[tuple[str, str]], known: Sequence[str]) -> dict[str, str]:
    """The non-empty parameters of ``items`` (name, value) when all are ``known`` and none
    repeats; ``BadQueryError`` (400) otherwise."""
    seen: dict[str, str] = {}
    for name, value in items:
        if name not in known:
            raise BadQueryError(
                f"This table has no parameter {name!r}; it reads {', '.join(known)}.", 400
            )
        if name in seen:
            raise BadQueryError(f"The parameter {name!r} is given more than once.", 400)
        seen[name] = value.strip()
    return {name: value for name, value in seen.items() if value}


def _choice(params: Mapping[str, str], name: str, choices: Sequence[str]) -> str | None:
    value = params.get(name)
    if value is not None and value not in choices:
        raise BadQueryError(f"{name} {value!r} is not one of: {', '.join(choices)}.")
    return value


def _enum(params: Mapping[str, str], name: str, kind: type[E]) -> E | None:
    value = _choice(params, name, [member.value for member in kind])
    return None if value is None else kind(value)


def _month(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is not None and _MONTH.fullmatch(value) is None:
        raise BadQueryError(f"{name} {value!r} is not a month written YYYY-MM (2024-03).")
    return value


def _merchant(params: Mapping[str, str]) -> str:
    value = params.get("merchant", "")
    if len(value) > _SEARCH or not value.isprintable():
        raise BadQueryError(f"merchant: a search is at most {_SEARCH} printable characters.")
    return value


def _page(params: Mapping[str, str]) -> int:
    value = params.get("page", "1")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= _PAGES:
        raise BadQueryError(f"page {value!r} is not a whole number from 1 to {_PAGES}.")
    return int(value)


def _descending(params: Mapping[str, str], default: bool) -> bool:
    order = _choice(params, "order", ["asc", "desc"])
    return default if order is None else order == "desc"


def loan_query(params: Mapping[str, str], scale: ScoreScale) -> LoanQuery:
    """The loans table's query from its checked parameters."""
    return LoanQuery(
        status=_enum(params, "status", LoanStatus),
        band=_choice(params, "band", scale.band_order),
        product=_enum(params, "product", Product),
        vintage=_month(params, "vintage"),
        bucket=_enum(params, "dpd", Bucket),
        merchant=_merchant(params),
        sort=_enum(params, "sort", LoanSort) or LoanSort.LOAN,
        descending=_descending(params, default=False),
        page=_page(params),
    )


def decision_query(params: Mapping[str, str], scale: ScoreScale) -> DecisionQuery:
    """The decision log's query from its checked parameters (the latest first by default)."""
    reason = params.get("reason")
    if reason is not None and _REASON.fullmatch(reason) is None:
        raise BadQueryError(f"reason {reason!r} is not a reason's code (a-z, 0-9 and _).")
    return DecisionQuery(
        outcome=_enum(params, "outcome", Outcome),
        reason=reason,
        band=_choice(params, "band", scale.band_order),
        product=_enum(params, "product", Product),
        month=_month(params, "month"),
        merchant=_merchant(params),
        sort=_enum(params, "sort", DecisionSort) or DecisionSort.DECIDED,
        descending=_descending(params, default=True),
        page=_page(params),
    )


@dataclass(frozen=True)
class TableState:
    """A table as shown: its path, its checked parameters, and its sort; the links that keep
    its filters while changing one thing."""

    path: str
    params: Mapping[str, str]
    sort: str
    descending: bool

    def url(self, path: str | None = None, **changes: str | None) -> str:
        merged = {**self.params, **changes}
        kept = {name: value for name, value in merged.items() if value}
        return (path or self.path) + (f"?{urlencode(kept)}" if kept else "")

    def sort_url(self, column: str) -> str:
        """Sorted by ``column``: ascending first, the other way on the sorted column."""
        descending = column == self.sort and not self.descending
        return self.url(sort=column, order="desc" if descending else "asc", page=None)

    def page_url(self, page: int) -> str:
        return self.url(page=str(page))

    def csv_url(self) -> str:
        """The export of every row the filters keep, in the table's order (all pages)."""
        return self.url(f"{self.path}.csv", page=None)

    def value(self, name: str) -> str:
        return self.params.get(name, "")
