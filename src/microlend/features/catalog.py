"""The feature catalog: every feature's name, meaning, unit, risk direction, dimension and wording.

The catalog is data. Models read ``direction`` for monotone constraints, scoring reads
``dimension`` for sub-scores, ``wording`` for what a merchant is told about its value and
``actionable`` for what a merchant could change. ``direction`` is the sign of the feature's
effect on risk: ``+1`` when a higher value means more risk, ``-1`` when it means less, ``0``
when it is not known in advance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = [
    "CATALOG",
    "CATALOG_VERSION",
    "Dimension",
    "FeatureSpec",
    "Unit",
    "Wording",
    "feature_names",
    "spec",
]


class Dimension(StrEnum):
    """The five published dimensions of a merchant's rating (each gets a sub-score)."""

    SCALE_GROWTH = "scale_growth"
    STABILITY = "stability"
    SATISFACTION = "satisfaction"
    FULFILMENT = "fulfilment"
    HISTORY = "history"


class Unit(StrEnum):
    """What a feature's number counts, and so how it is shown to a merchant."""

    #: An amount in the platform's currency (one per platform), shown with its code.
    CURRENCY = "currency"
    ORDERS = "orders"
    BUYERS = "buyers"
    REVIEWS = "reviews"
    LOANS = "loans"
    DAYS = "days"
    #: Customer stars (1 to 5), or a difference of two means of stars.
    STARS = "stars"
    #: A part of a whole, 0 to 1, shown as a percentage.
    SHARE = "share"
    #: A ratio that may exceed 1 (refunds per order, standard deviation over mean), in %.
    RATIO = "ratio"
    #: A relative change (new over old, minus 1), shown as a percentage with its direction.
    CHANGE = "change"
    #: A change per week relative to the mean (a slope), shown as a percentage a week.
    CHANGE_PER_WEEK = "change per week"
    #: A mid-rank percentile among peers, 0 to 1, shown as "the 23rd percentile".
    PERCENTILE = "percentile"
    #: A Herfindahl-Hirschman index of buyers' shares, 0 to 1, shown as the number of
    #: equal buyers with the same concentration (``1 / index``).
    HHI = "hhi"


Direction = Literal[-1, 0, 1]


@dataclass(frozen=True)
class Wording:
    """What a merchant is told about one feature's value: a template per case, each a clause
    true of the value it is given; ``{value}`` stands for the value in the feature's unit.

    The case is chosen from the value as it is shown and from the sign of its contribution to
    the risk (``scoring._wording.wording_case``), first that applies: ``missing`` when there is
    no value (never worded as a comparison); ``zero`` when the value shows as zero; ``fall``
    when it is below zero (``{value}`` is then its size); ``adverse`` when it pushed the risk
    up; ``plain`` otherwise, and wherever a case has no template of its own. A value that
    pushed the risk up completes "Your score is held back because ...".
    """

    plain: str
    missing: str
    adverse: str = ""
    fall: str = ""
    zero: str = ""

    def templates(self) -> tuple[str, ...]:
        """Every template given, in case order."""
        return tuple(t for t in (self.missing, self.zero, self.fall, self.adverse, self.plain) if t)


@dataclass(frozen=True)
class FeatureSpec:
    """One feature of the catalog.

    ``actionable`` marks what a merchant can change by how it runs its shop (refunds, ratings,
    deliveries, active days); sales levels, growth, peers' percentiles and history are outcomes
    or facts, never advice.
    """

    name: str
    meaning: str
    unit: Unit
    direction: Direction
    dimension: Dimension
    wording: Wording
    actionable: bool = False
    #: Short noun phrase naming what an actionable feature measures, for "what would raise it".
    label: str = ""
    #: The one fact that leaves this feature missing or at zero, shared by every feature that
    #: names it ("no sales", "no reviews"): among features whose values are absent for it, a
    #: merchant is given one reason per cause, not one per feature (``scoring._reasons``).
    cause: str = ""
    #: For a level over a long window: the window's length in days. A seller with fewer of
    #: those days on record (``history_days``) has the level scaled from the days it has
    #: (``_formulas._scaled``), and its reason says so (``scoring.reason_text``).
    scaled_days: int = 0


