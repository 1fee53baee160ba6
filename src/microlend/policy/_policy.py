"""The credit policy as data: knock-outs, cut-off, forecast, limits, pricing and products.

A ``Policy`` is what a policy file says, already validated (``load_policy`` builds it); nothing
here reads a file or decides anything. ``version`` is the policy's own name for itself and
``digest`` the SHA-256 of the file's text, so a stored decision names exactly the rules it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from microlend.ledger import Covenant, Frequency

#: Days a decision's offers stand when the policy does not say (``[offers] valid_days``).
DEFAULT_OFFER_VALID_DAYS = 7

#: The least evidence of a monitoring verdict when the policy does not say (``[monitoring]``):
#: scored rows for a PSI verdict, defaults for a calibration one.
DEFAULT_MIN_PSI_ROWS = 300
DEFAULT_MIN_CALIBRATION_BADS = 30

__all__ = [
    "ACCOUNT_FACTS",
    "DEFAULT_MIN_CALIBRATION_BADS",
    "DEFAULT_MIN_PSI_ROWS",
    "DEFAULT_OFFER_VALID_DAYS",
    "PAYOUTS_DAYS",
    "PAYOUTS_FEATURE",
    "BandCap",
    "Forecast",
    "InstalmentProduct",
    "InstalmentTerm",
    "Knockout",
    "LimitRule",
    "MinimumSample",
    "Missing",
    "NoticeWording",
    "Operator",
    "Policy",
    "Pricing",
    "RateGrid",
    "ShareOfSalesProduct",
]

#: Facts a knock-out may test besides the catalogued features: they come with the exposure.
ACCOUNT_FACTS: tuple[str, ...] = ("days_past_due",)

#: The historical method of a share-of-sales offer (its estimated payment, term and APR): the
#: merchant's own net payouts, a catalogued feature, over the days it covers.
PAYOUTS_FEATURE = "settlement_net_90d"
PAYOUTS_DAYS = 90


class Operator(StrEnum):
    """How a knock-out compares a feature with its threshold: it fires when the test holds."""

    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    EQ = "=="
    NE = "!="


class Missing(StrEnum):
    """What a knock-out does when its feature is missing (NaN or absent)."""

    FIRE = "fire"  # cannot show the rule passes: decline (the prudent default)
    PASS = "pass"  # absence is harmless for this rule (e.g. no loans, so no prior default)


@dataclass(frozen=True)
class Knockout:
    """Decline whenever ``feature op value`` holds; ``reason`` is told to the merchant."""

    code: str
    feature: str
    op: Operator
    value: float
    reason: str
    missing: Missing = Missing.FIRE


@dataclass(frozen=True)
class Forecast:
    """Forecast of a merchant's net settlements from its recent sales.

    ``daily net = sales_feature / window_days * (1 + clip(growth_weight * growth, growth_floor,
    growth_cap)) * net_share``: the recent run rate, carried forward with part of its trend, less
    what the platform keeps (fees, refunds) before paying out.
    """

    sales_feature: str
    window_days: int
    growth_feature: str
    growth_weight: Decimal
    growth_floor: Decimal
    growth_cap: Decimal
    net_share: Decimal


@dataclass(frozen=True)
class BandCap:
    """The most a merchant of one band may owe in all: an amount, a multiple of forecast
    monthly net sales, or both (the smaller binds)."""

    max_amount: Decimal | None
    max_multiple: Decimal | None


@dataclass(frozen=True)
class LimitRule:
    """Limit sizing: a share of forecast monthly net sales, less exposure, under the caps."""

    share_of_monthly_sales: Decimal
    minimum: Decimal
    step: Decimal
    merchant_cap: Decimal
    bands: Mapping[str, BandCap]


@dataclass(frozen=True)
class RateGrid:
    """Quoted rates: the cost-based rate rounded up to ``step``, at least ``low``; above ``high``
    the product is not offered (a price that cannot cover the risk is no offer)."""

    low: Decimal
    high: Decimal
    step: Decimal


@dataclass(frozen=True)
class Pricing:
    """Costs a price must cover. ``lgd``: loss given default (share of the principal lost);
    ``cost_of_funds`` and ``target_margin``: annual, on the balance outstanding;
    ``servicing``: once per loan, a share of the principal; ``max_apr``: no offer above it."""

    lgd: Decimal
    cost_of_funds: Decimal
    servicing: Decimal
    target_margin: Decimal
    annual_rate: RateGrid
    fee_rate: RateGrid
    max_apr: Decimal


@dataclass(frozen=True)
class InstalmentTerm:
    """One entry of the instalment menu: ``count`` payments, monthly or weekly."""

    count: int
    frequency: Frequency


@dataclass(frozen=True)
class InstalmentProduct:
    """Fixed instalments for the ``bands`` named, one offer per menu term."""

    bands: tuple[str, ...]
    terms: tuple[InstalmentTerm, ...]
    fee_rate: Decimal


@dataclass(frozen=True)
class ShareOfSalesProduct:
    """Fixed fee repaid by a holdback from ``holdback_rates`` (ascending), chosen so the
    expected repayment takes at most ``target_days``, under the minimum-payment ``covenant``."""

    bands: tuple[str, ...]
    target_days: int
    holdback_rates: tuple[Decimal, ...]
    covenant: Covenant


@dataclass(frozen=True)
class NoticeWording:
    """What a notice of a decline (or of an offer below the amount asked for) says besides its
    reasons: who decided (``lender``), how to reach them (``contact``), and ``right_to_reasons``,
    the merchant's right to ask for the reasons in detail, in which ``{lender}``, ``{contact}``
    and ``{date}`` (the decision's) are filled in."""

    lender: str
    contact: str
    right_to_reasons: str

    def right(self, on: str) -> str:
        """The statement of the right, for a decision made on ``on``."""
        return self.right_to_reasons.format(lender=self.lender, contact=self.contact, date=on)


@dataclass(frozen=True)
class MinimumSample:
    """The least evidence a monitoring verdict rests on: ``psi_rows`` scored rows for a PSI
    verdict, ``calibration_bads`` defaults for a calibration one; below, the verdict is
    "not enough data"."""

    psi_rows: int = DEFAULT_MIN_PSI_ROWS
    calibration_bads: int = DEFAULT_MIN_CALIBRATION_BADS


@dataclass(frozen=True)
class Policy:
    """A validated credit policy."""

    version: str
    digest: str
    currency: str
    min_score: int
    knockouts: tuple[Knockout, ...]
    forecast: Forecast
    limits: LimitRule
    pricing: Pricing
    instalment: InstalmentProduct | None
    share_of_sales: ShareOfSalesProduct | None
    notice: NoticeWording
    #: Business days (the book closes every calendar day) a decision's offers stand.
    offer_valid_days: int = DEFAULT_OFFER_VALID_DAYS
    #: Whether interest still falls due on the days of a payment pause (``[servicing]
    #: pause_accrual = "accrue"``); by default (``"stop"``) it follows the moved due dates.
    accrue_in_pause: bool = False
    #: Write-offs, charge-offs and goodwill credits of more than this (in ``currency``) wait
    #: for a risk officer's approval (``[servicing] approval_threshold``).
    approval_threshold: Decimal = Decimal(500)
    #: How much evidence the monitoring verdicts need (``[monitoring]``).
    minimum_sample: MinimumSample = MinimumSample()

    def eligible_bands(self) -> frozenset[str]:
        """Bands some product is offered to."""
        products = (self.instalment, self.share_of_sales)
        return frozenset(band for p in products if p is not None for band in p.bands)

    def features_read(self) -> tuple[str, ...]:
        """The features this policy reads, sorted: recorded with every decision."""
        names = {k.feature for k in self.knockouts} - set(ACCOUNT_FACTS)
        names |= {self.forecast.sales_feature, self.forecast.growth_feature}
        if self.share_of_sales is not None:
            names.add(PAYOUTS_FEATURE)
        return tuple(sorted(names))
