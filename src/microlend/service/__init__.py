"""Use cases: the rating path on records, and the lending commands that move money.

Rating: label applications, split out of time, train and evaluate, score merchants, the demo.
Lending: every money-moving command runs in one database transaction, takes an idempotency key
(the same key twice moves money once and answers as the first time) and a business date (never
the clock).
"""

from microlend.service._backtest import backtest, backtest_start, model_version
from microlend.service._backtest_result import BacktestResult
from microlend.service._batch import (
    BatchResult,
    ModelParts,
    score_on_spark,
    score_rows,
    score_spark_frame,
)
from microlend.service._book_end_of_day import EndOfDayReport, end_of_day
from microlend.service._credit import book_exposure
from microlend.service._decisions import decision_record
from microlend.service._demo import (
    DEMO_CAPITAL,
    DemoBook,
    DemoConfig,
    DemoResult,
    open_demo_book,
    run_demo,
)
from microlend.service._keys import (
    ApiKeyRecord,
    Principal,
    Role,
    authenticate,
    create_api_key,
    ensure_staff_keys,
    list_api_keys,
    principal_of,
    revoke_api_key,
)
from microlend.service._lending import (
    accept_offer,
    cancel_loan,
    disburse,
    fund_book,
    record_decision,
)
from microlend.service._lending_collections import (
    post_payment,
    post_settlement,
    reverse_transaction,
)
from microlend.service._lending_receipts import Offer, Receipt
from microlend.service._online import (
    FeatureSnapshot,
    rate_one,
    snapshot_of,
    sync_merchants,
    take_snapshot,
)
from microlend.service._online_decisions import (
    LoanView,
    Replay,
    accept_decision_offer,
    decision_merchant,
    loan_view,
    loans_page,
    replay_decision,
    underwrite,
)
from microlend.service._portfolio import (
    BucketLine,
    LoanDetail,
    LoanSummary,
    PortfolioOverview,
    list_loans,
    loan_detail,
    portfolio_overview,
)
from microlend.service._portfolio_merchant import MerchantOffer, MerchantView, merchant_view
from microlend.service._portfolio_performance import PortfolioPerformance, portfolio_performance
from microlend.service._portfolio_stability import (
    ModelMonitor,
    Population,
    StabilityBaseline,
    baseline_from_fit,
    baseline_on_records,
    book_population,
    monitor_model,
    monitor_on_records,
)
from microlend.service._rating import (
    PERFORMANCE_WINDOW,
    Labelled,
    Progress,
    RatingFit,
    data_fingerprint,
    fit_rating,
    labelled_applications,
    split_out_of_time,
)
from microlend.service._report import Curve, ModelReport, model_report
from microlend.service._scoring import (
    evaluate_on_records,
    merchant_features,
    rate_merchants,
    score_merchants,
)
from microlend.service._underwrite import (
    ApplicationReplay,
    replay_application,
    underwrite_application,
)

__all__ = [
    "DEMO_CAPITAL",
    "PERFORMANCE_WINDOW",
    "ApiKeyRecord",
    "ApplicationReplay",
    "BacktestResult",
    "BatchResult",
    "BucketLine",
    "Curve",
    "DemoBook",
    "DemoConfig",
    "DemoResult",
    "EndOfDayReport",
    "FeatureSnapshot",
    "Labelled",
    "LoanDetail",
    "LoanSummary",
    "LoanView",
    "MerchantOffer",
    "MerchantView",
    "ModelMonitor",
    "ModelParts",
    "ModelReport",
    "Offer",
    "Population",
    "PortfolioOverview",
    "PortfolioPerformance",
    "Principal",
    "Progress",
    "RatingFit",
    "Receipt",
    "Replay",
    "Role",
    "StabilityBaseline",
    "accept_decision_offer",
    "accept_offer",
    "authenticate",
    "backtest",
    "backtest_start",
    "baseline_from_fit",
    "baseline_on_records",
    "book_exposure",
    "book_population",
    "cancel_loan",
    "create_api_key",
    "data_fingerprint",
    "decision_merchant",
    "decision_record",
    "disburse",
    "end_of_day",
    "ensure_staff_keys",
    "evaluate_on_records",
    "fit_rating",
    "fund_book",
    "labelled_applications",
    "list_api_keys",
    "list_loans",
    "loan_detail",
    "loan_view",
    "loans_page",
    "merchant_features",
    "merchant_view",
    "model_report",
    "model_version",
    "monitor_model",
    "monitor_on_records",
    "open_demo_book",
    "portfolio_overview",
    "portfolio_performance",
    "post_payment",
    "post_settlement",
    "principal_of",
    "rate_merchants",
    "rate_one",
    "record_decision",
    "replay_application",
    "replay_decision",
    "reverse_transaction",
    "revoke_api_key",
    "run_demo",
    "score_merchants",
    "score_on_spark",
    "score_rows",
    "score_spark_frame",
    "snapshot_of",
    "split_out_of_time",
    "sync_merchants",
    "take_snapshot",
    "underwrite",
    "underwrite_application",
]
