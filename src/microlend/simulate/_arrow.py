"""Numpy arrays to the contract's canonical Arrow types, vectorised (no Python loop per row)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from microlend.data import MONEY_TYPE, TIMESTAMP_TYPE

__all__ = ["constant", "ids", "money", "timestamps"]

Ints = NDArray[np.int64]


def ids(prefix: str, numbers: Ints, width: int) -> pa.Array:
    """``prefix`` followed by each number, zero-padded to ``width`` digits (sorts as it counts)."""
    digits = pc.utf8_lpad(
        pc.cast(pa.array(numbers, pa.int64()), pa.string()), width=width, padding="0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def money(cents: Ints) -> pa.Array:
    """Exact ``decimal128(18, 2)`` from whole cents, built from the 128-bit integers directly."""
    low = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(low), 2), dtype=np.int64)
    words[:, 0] = low
    words[:, 1] = low >> 63  # two's complement sign extension into the high word
    if words.dtype.byteorder == ">":  # Arrow decimals are little-endian
        words = words.byteswap()
    return pa.Array.from_buffers(MONEY_TYPE, len(low), [None, pa.py_buffer(words)])


def timestamps(epoch_seconds: int, seconds: Ints, *, nullable: bool = False) -> pa.Array:
    """UTC timestamps from seconds after ``epoch_seconds``; with ``nullable``, negative seconds
    (events that have not happened) become nulls."""
    missing = (seconds < 0) if nullable else np.zeros(len(seconds), dtype=bool)
    micros = (epoch_seconds + seconds) * 1_000_000
    return pa.array(micros, type=TIMESTAMP_TYPE, mask=missing if missing.any() else None)


def constant(value: str, size: int) -> pa.Array:
    """A string column holding one value."""
    return pc.take(pa.array([value], pa.string()), pa.array(np.zeros(size, dtype=np.int64)))
