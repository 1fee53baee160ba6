"""Use cases: the rating path on records, and the lending commands that move money.

Rating: label applications, split out of time, train and evaluate, score merchants, the demo.
Lending: every money-moving command runs in one database transaction, takes an idempotency key
(the same key twice moves money once and answers as the first time) and a business date (never
the clock).
"""

from microlend.service._book_end_of_day import EndOfDayReport, end_of_day
from microlend.service._demo import DemoConfig, DemoResult, run_demo
from microlend.service._lending import accept_offer, disburse, fund_book, record_decision
from microlend.service._lending_collections import (
    post_payment,
    post_settlement,
    reverse_transaction,
)
from microlend.service._lending_receipts import Offer, Receipt
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

__all__ = [
    "PERFORMANCE_WINDOW",
    "Curve",
    "DemoConfig",
    "DemoResult",
    "EndOfDayReport",
    "Labelled",
    "ModelReport",
    "Offer",
    "Progress",
    "RatingFit",
    "Receipt",
    "accept_offer",
    "data_fingerprint",
    "disburse",
    "end_of_day",
    "evaluate_on_records",
    "fit_rating",
    "fund_book",
    "labelled_applications",
    "merchant_features",
    "model_report",
    "post_payment",
    "post_settlement",
    "rate_merchants",
    "record_decision",
    "reverse_transaction",
    "run_demo",
    "score_merchants",
    "split_out_of_time",
]
