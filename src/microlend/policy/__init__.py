"""Credit policy: a versioned policy file, knock-outs, cut-offs, limits, prices, products.

``load_policy`` (or ``default_policy``) reads and validates a TOML policy; ``decide`` turns an
application, its rating, its features and the merchant's exposure into a ``Decision``: a menu
of priced offers, each with its effective APR and its ``Disclosure`` (what the merchant is told
of it), or a decline with its reasons. Decisions record the policy's version and digest and the
model's version, and round-trip through ``to_dict``. ``notice_for`` writes the notice of a
decline or of offers below the amount asked for (the policy's ``[notice]`` wording).
"""

from microlend.policy._decide import decide
from microlend.policy._decision import (
    CreditRequest,
    Decision,
    DecisionReason,
    Exposure,
    Offer,
    ReasonSource,
)
from microlend.policy._disclose import SalesBasis, percent, sales_basis
from microlend.policy._disclosure import Disclosure
from microlend.policy._limits import (
    DAYS_PER_MONTH,
    Limit,
    SalesForecast,
    credit_limit,
    forecast_sales,
    step_down,
)
from microlend.policy._load import default_policy, load_policy, parse_policy
from microlend.policy._notice import (
    Notice,
    NoticeKind,
    NoticeReason,
    NoticeSuggestion,
    counter_offer,
    notice_for,
)
from microlend.policy._offers import PREVIEW_ROWS, menu, offers_expire_on
from microlend.policy._policy import (
    ACCOUNT_FACTS,
    PAYOUTS_DAYS,
    PAYOUTS_FEATURE,
    BandCap,
    Forecast,
    InstalmentProduct,
    InstalmentTerm,
    Knockout,
    LimitRule,
    MinimumSample,
    Missing,
    NoticeWording,
    Operator,
    Policy,
    Pricing,
    RateGrid,
    ShareOfSalesProduct,
)
from microlend.policy._pricing import (
    Quote,
    instalment_balance_years,
    quote_annual_rate,
    quote_fee_rate,
)
from microlend.policy._rules import fired_knockouts

__all__ = [
    "ACCOUNT_FACTS",
    "DAYS_PER_MONTH",
    "PAYOUTS_DAYS",
    "PAYOUTS_FEATURE",
    "PREVIEW_ROWS",
    "BandCap",
    "CreditRequest",
    "Decision",
    "DecisionReason",
    "Disclosure",
    "Exposure",
    "Forecast",
    "InstalmentProduct",
    "InstalmentTerm",
    "Knockout",
    "Limit",
    "LimitRule",
    "MinimumSample",
    "Missing",
    "Notice",
    "NoticeKind",
    "NoticeReason",
    "NoticeSuggestion",
    "NoticeWording",
    "Offer",
    "Operator",
    "Policy",
    "Pricing",
    "Quote",
    "RateGrid",
    "ReasonSource",
    "SalesBasis",
    "SalesForecast",
    "ShareOfSalesProduct",
    "counter_offer",
    "credit_limit",
    "decide",
    "default_policy",
    "fired_knockouts",
    "forecast_sales",
    "instalment_balance_years",
    "load_policy",
    "menu",
    "notice_for",
    "offers_expire_on",
    "parse_policy",
    "percent",
    "quote_annual_rate",
    "quote_fee_rate",
    "sales_basis",
    "step_down",
]
