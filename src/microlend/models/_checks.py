"""What every estimator of this package checks: fitted before use, sound rows and outcomes in fit.

scikit-learn's ``check_is_fitted`` decides whether an estimator is fitted; its error is
translated into the project's ``NotFittedError`` (a ``ModelError`` and an ``AttributeError``),
which the command line and the api already know how to report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

from microlend.errors import ModelError, NotFittedError

__all__ = ["binary_target", "check_rows", "require_fitted"]


def require_fitted(estimator: Any, attributes: Sequence[str], what: str) -> None:
    """Raise ``NotFittedError`` unless ``estimator`` holds every learned attribute named."""
    try:
        check_is_fitted(estimator, attributes=list(attributes), all_or_any=all)
    except SklearnNotFittedError as exc:
        raise NotFittedError(f"the {what} is not fitted: call fit first") from exc


def check_rows(rows: Any) -> pd.DataFrame:
    """The training rows, refused unless a non-empty frame of uniquely named feature columns.

    Named columns are required, not a bare array: monotone directions, categories and reasons
    are all keyed by feature name.
    """
    if not isinstance(rows, pd.DataFrame):
        raise ModelError(f"features must be a pandas DataFrame, not {type(rows).__name__}")
    if rows.shape[0] == 0:
        raise ModelError("no rows to learn from")
    if rows.shape[1] == 0:
        raise ModelError("the rows hold no feature columns")
    names = [str(c) for c in rows.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ModelError(f"feature names repeat: {', '.join(repeated)}")
    return rows


def binary_target(y: npt.ArrayLike, rows: int) -> npt.NDArray[np.int64]:
    """``y`` as 0/1 integers (1 = default), refused unless one per row and both classes seen."""
    target = np.asarray(y)
    if target.shape != (rows,):
        raise ModelError(f"y has shape {target.shape}, expected ({rows},)")
    if pd.isna(target).any():
        raise ModelError("y has missing values")
    values = set(np.unique(target).tolist())
    if not values <= {0, 1}:
        raise ModelError(f"y must be 0/1 (1 = default), found {sorted(values, key=str)[:5]}")
    if len(values) < 2:
        raise ModelError("y holds only one class: a PD model needs defaults and non-defaults")
    return target.astype(np.int64)
