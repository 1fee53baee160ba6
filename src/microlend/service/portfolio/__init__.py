"""Portfolio: what the book holds and how it performs (queries only), and the model's
stability on the book's population."""

from microlend.service.portfolio._drift import ModelDrift, VariableDrift, model_drift
from microlend.service.portfolio._estimated import (
    book_as_of,
    estimated_book_performance,
    origination_pds,
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
from microlend.service.portfolio._tradeoff import TRADEOFF_DAYS, cutoff_tradeoff

__all__ = [
    "TRADEOFF_DAYS",
    "LoanSummary",
    "MerchantView",
    "ModelDrift",
    "ModelMonitor",
    "PortfolioOverview",
    "PortfolioPerformance",
    "StabilityBaseline",
    "VariableDrift",
    "baseline_from_fit",
    "baseline_on_records",
    "book_as_of",
    "book_population",
    "cutoff_tradeoff",
    "estimated_book_performance",
    "list_loans",
    "merchant_view",
    "model_drift",
    "monitor_model",
    "monitor_on_records",
    "origination_pds",
    "portfolio_overview",
    "portfolio_performance",
]
