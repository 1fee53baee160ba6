"""Portfolio: what the book holds and how it performs (queries only), and the model's
stability on the book's population."""

from microlend.service.portfolio._decision_log import (
    DecisionLine,
    DecisionLog,
    DecisionQuery,
    DecisionSort,
    Outcome,
    ReasonCount,
    decision_lines,
    decision_log,
    decision_record,
)
from microlend.service.portfolio._drift import ModelDrift, VariableDrift, model_drift
from microlend.service.portfolio._estimated import (
    book_as_of,
    estimated_book_performance,
    origination_pds,
)
from microlend.service.portfolio._loan_table import (
    LoanLine,
    LoanQuery,
    LoanSort,
    LoanTable,
    loan_lines,
    loan_table,
)
from microlend.service.portfolio._merchant import MerchantView, merchant_view
from microlend.service.portfolio._overview import (
    LoanSummary,
    PortfolioOverview,
    list_loans,
    portfolio_overview,
)
from microlend.service.portfolio._performance import PortfolioPerformance, portfolio_performance
from microlend.service.portfolio._stability import (
    ModelMonitor,
    StabilityBaseline,
    baseline_from_fit,
    baseline_on_records,
    book_population,
    monitor_model,
    monitor_on_records,
)
from microlend.service.portfolio._table import TablePage
from microlend.service.portfolio._tradeoff import TRADEOFF_DAYS, cutoff_tradeoff

__all__ = [
    "TRADEOFF_DAYS",
    "DecisionLine",
    "DecisionLog",
    "DecisionQuery",
    "DecisionSort",
    "LoanLine",
    "LoanQuery",
    "LoanSort",
    "LoanSummary",
    "LoanTable",
    "MerchantView",
    "ModelDrift",
    "ModelMonitor",
    "Outcome",
    "PortfolioOverview",
    "PortfolioPerformance",
    "ReasonCount",
    "StabilityBaseline",
    "TablePage",
    "VariableDrift",
    "baseline_from_fit",
    "baseline_on_records",
    "book_as_of",
    "book_population",
    "cutoff_tradeoff",
    "decision_lines",
    "decision_log",
    "decision_record",
    "estimated_book_performance",
    "list_loans",
    "loan_lines",
    "loan_table",
    "merchant_view",
    "model_drift",
    "monitor_model",
    "monitor_on_records",
    "origination_pds",
    "portfolio_overview",
    "portfolio_performance",
]
