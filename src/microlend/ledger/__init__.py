"""The loan ledger: terms, schedules, allocation, double entry and servicing (payment pauses,
charge-off, recovery, goodwill credit included), as pure functions
(``close_loan_day``: one loan's business day closed, as end of day and the backtest do it).

Nothing here touches a database or the clock: the business date is always an argument, and every
balance is derived from the transactions given.
"""

from microlend.ledger._accounts import RECEIVABLE, Account, Side
from microlend.ledger._allocation import Allocation, allocate
from microlend.ledger._apr import (
    CashFlow,
    cash_flows,
    effective_apr,
    expected_holdback,
    flows_apr,
    last_payment_on,
    realised_cash_flows,
)
from microlend.ledger._as_of import LoanAsOf, loan_as_of, postings_as_of
from microlend.ledger._day_close import (
    DayClose,
    HeaderRule,
    LoanContract,
    LoanOutcome,
    accrue_due_interest,
    close_loan_day,
)
from microlend.ledger._delinquency import (
    WRITE_OFF_DAYS,
    Bucket,
    CovenantStatus,
    delinquency_bucket,
)
from microlend.ledger._entries import (
    Posting,
    Transaction,
    TransactionKind,
    balances,
    trial_balance,
    unique_transactions,
)
from microlend.ledger._loan_postings import LoanPostings
from microlend.ledger._pauses import (
    Pause,
    paused_on,
    paused_schedule,
    sorted_pauses,
    unpaused_days,
)
from microlend.ledger._schedule import Instalment, fee_amount, schedule
from microlend.ledger._servicing import LoanState, WriteOffRule, loan_state, serviced
from microlend.ledger._terms import (
    DEFAULT_WATERFALL,
    Component,
    Covenant,
    FixedInstalmentTerms,
    Frequency,
    Product,
    ShareOfSalesTerms,
    Terms,
    Waterfall,
    as_waterfall,
)
from microlend.ledger._terms_json import terms_from_json, terms_to_dict, terms_to_json
from microlend.ledger._transactions import (
    Header,
    charge_off,
    disbursement,
    funding,
    goodwill_credit,
    interest_accrual,
    overpayment_refund,
    receivables,
    recovery,
    repayment,
    reversal,
    settlement_holdback,
    write_off,
)

__all__ = [
    "DEFAULT_WATERFALL",
    "RECEIVABLE",
    "WRITE_OFF_DAYS",
    "Account",
    "Allocation",
    "Bucket",
    "CashFlow",
    "Component",
    "Covenant",
    "CovenantStatus",
    "DayClose",
    "FixedInstalmentTerms",
    "Frequency",
    "Header",
    "HeaderRule",
    "Instalment",
    "LoanAsOf",
    "LoanContract",
    "LoanOutcome",
    "LoanPostings",
    "LoanState",
    "Pause",
    "Posting",
    "Product",
    "ShareOfSalesTerms",
    "Side",
    "Terms",
    "Transaction",
    "TransactionKind",
    "Waterfall",
    "WriteOffRule",
    "accrue_due_interest",
    "allocate",
    "as_waterfall",
    "balances",
    "cash_flows",
    "charge_off",
    "close_loan_day",
    "delinquency_bucket",
    "disbursement",
    "effective_apr",
    "expected_holdback",
    "fee_amount",
    "flows_apr",
    "funding",
    "goodwill_credit",
    "interest_accrual",
    "last_payment_on",
    "loan_as_of",
    "loan_state",
    "overpayment_refund",
    "paused_on",
    "paused_schedule",
    "postings_as_of",
    "realised_cash_flows",
    "receivables",
    "recovery",
    "repayment",
    "reversal",
    "schedule",
    "serviced",
    "settlement_holdback",
    "sorted_pauses",
    "terms_from_json",
    "terms_to_dict",
    "terms_to_json",
    "trial_balance",
    "unique_transactions",
    "unpaused_days",
    "write_off",
]
