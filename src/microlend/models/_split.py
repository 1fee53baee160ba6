"""The hold-out of a PD model: out-of-time when a time is known, else stratified random.

The held-out rows serve early stopping: they choose one number, the tree count, on rows no
tree grew from. (What happens next, refit on all rows or calibration on the hold-out, is
``PDModel``'s business.)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.model_selection import train_test_split

from microlend.errors import ModelError

__all__ = ["Split", "holdout_split", "time_ticks"]

IntArray = npt.NDArray[np.intp]
Split = tuple[IntArray, IntArray]


def holdout_split(
    y: npt.NDArray[np.int64],
    *,
    share: float,
    time: pd.Series | None,
    random_state: int,
) -> Split:
    """Positions of the training rows and of the held-out rows.

    With ``time``: the latest ``share`` of rows (ties kept together) are held out, which is how
    the model will be used, on applications later than any it learned from. Without: a random
    sample stratified on ``y``.
    """
    if not 0.0 < share < 1.0:
        raise ModelError(f"validation_share must lie strictly between 0 and 1, not {share}")
    positions = np.arange(y.size)
    if time is None:
        train, held = train_test_split(
            positions, test_size=share, stratify=y, random_state=random_state
        )
        return np.sort(train), np.sort(held)
    return _out_of_time(y, time, share)


def time_ticks(time: pd.Series, rows: int) -> npt.NDArray[np.int64]:
    """``time`` as UTC microseconds, one per row: integers, so that cutting at a quantile keeps
    every row of the cut-off instant on one side. Wrong length or a missing time: ``ModelError``.
    """
    if len(time) != rows:
        raise ModelError(f"time has {len(time)} values for {rows} rows")
    stamps = pd.to_datetime(time.reset_index(drop=True), utc=True)
    if stamps.isna().any():
        raise ModelError(f"time has {int(stamps.isna().sum())} missing values")
    return stamps.to_numpy(dtype="datetime64[us]").astype(np.int64)


def _out_of_time(y: npt.NDArray[np.int64], time: pd.Series, share: float) -> Split:
    ticks = time_ticks(time, y.size)
    cutoff_tick = np.quantile(ticks, 1.0 - share, method="lower")
    cutoff = pd.Timestamp(int(cutoff_tick), unit="us", tz="UTC")
    held_mask = ticks > cutoff_tick
    train, held = np.flatnonzero(~held_mask), np.flatnonzero(held_mask)
    for name, part in (("training", train), ("held-out", held)):
        if np.unique(y[part]).size < 2:
            raise ModelError(
                f"the out-of-time {name} part (cut at {cutoff}) holds only one outcome class"
            )
    return train, held
