"""Identifiers shared by every layer. Ids are strings in the data contract, so they are here too."""

from __future__ import annotations

from typing import NewType

__all__ = ["ID_PATTERN", "ApplicationId", "LoanId", "MerchantId", "OrderId"]

#: Every id a caller names (the api's paths, queries and bodies, the dashboard's paths and
#: forms): 1 to 64 ASCII letters, digits and ``_.:-``.
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"

MerchantId = NewType("MerchantId", str)
OrderId = NewType("OrderId", str)
ApplicationId = NewType("ApplicationId", str)
LoanId = NewType("LoanId", str)