_S = Dimension.SCALE_GROWTH
_T = Dimension.STABILITY
_C = Dimension.SATISFACTION
_F = Dimension.FULFILMENT
_H = Dimension.HISTORY

#: What a direction-free feature's value adds when it pushed the risk up: no more is known.
_LINKED = ", which our model links with more defaults"
#: Who "similar sellers" are, and which end of a percentile is which.
_PEERS = "of similar sellers (same category and size; the 100th is the highest)"


def _sales(window: str) -> Wording:
    return Wording(
        plain=f"your sales over the last {window} were {{value}}",
        adverse=f"your sales over the last {window} were only {{value}}",
        zero=f"you made no sales over the last {window}",
        missing=f"we have no figure for your sales over the last {window}",
    )


def _orders(window: str) -> Wording:
    return Wording(
        plain=f"you received {{value}} over the last {window}",
        adverse=f"you received only {{value}} over the last {window}",
        zero=f"you received no orders over the last {window}",
        missing=f"we have no count of your orders over the last {window}",
    )


def _change(subject: str, since: str, missing: str) -> Wording:
    """A change where a fall is riskier: "<subject> fell by {value} from <since>"."""
    return Wording(
        plain=f"{subject} grew by {{value}} on {since}",
        adverse=f"{subject} grew by only {{value}} on {since}",
        fall=f"{subject} fell by {{value}} from {since}",
        zero=f"{subject} were the same as in {since}",
        missing=missing,
    )


def _peer(subject: str, missing: str, *, less_is_riskier: bool) -> Wording:
    only = "only " if less_is_riskier else ""
    return Wording(
        plain=f"{subject} is at the {{value}} {_PEERS}",
        adverse=f"{subject} is {only}at the {{value}} {_PEERS}",
        missing=missing,
    )


