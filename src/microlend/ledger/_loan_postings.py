"""One loan's postings summed as they are added: what servicing reads from its transactions.

``loan_state`` needs, of a loan's transactions, only a few sums: what collections paid on each
component, what was written off or charged off (and recovered since), the interest recognised,
what each receivable holds, and the disbursement date. ``LoanPostings`` keeps exactly those
sums and adds each new transaction to them, so a caller that appends to a loan (the backtest,
a day at a time) services it without reading its whole history again; balances are still
nothing but sums of postings. Adding the same transactions in any order that puts each
reversal after what it reverses gives the same sums, and ``loan_state`` itself is built on
this fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from microlend.errors import IdempotencyConflictError, LedgerError
from microlend.ledger._accounts import RECEIVABLE, Account
from microlend.ledger._entries import Transaction, TransactionKind
from microlend.ledger._terms import Component
from microlend.types import LoanId

__all__ = ["LoanPostings"]

_ZERO = Decimal(0)
# A goodwill credit settles what is owed as a payment would, so it counts as paid.
_COLLECTIONS = frozenset(
    {TransactionKind.REPAYMENT, TransactionKind.HOLDBACK, TransactionKind.GOODWILL_CREDIT}
)
_COMPONENT_OF = MappingProxyType({account: component for component, account in RECEIVABLE.items()})


class LoanPostings:
    """The running sums of one loan's transactions (book-level ones, such as funding, are
    ignored). A reversal counts as the kind of what it reverses, so it nets that out; a
    transaction whose idempotency key was seen already counts once, or raises
    ``IdempotencyConflictError`` if it differs from the first."""

    def __init__(self) -> None:
        self.loan_id: LoanId | None = None
        self.disbursed_on: date | None = None
        #: The latest business date among the transactions added.
        self.last_date: date | None = None
        self._by_key: dict[str, Transaction] = {}
        self._kinds: dict[str, TransactionKind] = {}
        self._paid = dict.fromkeys(Component, _ZERO)
        self._owed = dict.fromkeys(Component, _ZERO)
        self._written_off = _ZERO
        self._charged_off = _ZERO
        self._recovered = _ZERO
        self._recognised_interest = _ZERO

    @classmethod
    def of(cls, transactions: Iterable[Transaction]) -> LoanPostings:
        """The sums of ``transactions``, in any order: reversals are added after the rest."""
        ordered = list(transactions)
        postings = cls()
        for transaction in ordered:
            if transaction.reverses is None:
                postings.add(transaction)
        for transaction in ordered:
            if transaction.reverses is not None:
                postings.add(transaction)
        return postings

    def plus(self, transactions: Iterable[Transaction]) -> LoanPostings:
        """These sums with ``transactions`` added, as a new object: these stay as they are (a
        pure step returns what it would post without changing its caller's sums)."""
        summed = LoanPostings()
        summed.loan_id, summed.disbursed_on = self.loan_id, self.disbursed_on
        summed.last_date = self.last_date
        summed._by_key, summed._kinds = dict(self._by_key), dict(self._kinds)
        summed._paid, summed._owed = dict(self._paid), dict(self._owed)
        summed._written_off = self._written_off
        summed._charged_off, summed._recovered = self._charged_off, self._recovered
        summed._recognised_interest = self._recognised_interest
        for transaction in transactions:
            summed.add(transaction)
        return summed

    def add(self, transaction: Transaction) -> None:
        """Add one transaction of the loan to the sums."""
        if transaction.loan_id is None or self._seen(transaction):
            return
        if self.loan_id is None:
            self.loan_id = transaction.loan_id
        elif transaction.loan_id != self.loan_id:
            loans = sorted(map(str, {self.loan_id, transaction.loan_id}))
            raise LedgerError(f"transactions of several loans given: {loans}")
        kind = self._kind_of(transaction)
        self._by_key[transaction.idempotency_key] = transaction
        self._kinds[transaction.id] = kind
        for posting in transaction.postings:
            component = _COMPONENT_OF.get(posting.account)
            if component is not None:
                self._count(kind, component, posting.account, posting.amount)
            elif posting.account is Account.RECOVERY_INCOME:
                self._recovered -= posting.amount
        if transaction.kind is TransactionKind.DISBURSEMENT and self.disbursed_on is None:
            self.disbursed_on = transaction.business_date
        if self.last_date is None or transaction.business_date > self.last_date:
            self.last_date = transaction.business_date

    @property
    def paid(self) -> Mapping[Component, Decimal]:
        """Net collections (repayments and holdbacks, less their reversals) by component."""
        return MappingProxyType(dict(self._paid))

    @property
    def owed(self) -> dict[Component, Decimal]:
        """What the receivables hold now, by component (``ledger.receivables``)."""
        return dict(self._owed)

    @property
    def owed_total(self) -> Decimal:
        return sum(self._owed.values(), _ZERO)

    @property
    def written_off(self) -> Decimal:
        """Net credits to the receivables by write-offs."""
        return self._written_off

    @property
    def charged_off(self) -> Decimal:
        """Net credits to the receivables by charge-offs."""
        return self._charged_off

    @property
    def recovered(self) -> Decimal:
        """Net recoveries: what was collected after a charge-off or a write-off."""
        return self._recovered

    @property
    def recoverable(self) -> Decimal:
        """What a charged-off or written-off loan may still recover: what was taken off the book
        less what was recovered since."""
        return max(_ZERO, self._written_off + self._charged_off - self._recovered)

    @property
    def recognised_interest(self) -> Decimal:
        """Interest accrued (less accruals reversed)."""
        return self._recognised_interest

    def _seen(self, transaction: Transaction) -> bool:
        first = self._by_key.get(transaction.idempotency_key)
        if first is None:
            return False
        if first != transaction:
            raise IdempotencyConflictError(
                f"idempotency key {transaction.idempotency_key!r} was used by {first.id} for a "
                f"different transaction ({transaction.id})"
            )
        return True

    def _kind_of(self, transaction: Transaction) -> TransactionKind:
        if transaction.reverses is None:
            return transaction.kind
        reversed_kind = self._kinds.get(transaction.reverses)
        if reversed_kind is None:
            raise LedgerError(
                f"reversal {transaction.id} mirrors {transaction.reverses}, "
                "which is not among the loan's transactions"
            )
        return reversed_kind

    def _count(
        self, kind: TransactionKind, component: Component, account: Account, amount: Decimal
    ) -> None:
        self._owed[component] += amount
        if kind in _COLLECTIONS:
            self._paid[component] -= amount
        elif kind is TransactionKind.WRITE_OFF:
            self._written_off -= amount
        elif kind is TransactionKind.CHARGE_OFF:
            self._charged_off -= amount
        elif kind is TransactionKind.INTEREST_ACCRUAL and account is Account.INTEREST_RECEIVABLE:
            self._recognised_interest += amount
