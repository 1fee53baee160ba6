"""The model's view of a feature frame: numbers as float64, categories with fixed levels.

Levels are learned once in ``fit`` and imposed on every later frame, so a category code means
the same level at training and at scoring; a level unseen in training becomes missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from microlend.errors import ModelError

__all__ = [
    "as_model_frame",
    "is_categorical",
    "learn_categories",
    "level_index",
    "present_levels",
]


def is_categorical(column: pd.Series) -> bool:
    """Text, category and boolean-free object columns are categories; numbers are not."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return True
    if ptypes.is_bool_dtype(column.dtype) or ptypes.is_numeric_dtype(column.dtype):
        return False
    return bool(ptypes.is_string_dtype(column.dtype) or ptypes.is_object_dtype(column.dtype))


def present_levels(column: pd.Series) -> list[str]:
    """The sorted distinct values of a categorical column, as text, missing ones left out."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        used = column.cat.categories[np.unique(codes[codes >= 0])]
        return sorted({str(v) for v in used})
    return sorted({str(v) for v in column.dropna().astype(str).unique().tolist()})


def learn_categories(rows: pd.DataFrame) -> dict[str, list[str]]:
    """The sorted levels of each categorical column of ``rows``."""
    return {
        str(name): present_levels(rows[name]) for name in rows.columns if is_categorical(rows[name])
    }


def level_index(column: pd.Series, levels: Sequence[str]) -> npt.NDArray[np.intp]:
    """Each value's position in ``levels`` (compared as text), -1 for a missing value or a
    level not among them. A categorical column is read through its codes: a lookup per
    category, not a conversion per row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        position = {level: i for i, level in enumerate(levels)}
        lookup = [position.get(str(c), -1) for c in column.cat.categories]
        codes = column.cat.codes.to_numpy()
        return np.asarray(np.append(lookup, -1)[codes], dtype=np.intp)
    text = column.astype("string")
    present = text.notna().to_numpy()
    values = text.fillna("").to_numpy(dtype=object)
    index = np.full(len(column), -1, dtype=np.intp)
    for i, level in enumerate(levels):
        index[(values == level) & present] = i
    return index


def as_model_frame(
    rows: pd.DataFrame, features: Sequence[str], categories: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """``rows`` cut to ``features`` in order; numbers as float64, categories with fixed levels."""
    if not isinstance(rows, pd.DataFrame):
        raise ModelError(f"features must be a pandas DataFrame, not {type(rows).__name__}")
    missing = [name for name in features if name not in rows.columns]
    if missing:
        raise ModelError(f"the rows lack features the model needs: {', '.join(missing)}")
    columns: dict[str, pd.Series] = {}
    for name in features:
        column = rows[name]
        if name in categories:
            levels = list(categories[name])
            if (
                isinstance(column.dtype, pd.CategoricalDtype)
                and [str(c) for c in column.cat.categories] == levels
            ):
                # Already coded with these levels (the table preparer's output): as it is.
                columns[name] = column
                continue
            text = column.astype("string")
            # A level unseen in training carries no learned evidence: it becomes missing.
            known = text.where(text.isin(levels)).astype(object).where(text.isin(levels), None)
            columns[name] = pd.Series(pd.Categorical(known, categories=levels), index=rows.index)
        else:
            columns[name] = _as_float(name, column)
    return pd.DataFrame(columns, index=rows.index)


def _as_float(name: str, column: pd.Series) -> pd.Series:
    if is_categorical(column):
        raise ModelError(f"feature {name!r} was numeric in training but holds text now")
    try:
        return column.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"feature {name!r} cannot be read as numbers: {exc}") from exc