# Windows are trailing and half-open: "over the last 90 days" of as-of date D is [D - 90, D).
# Money features are in the orders' currency (one currency per platform), as floats.
CATALOG: tuple[FeatureSpec, ...] = (
    # --- scale and growth ------------------------------------------------------------------
    FeatureSpec(
        "gmv_30d",
        "sales (GMV, not cancelled) over the last 30 days",
        Unit.CURRENCY,
        -1,
        _S,
        _sales("30 days"),
        cause="no sales",
    ),
    FeatureSpec(
        "gmv_90d",
        "sales over the last 90 days",
        Unit.CURRENCY,
        -1,
        _S,
        _sales("90 days"),
        cause="no sales",
    ),
    FeatureSpec(
        "gmv_180d",
        "sales over the last 180 days, scaled to 180 days from the days on record when fewer "
        "(the seller joined, or the records begin, later)",
        Unit.CURRENCY,
        -1,
        _S,
        _sales("180 days"),
        cause="no sales",
        scaled_days=180,
    ),
    FeatureSpec(
        "gmv_365d",
        "sales over the last 365 days, scaled to 365 days from the days on record when fewer",
        Unit.CURRENCY,
        -1,
        _S,
        _sales("365 days"),
        cause="no sales",
        scaled_days=365,
    ),
    FeatureSpec(
        "orders_30d",
        "orders (not cancelled) over the last 30 days",
        Unit.ORDERS,
        -1,
        _S,
        _orders("30 days"),
        cause="no sales",
    ),
    FeatureSpec(
        "orders_90d",
        "orders over the last 90 days",
        Unit.ORDERS,
        -1,
        _S,
        _orders("90 days"),
        cause="no sales",
    ),
    FeatureSpec(
        "orders_365d",
        "orders over the last 365 days, scaled to 365 days from the days on record when fewer",
        Unit.ORDERS,
        -1,
        _S,
        _orders("365 days"),
        cause="no sales",
        scaled_days=365,
    ),
    FeatureSpec(
        "aov_90d",
        "average order value over the last 90 days",
        Unit.CURRENCY,
        0,
        _S,
        Wording(
            plain="your average order value over the last 90 days was {value}",
            adverse="your average order value over the last 90 days was {value}" + _LINKED,
            missing="you received no orders over the last 90 days, so there is no average "
            "order value",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "aov_365d",
        "average order value over the last 365 days",
        Unit.CURRENCY,
        0,
        _S,
        Wording(
            plain="your average order value over the last 365 days was {value}",
            adverse="your average order value over the last 365 days was {value}" + _LINKED,
            missing="you received no orders over the last 365 days, so there is no average "
            "order value",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "buyers_90d",
        "distinct buyers over the last 90 days",
        Unit.BUYERS,
        -1,
        _S,
        Wording(
            plain="{value} bought from you over the last 90 days",
            adverse="only {value} bought from you over the last 90 days",
            zero="no buyer bought from you over the last 90 days",
            missing="we have no count of your buyers over the last 90 days",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "settlement_net_90d",
        "net payouts (settlements after fees and refunds) over the last 90 days",
        Unit.CURRENCY,
        -1,
        # A level of money received, as sales are (scale), not how regularly it came.
        _S,
        Wording(
            plain="your net payouts over the last 90 days came to {value}",
            adverse="your net payouts over the last 90 days came to only {value}",
            # Refunds are taken back from payouts: more refunds than sales leaves a negative net.
            fall="your net payouts over the last 90 days were {value} below zero: refunds and "
            "fees took more than your sales paid out",
            zero="your net payouts over the last 90 days came to nothing",
            missing="we have no record of your payouts over the last 90 days",
        ),
        cause="no payouts",
    ),
    FeatureSpec(
        "gmv_growth_90d",
        "sales per day of the last 90 days over those of the 90 days before, minus 1 (per day "
        "on record of each)",
        Unit.CHANGE,
        -1,
        _S,
        _change(
            "your sales of the last 90 days",
            "the 90 days before",
            "you made no sales in the 90 days before the last 90, so there is no growth to measure",
        ),
        cause="no earlier sales",
    ),
    FeatureSpec(
        "gmv_growth_yoy_90d",
        "sales per day of the last 90 days over those of the same 90 days a year earlier, "
        "minus 1 (per day on record of each; undefined when the records do not reach back a "
        "year)",
        Unit.CHANGE,
        -1,
        _S,
        _change(
            "your sales of the last 90 days",
            "the same 90 days a year earlier",
            # Missing also when the records begin later than a year before: no "no sales".
            "we have no record of your sales in the same 90 days a year earlier to compare with",
        ),
        cause="no earlier sales",
    ),
    FeatureSpec(
        "orders_growth_90d",
        "orders per day of the last 90 days over those of the 90 days before, minus 1 (per day "
        "on record of each)",
        Unit.CHANGE,
        -1,
        _S,
        _change(
            "your orders of the last 90 days",
            "the 90 days before",
            "you received no orders in the 90 days before the last 90, so there is no "
            "growth to measure",
        ),
        cause="no earlier sales",
    ),
    FeatureSpec(
        "sales_vs_last_year_30d",
        "sales per day of the last 30 days over those of the same 30 days a year earlier, "
        "minus 1 (per day on record of each; undefined when the records do not reach back a "
        "year)",
        Unit.CHANGE,
        -1,
        _S,
        _change(
            "your sales of the last 30 days",
            "the same 30 days a year earlier",
            "we have no record of your sales in the same 30 days a year earlier to compare with",
        ),
        cause="no earlier sales",
    ),
    FeatureSpec(
        "sales_vs_category_season_30d",
        "share of the year's sales made in the last 30 days, relative to the category's "
        "same share, minus 1 (sales adjusted for the category's seasonal curve; both per day "
        "on record)",
        Unit.CHANGE,
        -1,
        _S,
        Wording(
            plain="the share of your last 365 days' sales made in the last 30 days was "
            "{value} above your category's",
            adverse="the share of your last 365 days' sales made in the last 30 days was "
            "only {value} above your category's",
            fall="the share of your last 365 days' sales made in the last 30 days was "
            "{value} below your category's",
            zero="the share of your last 365 days' sales made in the last 30 days was the "
            "same as your category's",
            missing="you made no sales over the last 365 days to compare with your "
            "category's season",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "peer_growth_pct",
        "percentile of gmv_growth_90d among sellers of the same category and size band",
        Unit.PERCENTILE,
        -1,
        _S,
        _peer(
            "the growth of your sales over the last 90 days",
            "the growth of your sales over the last 90 days could not be ranked among "
            "similar sellers",
            less_is_riskier=True,
        ),
        cause="no earlier sales",
    ),
    # --- stability -------------------------------------------------------------------------
    FeatureSpec(
        "weekly_sales_cv_90d",
        "coefficient of variation of weekly sales over the last 13 weeks (those on record)",
        Unit.RATIO,
        1,
        _T,
        Wording(
            plain="your weekly sales over the last 13 weeks typically moved {value} away "
            "from their average",
            zero="your weekly sales did not vary over the last 13 weeks",
            missing="you made no sales over the last 13 weeks, so their regularity cannot "
            "be measured",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "sales_trend_90d",
        "slope of weekly sales over the last 13 weeks (those on record), per week, relative "
        "to the mean",
        Unit.CHANGE_PER_WEEK,
        -1,
        _T,
        Wording(
            plain="your weekly sales over the last 13 weeks grew by {value} of their average "
            "a week",
            adverse="your weekly sales over the last 13 weeks grew by only {value} of their "
            "average a week",
            fall="your weekly sales over the last 13 weeks fell by {value} of their average a week",
            zero="your weekly sales over the last 13 weeks were flat",
            missing="you made no sales over the last 13 weeks, so there is no trend to measure",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "active_days_share_90d",
        "share of days with at least one sale over the last 90 days (of those on record: since "
        "joining, or since the records begin, if later)",
        Unit.SHARE,
        -1,
        _T,
        Wording(
            # The share is of the days since joining when that is under 90 (features'
            # _active_share): "of the last 90 days" would misstate a newer merchant's.
            plain="you made sales on {value} of the days since you joined (at most the last 90)",
            adverse="you made sales on only {value} of the days since you joined (at most the "
            "last 90)",
            zero="you made no sales on any day over the last 90 days",
            missing="we have no record of when you joined, so your days with a sale cannot "
            "be counted",
        ),
        actionable=True,
        label="your share of days with a sale (of the days since you joined, at most the last 90)",
        cause="no sales",
    ),
    FeatureSpec(
        "days_since_last_sale",
        "days since the last sale",
        Unit.DAYS,
        1,
        _T,
        Wording(
            plain="your last sale was {value} ago",
            zero="your last sale was less than a day ago",
            missing="you have not made a sale yet",
        ),
        cause="no sales",
    ),
    # The buyer mix cannot be scaled to a window cut short, so it is of the last 90 days.
    FeatureSpec(
        "top_buyers_share_90d",
        "share of the last 90 days' sales made with the 5 largest buyers",
        Unit.SHARE,
        1,
        _T,
        Wording(
            plain="your 5 largest buyers made {value} of your sales over the last 90 days",
            missing="you made no sales over the last 90 days",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "buyer_hhi_90d",
        "Herfindahl-Hirschman index of buyers' shares of the last 90 days' sales",
        Unit.HHI,
        1,
        _T,
        Wording(
            plain="your sales over the last 90 days were as concentrated as if spread "
            "evenly over {value}",
            # The unit shows the index inverted: fewer equal buyers is the riskier end.
            adverse="your sales over the last 90 days were as concentrated as if spread "
            "evenly over only {value}",
            missing="you made no sales over the last 90 days",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "repeat_buyer_share_90d",
        "share of the last 90 days' buyers who ordered more than once in them",
        Unit.SHARE,
        -1,
        _T,
        Wording(
            plain="{value} of your buyers over the last 90 days ordered more than once",
            adverse="only {value} of your buyers over the last 90 days ordered more than once",
            zero="none of your buyers over the last 90 days ordered more than once",
            missing="no buyer bought from you over the last 90 days",
        ),
        actionable=True,
        label="your share of buyers who come back (last 90 days)",
        cause="no sales",
    ),
    FeatureSpec(
        "returning_order_share_90d",
        "share of the last 90 days' orders placed by buyers who had ordered from the seller "
        "on an earlier day (on record)",
        Unit.SHARE,
        -1,
        _T,
        Wording(
            plain="{value} of your orders over the last 90 days came from returning buyers",
            adverse="only {value} of your orders over the last 90 days came from returning buyers",
            zero="none of your orders over the last 90 days came from a returning buyer",
            missing="you received no orders over the last 90 days",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "settlement_weeks_share_90d",
        "share of the last 13 weeks (those on record) with at least one payout",
        Unit.SHARE,
        -1,
        _T,
        Wording(
            plain="you received payouts in {value} of the last 13 weeks",
            adverse="you received payouts in only {value} of the last 13 weeks",
            zero="you received no payouts over the last 13 weeks",
            missing="we have no record of your payouts over the last 13 weeks",
        ),
        cause="no payouts",
    ),
    FeatureSpec(
        "settlement_net_cv_90d",
        "coefficient of variation of weekly net payouts over the last 13 weeks (those on record)",
        Unit.RATIO,
        1,
        _T,
        Wording(
            plain="your weekly net payouts over the last 13 weeks typically moved {value} "
            "away from their average",
            zero="your weekly net payouts did not vary over the last 13 weeks",
            missing="your net payouts over the last 13 weeks came to nothing or less",
        ),
        cause="no payouts",
    ),
    FeatureSpec(
        "peer_volatility_pct",
        "percentile of weekly_sales_cv_90d among sellers of the same category and size band",
        Unit.PERCENTILE,
        1,
        _T,
        _peer(
            "how much your weekly sales moved over the last 13 weeks",
            "how much your weekly sales moved could not be ranked among similar sellers",
            less_is_riskier=False,
        ),
        cause="no sales",
    ),
    # --- satisfaction ----------------------------------------------------------------------
    FeatureSpec(
        "refund_rate_90d",
        "refunds per order over the last 90 days",
        Unit.RATIO,
        1,
        _C,
        Wording(
            plain="your refunds over the last 90 days came to {value} of your orders",
            zero="you made no refunds over the last 90 days",
            missing="you received no orders over the last 90 days, so there is no refund rate",
        ),
        actionable=True,
        label="your refund rate (refunds per order, last 90 days)",
        cause="no sales",
    ),
    FeatureSpec(
        "refund_rate_365d",
        "refunds per order over the last 365 days",
        Unit.RATIO,
        1,
        _C,
        Wording(
            plain="your refunds over the last 365 days came to {value} of your orders",
            zero="you made no refunds over the last 365 days",
            missing="you received no orders over the last 365 days, so there is no refund rate",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "refunded_gmv_share_90d",
        "amount refunded over sales, last 90 days",
        Unit.SHARE,
        1,
        _C,
        Wording(
            plain="you refunded {value} of your sales over the last 90 days",
            zero="you refunded none of your sales over the last 90 days",
            missing="you made no sales over the last 90 days",
        ),
        actionable=True,
        label="the share of your sales refunded (last 90 days)",
        cause="no sales",
    ),
    FeatureSpec(
        "rating_mean_180d",
        "mean star rating over the last 180 days",
        Unit.STARS,
        -1,
        _C,
        Wording(
            plain="your average rating over the last 180 days was {value}",
            adverse="your average rating over the last 180 days was only {value}",
            missing="you have no reviews in the last 180 days yet",
        ),
        actionable=True,
        label="your average rating (last 180 days)",
        cause="no reviews",
    ),
    FeatureSpec(
        "rating_trend_90d",
        "mean rating of the last 90 days minus that of the 90 days before",
        Unit.STARS,
        -1,
        _C,
        Wording(
            plain="your average rating of the last 90 days rose by {value} on the 90 days before",
            adverse="your average rating of the last 90 days rose by only {value} on the 90 "
            "days before",
            fall="your average rating of the last 90 days fell by {value} from the 90 days before",
            zero="your average rating of the last 90 days was the same as in the 90 days before",
            missing="you do not have reviews in both the last 90 days and the 90 days before "
            "to compare",
        ),
        cause="no reviews",
    ),
    FeatureSpec(
        "low_rating_share_180d",
        "share of 1- and 2-star reviews over the last 180 days",
        Unit.SHARE,
        1,
        _C,
        Wording(
            plain="{value} of your reviews over the last 180 days gave 1 or 2 stars",
            zero="none of your reviews over the last 180 days gave 1 or 2 stars",
            missing="you have no reviews in the last 180 days yet",
        ),
        actionable=True,
        label="your share of 1- and 2-star reviews (last 180 days)",
        cause="no reviews",
    ),
    FeatureSpec(
        "review_count_180d",
        "reviews received over the last 180 days, scaled to 180 days from the days on record "
        "when fewer",
        Unit.REVIEWS,
        -1,
        _C,
        Wording(
            plain="you received {value} over the last 180 days",
            adverse="you received only {value} over the last 180 days",
            zero="you received no reviews over the last 180 days",
            missing="we have no count of your reviews over the last 180 days",
        ),
        cause="no reviews",
        scaled_days=180,
    ),
    FeatureSpec(
        "peer_refund_rate_pct",
        "percentile of refund_rate_90d among sellers of the same category and size band",
        Unit.PERCENTILE,
        1,
        _C,
        _peer(
            "your refund rate over the last 90 days",
            "your refund rate over the last 90 days could not be ranked among similar sellers",
            less_is_riskier=False,
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "peer_rating_pct",
        "percentile of rating_mean_180d among sellers of the same category and size band",
        Unit.PERCENTILE,
        -1,
        _C,
        _peer(
            "your average rating over the last 180 days",
            "your average rating over the last 180 days could not be ranked among similar sellers",
            less_is_riskier=True,
        ),
        cause="no reviews",
    ),
    # --- fulfilment ------------------------------------------------------------------------
    FeatureSpec(
        "late_shipment_rate_90d",
        "share of deliveries promised over the last 90 days that were late (or still "
        "missing at the as-of date)",
        Unit.SHARE,
        1,
        _F,
        Wording(
            plain="{value} of the deliveries you promised over the last 90 days were late "
            "or are still missing",
            zero="none of the deliveries you promised over the last 90 days were late",
            missing="no delivery you promised was due over the last 90 days",
        ),
        actionable=True,
        label="your late-delivery rate (last 90 days)",
        cause="no sales",
    ),
    FeatureSpec(
        "late_shipment_rate_365d",
        "share of deliveries promised over the last 365 days that were late",
        Unit.SHARE,
        1,
        _F,
        Wording(
            plain="{value} of the deliveries you promised over the last 365 days were late",
            zero="none of the deliveries you promised over the last 365 days were late",
            missing="no delivery you promised was due over the last 365 days",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "unshipped_share_90d",
        "share of deliveries promised over the last 90 days not shipped by the as-of date",
        Unit.SHARE,
        1,
        _F,
        Wording(
            plain="{value} of the deliveries you promised over the last 90 days had not "
            "shipped by the date of this assessment",
            zero="you shipped every delivery you promised over the last 90 days",
            missing="no delivery you promised was due over the last 90 days",
        ),
        actionable=True,
        label="your share of promised orders never shipped (last 90 days)",
        cause="no sales",
    ),
    FeatureSpec(
        "delivery_days_90d",
        "mean days from shipping to delivery, deliveries of the last 90 days",
        Unit.DAYS,
        1,
        _F,
        Wording(
            plain="your deliveries of the last 90 days took {value} on average to arrive",
            zero="your deliveries of the last 90 days arrived the day they shipped, on average",
            missing="none of your orders was delivered over the last 90 days",
        ),
        actionable=True,
        label="your average delivery time (last 90 days)",
        cause="no sales",
    ),
    FeatureSpec(
        "cancel_rate_90d",
        "share of the last 90 days' orders that were cancelled",
        Unit.SHARE,
        1,
        _F,
        Wording(
            plain="{value} of your orders over the last 90 days were cancelled",
            zero="none of your orders over the last 90 days were cancelled",
            missing="you received no orders over the last 90 days",
        ),
        actionable=True,
        label="your cancellation rate (last 90 days)",
        cause="no sales",
    ),
    # --- history ---------------------------------------------------------------------------
    FeatureSpec(
        "tenure_days",
        "days since the seller joined the platform",
        Unit.DAYS,
        -1,
        _H,
        Wording(
            plain="you joined the platform {value} ago",
            adverse="you joined the platform only {value} ago",
            zero="you joined the platform less than a day ago",
            missing="we have no record of you joining the platform before this date",
        ),
    ),
    FeatureSpec(
        "history_days",
        "days of the seller's records before the as-of date, at most 365: since it joined, or "
        "since the records begin if it joined before them (what every window could see)",
        Unit.DAYS,
        # How much evidence the windows hold, not a trait of the business: its effect on risk
        # is not known in advance (and with records that begin at one date it grows with the
        # calendar for every seller that joined before them).
        0,
        _H,
        Wording(
            plain="we have {value} of your records (at most the last 365 days)",
            adverse="we have {value} of your records (at most the last 365 days)" + _LINKED,
            zero="we have no records of your business before this date",
            missing="we have no record of when your history with us begins",
        ),
    ),
    FeatureSpec(
        "days_since_first_sale",
        "days since the seller's first sale; undefined for a seller that joined before the "
        "records begin (its first sale may be before them)",
        Unit.DAYS,
        -1,
        _H,
        Wording(
            plain="your first sale was {value} ago",
            adverse="your first sale was only {value} ago",
            zero="your first sale was less than a day ago",
            # Also a seller that joined before our records begin: not "no sale yet".
            missing="we have no record of your first sale",
        ),
        cause="no sales",
    ),
    FeatureSpec(
        "prior_loans",
        "loans disbursed to the seller before the as-of date",
        Unit.LOANS,
        -1,
        _H,
        Wording(
            plain="you have had {value} from us before",
            adverse="you have had only {value} from us before",
            zero="you have not borrowed from us before",
            missing="we have no count of your previous loans with us",
        ),
        cause="no previous loans",
    ),
    FeatureSpec(
        "prior_defaults",
        "prior loans that defaulted before the as-of date",
        Unit.LOANS,
        1,
        _H,
        Wording(
            plain="{value} you had with us defaulted",
            zero="none of your previous loans with us defaulted",
            missing="we have no count of your previous defaults with us",
        ),
        cause="no previous loans",
    ),
    FeatureSpec(
        "prior_default_share",
        "prior defaults over prior loans",
        Unit.SHARE,
        1,
        _H,
        Wording(
            plain="{value} of your previous loans with us defaulted",
            zero="none of your previous loans with us defaulted",
            missing="you have not borrowed from us before",
        ),
        cause="no previous loans",
    ),
    FeatureSpec(
        "prior_principal",
        "principal of all prior loans",
        Unit.CURRENCY,
        0,
        _H,
        Wording(
            plain="you have borrowed {value} from us before",
            adverse="you have borrowed {value} from us before" + _LINKED,
            zero="you have not borrowed from us before",
            missing="we have no record of your previous borrowing with us",
        ),
        cause="no previous loans",
    ),
    FeatureSpec(
        "days_since_last_loan",
        "days since the last prior loan was disbursed",
        Unit.DAYS,
        0,
        _H,
        Wording(
            plain="your last loan from us was paid out {value} ago",
            adverse="your last loan from us was paid out {value} ago" + _LINKED,
            zero="your last loan from us was paid out less than a day ago",
            missing="you have not borrowed from us before",
        ),
        cause="no previous loans",
    ),
)


#: The catalog's version: raised whenever a feature's meaning changes, so that a model trained
#: on the old meanings is refused rather than fed the new ones. 2: windows know where a
#: merchant's records start (long levels scaled, the buyer mix of 90 days, ``history_days``).
CATALOG_VERSION = 2


def feature_names() -> tuple[str, ...]:
    """Names of every catalogued feature, in catalog order (the model's column order)."""
    return tuple(f.name for f in CATALOG)


def spec(name: str) -> FeatureSpec:
    """The catalog entry of ``name``; ``KeyError`` if it is not catalogued."""
    for feature in CATALOG:
        if feature.name == name:
            return feature
    raise KeyError(f"no feature named {name!r} in the catalog")
