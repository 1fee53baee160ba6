"""Identifiers shared by every layer. Ids are strings in the data contract, so they are here too."""

from __future__ import annotations

from typing import NewType

__all__ = ["ApplicationId", "LoanId", "MerchantId", "OrderId"]

MerchantId = NewType("MerchantId", str)
OrderId = NewType("OrderId", str)
ApplicationId = NewType("ApplicationId", str)
LoanId = NewType("LoanId", str)
