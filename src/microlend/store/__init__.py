"""The loan book's database: SQLAlchemy 2 tables, Alembic migrations and repositories.

SQLite (a file) by default, PostgreSQL in production. Reads (``LoanBookQueries``) and writes
(``LoanBookCommands``) are separate repositories over one session; ``in_transaction`` runs a
unit of work in one database transaction, retried on transient failures. Balances are always
derived from postings; loan states are the service's (``ledger.loan_state`` over them).
"""

from microlend.store._actions import ActionKind, LoanAction, LoanActionRow, LoanActions
from microlend.store._api_keys import ApiKeyRecord, ApiKeys
from microlend.store._commands import LoanBookCommands, StoredResponse, request_hash
from microlend.store._days import DayStepRow, DaySteps, PrequalifiedOffer, PrequalifiedOfferRow
from microlend.store._engine import create_engine_for, migrate
from microlend.store._history import AgeingHistory, AgeingHistoryRow, AgeingSnapshot, EndOfDayReport
from microlend.store._loan_pages import loan_page
from microlend.store._portfolio_queries import PortfolioQueries
from microlend.store._proposals import LoanProposals, Proposal, ProposalRow, ProposalStatus
from microlend.store._queries import COMMITTED, LoanBookQueries
from microlend.store._records import (
    Ageing,
    DecisionInputs,
    DecisionRecord,
    LoanRecord,
    LoanStatus,
    MerchantRecord,
)
from microlend.store._retry import in_transaction
from microlend.store._tables import IDEMPOTENCY_KEY_LENGTH, Base
from microlend.store._types import STORAGE_SCALE

__all__ = [
    "COMMITTED",
    "IDEMPOTENCY_KEY_LENGTH",
    "STORAGE_SCALE",
    "ActionKind",
    "Ageing",
    "AgeingHistory",
    "AgeingHistoryRow",
    "AgeingSnapshot",
    "ApiKeyRecord",
    "ApiKeys",
    "Base",
    "DayStepRow",
    "DaySteps",
    "DecisionInputs",
    "DecisionRecord",
    "EndOfDayReport",
    "LoanAction",
    "LoanActionRow",
    "LoanActions",
    "LoanBookCommands",
    "LoanBookQueries",
    "LoanProposals",
    "LoanRecord",
    "LoanStatus",
    "MerchantRecord",
    "PortfolioQueries",
    "PrequalifiedOffer",
    "PrequalifiedOfferRow",
    "Proposal",
    "ProposalRow",
    "ProposalStatus",
    "StoredResponse",
    "create_engine_for",
    "in_transaction",
    "loan_page",
    "migrate",
    "request_hash",
]
