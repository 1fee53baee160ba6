"""Identifiers shared by every layer. Ids are strings in the data contract, so they are here too."""

from __future__ import annotations

from collections.abc import Callable
from typing import NewType, TypeAlias

__all__ = [
    "ID_PATTERN",
    "ApplicationId",
    "LoanId",
    "MerchantId",
    "OrderId",
    "Progress",
    "quiet",
]

#: Every id a caller names (the api's paths, queries and bodies, the dashboard's paths and
#: forms): 1 to 64 ASCII letters, digits and ``_.:-``.
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"

MerchantId = NewType("MerchantId", str)
OrderId = NewType("OrderId", str)
ApplicationId = NewType("ApplicationId", str)
LoanId = NewType("LoanId", str)

#: ``progress(step, share done)``: how a long task (loading, checking, simulating, training)
#: tells whoever shows progress how far it has come; the library itself never prints.
Progress: TypeAlias = Callable[[str, float], None]


def quiet(step: str, done: float) -> None:
    """The ``Progress`` of a task nobody watches."""
