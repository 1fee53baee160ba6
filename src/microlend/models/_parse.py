"""Numbers written as text, as bureau and loan-tape exports write them.

``"12%"`` -> 12, ``"1,234"`` -> 1234, ``"$2,500.50"`` -> 2500.5, ``"36 months"`` -> 36,
``"10+ years"`` -> 10.5, ``"< 1 year"`` -> 0.5. A ``+`` suffix adds and a ``<`` prefix takes
half a unit, so such open-ended codes sort just beyond their number; only order matters to
trees. Units are dropped (a column keeps one unit); ``"n/a"`` and the like are missing.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["MISSING_TOKENS", "parse_dates", "parse_text_numbers"]

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a"})

_NUMBER = re.compile(
    r"""^\s*(?P<lt><\s*)?(?P<cur>[$€£¥])?\s*
    (?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)
    \s*(?P<plus>\+)?\s*
    (?P<unit>%|percent|months?|mos?|years?|yrs?|days?|weeks?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}([ T].*)?|\d{1,2}/\d{1,2}/\d{2,4}|[A-Za-z]{3}-\d{2,4})\s*$"
)


def _present(text: pd.Series) -> pd.Series:
    return text.notna() & ~text.str.strip().str.lower().isin(MISSING_TOKENS)


def _distinct(column: pd.Series) -> tuple[npt.NDArray[np.intp], pd.Series, npt.NDArray[np.int64]]:
    """Each row's position among the column's distinct values (-1 where missing), those
    values and how many rows hold each: a table's text columns repeat a few values, so each
    is parsed once."""
    codes, uniques = pd.factorize(column)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return codes, pd.Series(uniques, dtype=object), counts


def parse_text_numbers(column: pd.Series) -> tuple[pd.Series, float]:
    """The column as float64 (missing stays NaN) and the share of present values that parsed."""
    codes, uniques, counts = _distinct(column)
    values, present, parsed = _numbers(uniques)
    out = np.where(codes >= 0, np.append(values, np.nan)[codes], np.nan)
    n_present = int(counts[present].sum())
    n_parsed = int(counts[present & parsed].sum())
    share = n_parsed / n_present if n_present else 0.0
    return pd.Series(out, index=column.index, dtype=np.float64), share


def _numbers(
    column: pd.Series,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Each value as a number (NaN where missing or not a number), whether it is present and
    whether it parsed."""
    text = column.astype("string")
    present = _present(text)
    parts = text.str.extract(_NUMBER)
    number = pd.to_numeric(parts["num"].str.replace(",", "", regex=False), errors="coerce")
    value = number.astype("Float64")
    value = value.where(parts["plus"].isna(), value + 0.5)
    value = value.where(parts["lt"].isna(), value - 0.5)
    out = value.astype(np.float64).where(present, np.nan)
    present_ = np.asarray(present.to_numpy(dtype=bool), dtype=np.bool_)
    parsed = present_ & np.asarray(number.notna().to_numpy(), dtype=np.bool_)
    return np.asarray(out.to_numpy(dtype=np.float64), dtype=np.float64), present_, parsed


def parse_dates(column: pd.Series) -> tuple[pd.Series, float]:
    """The column as UTC timestamps and the share of present values that look like dates."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        stamps = pd.to_datetime(column, utc=True)
        return stamps, 1.0 if column.notna().any() else 0.0
    _, uniques, counts = _distinct(column)
    distinct = uniques.astype("string")
    present_once = _present(distinct).to_numpy(dtype=bool)
    looks_once = distinct.str.match(_DATE).fillna(False).to_numpy(dtype=bool) & present_once
    n_present = int(counts[present_once].sum())
    n_looks = int(counts[looks_once].sum())
    if n_present == 0 or n_looks < n_present:
        return pd.Series(pd.NaT, index=column.index, dtype="datetime64[us, UTC]"), (
            n_looks / n_present if n_present else 0.0
        )
    text = column.astype("string")
    present = _present(text)
    stamps = pd.to_datetime(text.where(present), utc=True, errors="coerce", format="mixed")
    return stamps, float(stamps.notna().sum()) / n_present
