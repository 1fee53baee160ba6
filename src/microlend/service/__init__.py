"""Use cases: the lending commands that move money, each in one database transaction.

Every money-moving command takes an idempotency key (the same key twice moves money once and
answers as the first time) and a business date (never the clock).
"""

from microlend.service._book_end_of_day import EndOfDayReport, end_of_day
from microlend.service._lending import accept_offer, disburse, fund_book, record_decision
from microlend.service._lending_collections import (
    post_payment,
    post_settlement,
    reverse_transaction,
)
from microlend.service._lending_receipts import Offer, Receipt

__all__ = [
    "EndOfDayReport",
    "Offer",
    "Receipt",
    "accept_offer",
    "disburse",
    "end_of_day",
    "fund_book",
    "post_payment",
    "post_settlement",
    "record_decision",
    "reverse_transaction",
]
