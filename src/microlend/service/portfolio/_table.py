"""What every table of the risk officer's pages shares: a page of rows sorted by one column,
and the page arithmetic.

The book is read whole and filtered, sorted and paged here, as ``portfolio_overview`` reads it:
a table's filters cross a loan's ledger balance, its decision's band and its ageing, which no
single query joins. A book far past the demo's size would move this into SQL, one column at a
time, behind the same ``TablePage``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["PER_PAGE", "TablePage", "band_rank", "keeps", "month_of", "page_of", "sorted_rows"]

#: Rows a page shows unless the caller asks for fewer.
PER_PAGE = 50

Row = TypeVar("Row")


@dataclass(frozen=True)
class TablePage(Generic[Row]):
    """Page ``page`` (1-based) of ``pages`` of a table of ``total`` rows, ``per_page`` rows a
    page; ``rows`` is that page."""

    rows: tuple[Row, ...]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 on an empty table)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """The 1-based position of the page's last row (0 on an empty table)."""
        return self.first + len(self.rows) - 1 if self.rows else 0


def sorted_rows(
    rows: Sequence[Row], key: Callable[[Row], Any], *, descending: bool, tie: Callable[[Row], Any]
) -> list[Row]:
    """``rows`` by ``key`` (``None`` last either way), ties broken by ``tie`` ascending, so a
    page boundary never moves between two requests of the same table."""
    known = [row for row in rows if key(row) is not None]
    unknown = sorted((row for row in rows if key(row) is None), key=tie)
    ordered = sorted(sorted(known, key=tie), key=key, reverse=descending)
    return ordered + unknown


def keeps(filters: Iterable[tuple[object, object]], search: str, merchant_id: str) -> bool:
    """Whether a row passes a table's filters: each ``(wanted, value)`` pair with a ``wanted``
    (``None``: the filter is off) equal to the row's value, and ``search`` a part of the
    row's merchant id, in any case (the empty search keeps all)."""
    if any(want is not None and want != have for want, have in filters):
        return False
    return search.casefold() in merchant_id.casefold()


def band_rank(band_order: Sequence[str]) -> Callable[[str | None], int | None]:
    """A band's sort key: its place in ``band_order`` (best first), ``None`` for no band or
    one the scale does not name (sorted last)."""
    rank = {band: index for index, band in enumerate(band_order)}
    return lambda band: None if band is None else rank.get(band)


def page_of(rows: Sequence[Row], page: int, per_page: int = PER_PAGE) -> TablePage[Row]:
    """Page ``page`` of ``rows``; a page past the last is the last (an empty table has one,
    empty, page), so a link kept from a longer table still shows something."""
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    chosen = tuple(rows[(page - 1) * per_page : page * per_page])
    return TablePage(chosen, len(rows), page, pages, per_page)


def month_of(day: Any) -> str | None:
    """``YYYY-MM`` of a date (a vintage, a month of decisions); ``None`` for none."""
    return None if day is None else f"{day.year:04d}-{day.month:02d}"
