"""The chart of accounts of the loan book, each with its normal side.

Assets and expenses grow by debits; liabilities, equity and income grow by credits. A balance is
reported on the account's normal side, so in a sound book none is negative: cash included, since
the lender lends only what ``capital`` brought in.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from microlend.ledger._terms import Component

__all__ = ["RECEIVABLE", "Account", "Side"]


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class Account(StrEnum):
    """The accounts; ``normal_side`` says on which side each grows."""

    CASH = "cash"
    LOANS_RECEIVABLE = "loans_receivable"
    FEES_RECEIVABLE = "fees_receivable"
    INTEREST_RECEIVABLE = "interest_receivable"
    WRITE_OFF_EXPENSE = "write_off_expense"
    CHARGE_OFF_EXPENSE = "charge_off_expense"
    GOODWILL_EXPENSE = "goodwill_expense"
    #: Memo (off-book) pair: what a charged-off loan still owes, kept in sight for collection;
    #: the two always net to zero, so the book's balance sheet does not carry it.
    CHARGED_OFF = "charged_off"
    CHARGED_OFF_CONTRA = "charged_off_contra"
    MERCHANT_PAYABLE = "merchant_payable"
    FEE_INCOME = "fee_income"
    INTEREST_INCOME = "interest_income"
    RECOVERY_INCOME = "recovery_income"
    CAPITAL = "capital"

    @property
    def normal_side(self) -> Side:
        return _NORMAL_SIDE[self]


_NORMAL_SIDE = MappingProxyType(
    {
        Account.CASH: Side.DEBIT,
        Account.LOANS_RECEIVABLE: Side.DEBIT,
        Account.FEES_RECEIVABLE: Side.DEBIT,
        Account.INTEREST_RECEIVABLE: Side.DEBIT,
        Account.WRITE_OFF_EXPENSE: Side.DEBIT,
        Account.CHARGE_OFF_EXPENSE: Side.DEBIT,
        Account.GOODWILL_EXPENSE: Side.DEBIT,
        Account.CHARGED_OFF: Side.DEBIT,
        Account.CHARGED_OFF_CONTRA: Side.CREDIT,
        Account.MERCHANT_PAYABLE: Side.CREDIT,
        Account.FEE_INCOME: Side.CREDIT,
        Account.INTEREST_INCOME: Side.CREDIT,
        Account.RECOVERY_INCOME: Side.CREDIT,
        Account.CAPITAL: Side.CREDIT,
    }
)

#: Where what is owed on each component is carried.
RECEIVABLE = MappingProxyType(
    {
        Component.FEES: Account.FEES_RECEIVABLE,
        Component.INTEREST: Account.INTEREST_RECEIVABLE,
        Component.PRINCIPAL: Account.LOANS_RECEIVABLE,
    }
)
