"""``decide``: one pure function from an application and its rating to a ``Decision``.

The order is the credit officer's: knock-outs and the score cut-off first (every one that fails
is evaluated), then the limit, then the menu of priced offers. A decline gives at most
``TOP_REASONS`` principal reasons: the knock-outs that fired first, then the policy's own, then
the rating's score reasons (the contributions that pushed the PD up most).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date

from microlend.errors import ConfigError
from microlend.money import Money, format_money
from microlend.policy._decision import (
    CreditRequest,
    Decision,
    DecisionReason,
    Exposure,
    Offer,
    ReasonSource,
)
from microlend.policy._disclose import SalesBasis, sales_basis
from microlend.policy._limits import Limit, credit_limit, forecast_sales, step_down
from microlend.policy._offers import menu, offers_expire_on
from microlend.policy._policy import ACCOUNT_FACTS, Policy
from microlend.policy._rules import fired_knockouts, is_missing
from microlend.scoring import TOP_REASONS, Rating

__all__ = ["decide"]

logger = logging.getLogger(__name__)


def decide(
    request: CreditRequest,
    rating: Rating,
    features: Mapping[str, float | None],
    policy: Policy,
    *,
    exposure: Exposure,
    as_of: date,
    model_version: str,
) -> Decision:
    """Decide on ``request`` under ``policy``; the same inputs always give an equal Decision.

    ``features`` are the merchant's feature values as of ``as_of`` (NaN or ``None`` when
    missing); ``exposure`` is what it owes already; offers are dated from ``as_of``.
    """
    currency = _check_currencies(request, exposure, policy)
    reasons = [*_knockouts(policy, features, exposure), *_gates(policy, rating)]
    sales = forecast_sales(policy.forecast, features, currency)
    limit: Limit | None = None
    offers: tuple[Offer, ...] = ()
    if not reasons:
        limit = credit_limit(
            policy.limits, rating.band, sales.monthly_net, exposure.outstanding.amount, currency
        )
        basis = sales_basis(sales, features, currency)
        offers, refusals = _offers(request, rating, policy, limit, basis, as_of)
        reasons.extend(refusals)
    if not offers:
        reasons.extend(_score_reasons(rating))
    logger.debug("application %s: %d offers", request.application_id, len(offers))
    return Decision(
        application_id=request.application_id,
        merchant_id=request.merchant_id,
        as_of=as_of,
        currency=currency,
        requested_amount=request.requested_amount,
        exposure=exposure,
        pd=rating.pd,
        score=rating.score,
        band=rating.band,
        features=_recorded(policy, features),
        sales=sales,
        limit=limit,
        offers=offers,
        reasons=_principal(reasons),
        policy_version=policy.version,
        policy_digest=policy.digest,
        model_version=model_version,
        expires_on=offers_expire_on(policy, as_of) if offers else None,
    )


def _offers(
    request: CreditRequest,
    rating: Rating,
    policy: Policy,
    limit: Limit,
    sales: SalesBasis,
    as_of: date,
) -> tuple[tuple[Offer, ...], tuple[DecisionReason, ...]]:
    """The menu within ``limit``, or no offers and why not."""
    if limit.amount < policy.limits.minimum:
        return (), (_limit_too_low(limit, policy),)
    offers, refusals = menu(
        policy,
        band=rating.band,
        pd=rating.pd,
        amount=_amount(request, limit, policy),
        sales=sales,
        as_of=as_of,
    )
    return offers, () if offers else refusals


def _check_currencies(request: CreditRequest, exposure: Exposure, policy: Policy) -> str:
    amounts = [exposure.outstanding]
    if request.requested_amount is not None:
        amounts.append(request.requested_amount)
    for money in amounts:
        if money.currency != policy.currency:
            raise ConfigError(
                f"policy {policy.version!r} lends in {policy.currency}, "
                f"but an amount of application {request.application_id} is in {money.currency}"
            )
    return policy.currency


def _knockouts(
    policy: Policy, features: Mapping[str, float | None], exposure: Exposure
) -> list[DecisionReason]:
    facts = {name: features.get(name) for name in policy.features_read()}
    facts |= {name: float(getattr(exposure, name)) for name in ACCOUNT_FACTS}
    return [
        DecisionReason(
            ReasonSource.KNOCKOUT,
            rule.code,
            rule.reason,
            rule.feature,
            _plain(facts.get(rule.feature)),
        )
        for rule in fired_knockouts(policy.knockouts, facts)
    ]


def _gates(policy: Policy, rating: Rating) -> list[DecisionReason]:
    gates = []
    if rating.score < policy.min_score:
        gates.append(
            DecisionReason(
                ReasonSource.POLICY,
                "score_below_minimum",
                f"your score of {rating.score} is below our minimum of {policy.min_score}",
                value=float(rating.score),
            )
        )
    if rating.band not in policy.eligible_bands():
        gates.append(
            DecisionReason(
                ReasonSource.POLICY,
                "band_not_eligible",
                f"we make no offer to merchants rated {rating.band}",
            )
        )
    return gates


def _limit_too_low(limit: Limit, policy: Policy) -> DecisionReason:
    owed = " after what you owe us already" if limit.exposure > 0 else ""
    return DecisionReason(
        ReasonSource.POLICY,
        "limit_below_minimum",
        f"the credit your sales support{owed} is below our smallest loan "
        f"of {format_money(policy.limits.minimum, policy.currency)}",
    )


def _amount(request: CreditRequest, limit: Limit, policy: Policy) -> Money:
    """The amount offered: what was asked for (on the step, at least the minimum), at most the
    limit; the whole limit when nothing was asked for."""
    if request.requested_amount is None:
        return Money(limit.amount, policy.currency)
    asked = step_down(request.requested_amount.amount, policy.limits.step, policy.currency)
    return Money(min(max(asked, policy.limits.minimum), limit.amount), policy.currency)


def _score_reasons(rating: Rating) -> list[DecisionReason]:
    return [
        DecisionReason(
            ReasonSource.SCORE,
            reason.code,
            reason.text,
            reason.feature,
            None if isinstance(reason.value, str) else _plain(reason.value),
        )
        for reason in rating.reasons
    ]


def _principal(reasons: list[DecisionReason]) -> tuple[DecisionReason, ...]:
    """The first ``TOP_REASONS`` of ``reasons`` by source (knock-outs, then the policy's, then
    the score's), each source in the order given: what a notice may name."""
    order = list(ReasonSource)
    return tuple(sorted(reasons, key=lambda r: order.index(r.source))[:TOP_REASONS])


def _recorded(policy: Policy, features: Mapping[str, float | None]) -> dict[str, float | None]:
    """The values of the features the policy reads; missing ones as ``None`` (JSON's null)."""
    return {name: _plain(features.get(name)) for name in policy.features_read()}


def _plain(value: float | None) -> float | None:
    return None if value is None or is_missing(value) else float(value)
