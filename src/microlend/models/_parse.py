"""Numbers written as text, as bureau and loan-tape exports write them.

``"12%"`` -> 12, ``"1,234"`` -> 1234, ``"$2,500.50"`` -> 2500.5, ``"36 months"`` -> 36,
``"10+ years"`` -> 10.5, ``"< 1 year"`` -> 0.5. A ``+`` suffix adds and a ``<`` prefix takes
half a unit, so such open-ended codes sort just beyond their number; only order matters to
trees. Units are dropped (a column keeps one unit); ``"n/a"`` and the like are missing.
"""

from __future__ import annotations

import re

import numpy as np
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


def parse_text_numbers(column: pd.Series) -> tuple[pd.Series, float]:
    """The column as float64 (missing stays NaN) and the share of present values that parsed."""
    text = column.astype("string")
    present = _present(text)
    parts = text.str.extract(_NUMBER)
    number = pd.to_numeric(parts["num"].str.replace(",", "", regex=False), errors="coerce")
    value = number.astype("Float64")
    value = value.where(parts["plus"].isna(), value + 0.5)
    value = value.where(parts["lt"].isna(), value - 0.5)
    out = value.astype(np.float64).where(present, np.nan)
    n_present = int(present.sum())
    parsed = int((present & number.notna()).sum())
    return pd.Series(out.to_numpy(), index=column.index), (parsed / n_present if n_present else 0.0)


def parse_dates(column: pd.Series) -> tuple[pd.Series, float]:
    """The column as UTC timestamps and the share of present values that look like dates."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        stamps = pd.to_datetime(column, utc=True)
        return stamps, 1.0 if column.notna().any() else 0.0
    text = column.astype("string")
    present = _present(text)
    looks = text.str.match(_DATE).fillna(False).astype(bool) & present
    n_present = int(present.sum())
    if n_present == 0 or looks.sum() < n_present:
        return pd.Series(pd.NaT, index=column.index, dtype="datetime64[us, UTC]"), (
            float(looks.sum()) / n_present if n_present else 0.0
        )
    stamps = pd.to_datetime(text.where(present), utc=True, errors="coerce", format="mixed")
    return stamps, float(stamps.notna().sum()) / n_present
