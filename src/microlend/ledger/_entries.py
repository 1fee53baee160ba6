"""Double entry: postings, transactions that cannot exist unbalanced, and balances.

A posting's amount is signed: a debit is positive, a credit negative, so a transaction balances
when its postings sum to exactly zero. Balances are derived from postings only, never stored, and
reported on each account's normal side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from microlend.errors import IdempotencyConflictError, LedgerError, UnbalancedEntryError
from microlend.ledger._accounts import Account, Side
from microlend.money import round_money
from microlend.types import LoanId

__all__ = [
    "Posting",
    "Transaction",
    "TransactionKind",
    "balances",
    "trial_balance",
    "unique_transactions",
]

_ZERO = Decimal(0)


class TransactionKind(StrEnum):
    FUNDING = "funding"
    DISBURSEMENT = "disbursement"
    INTEREST_ACCRUAL = "interest_accrual"
    REPAYMENT = "repayment"
    HOLDBACK = "holdback"
    OVERPAYMENT_REFUND = "overpayment_refund"
    WRITE_OFF = "write_off"
    CHARGE_OFF = "charge_off"
    RECOVERY = "recovery"
    GOODWILL_CREDIT = "goodwill_credit"
    REVERSAL = "reversal"


@dataclass(frozen=True)
class Posting:
    """One line of a transaction: ``amount`` is a debit when positive, a credit when negative."""

    account: Account
    amount: Decimal

    @classmethod
    def debit(cls, account: Account, amount: Decimal) -> Posting:
        return cls(account, amount)

    @classmethod
    def credit(cls, account: Account, amount: Decimal) -> Posting:
        return cls(account, -amount)

    @property
    def side(self) -> Side:
        return Side.DEBIT if self.amount > 0 else Side.CREDIT


@dataclass(frozen=True)
class Transaction:
    """A balanced set of postings on one business date.

    ``loan_id`` is ``None`` for book-level movements (funding). ``reverses`` names the
    transaction a reversal mirrors. Construction refuses an unbalanced or malformed entry.
    """

    id: str
    kind: TransactionKind
    business_date: date
    postings: tuple[Posting, ...]
    idempotency_key: str
    loan_id: LoanId | None
    currency: str
    reverses: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "postings", tuple(self.postings))
        if not self.postings:
            raise LedgerError(f"transaction {self.id} has no postings")
        for posting in self.postings:
            _check_amount(self, posting)
        total = sum((p.amount for p in self.postings), _ZERO)
        if total != 0:
            raise UnbalancedEntryError(
                f"transaction {self.id}: debits and credits differ by {total} {self.currency}"
            )
        if (self.kind is TransactionKind.REVERSAL) != (self.reverses is not None):
            raise LedgerError(f"transaction {self.id}: only a reversal names what it reverses")


def _check_amount(transaction: Transaction, posting: Posting) -> None:
    if posting.amount == 0:
        raise LedgerError(f"transaction {transaction.id}: a posting to {posting.account} is zero")
    if round_money(posting.amount, transaction.currency) != posting.amount:
        raise LedgerError(
            f"transaction {transaction.id}: {posting.amount} is finer than a minor unit of "
            f"{transaction.currency}"
        )


def unique_transactions(transactions: Iterable[Transaction]) -> tuple[Transaction, ...]:
    """The transactions with replays dropped: a key seen again with the same transaction counts
    once; with a different one it raises ``IdempotencyConflictError``."""
    seen: dict[str, Transaction] = {}
    for transaction in transactions:
        first = seen.setdefault(transaction.idempotency_key, transaction)
        if first != transaction:
            raise IdempotencyConflictError(
                f"idempotency key {transaction.idempotency_key!r} was used by {first.id} for a "
                f"different transaction ({transaction.id})"
            )
    return tuple(seen.values())


def _signed_totals(
    transactions: Iterable[Transaction], loan_id: LoanId | None
) -> dict[Account, Decimal]:
    totals = dict.fromkeys(Account, _ZERO)
    currencies: set[str] = set()
    for transaction in unique_transactions(transactions):
        if loan_id is not None and transaction.loan_id != loan_id:
            continue
        currencies.add(transaction.currency)
        for posting in transaction.postings:
            totals[posting.account] += posting.amount
    if len(currencies) > 1:
        raise LedgerError(f"cannot add {sorted(currencies)} together: keep one book per currency")
    return totals


def balances(
    transactions: Iterable[Transaction], loan_id: LoanId | None = None
) -> Mapping[Account, Decimal]:
    """Every account's balance on its normal side, book-wide or for one ``loan_id``."""
    totals = _signed_totals(transactions, loan_id)
    return MappingProxyType(
        {
            account: total if account.normal_side is Side.DEBIT else -total
            for account, total in totals.items()
        }
    )


def trial_balance(transactions: Iterable[Transaction], loan_id: LoanId | None = None) -> Decimal:
    """Debit balances less credit balances: exactly zero in a book made of balanced entries."""
    return sum(_signed_totals(transactions, loan_id).values(), _ZERO)
