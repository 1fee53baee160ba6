"""The notice of a decision: a decline or a counter-offer in writing, its wording from the policy,
its reasons the decision's principal ones, and why a counter-offer is lower, with the amounts."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import pytest
from policy_support import SCALE, edited, edited_policy, features, rating

from microlend.errors import ConfigError
from microlend.money import Money
from microlend.policy import (
    CreditRequest,
    Decision,
    Exposure,
    Notice,
    NoticeKind,
    Policy,
    ReasonSource,
    decide,
    default_policy,
    notice_for,
    parse_policy,
)
from microlend.scoring import TOP_REASONS, Change, Improvement, Rating

AS_OF = date(2025, 3, 1)
POLICY = default_policy()
RAISE = Improvement(
    (Change("refund_rate_90d", 0.12, 0.05, "lower your refunds from 12.0 % to 5.0 %"),),
    0.01,
    720,
    "good",
    0.3,
)


def _rated(pd: float, *, improvements: tuple[Improvement, ...] = (RAISE,)) -> Rating:
    return dataclasses.replace(rating(pd), improvements=improvements)


def _decided(
    pd: float = 0.02,
    *,
    values: dict[str, float | None] | None = None,
    policy: Policy = POLICY,
    requested: str | None = None,
    owed: str = "0",
) -> tuple[Decision, Rating]:
    asked = None if requested is None else Money(Decimal(requested), "USD")
    rated = _rated(pd)
    decision = decide(
        CreditRequest("app-1", "m-1", asked),
        rated,
        features() if values is None else values,
        policy,
        exposure=Exposure(Money(Decimal(owed), "USD")),
        as_of=AS_OF,
        model_version="pd-2025.03",
    )
    return decision, rated


def _notice(*args: object, policy: Policy = POLICY, **kwargs: object) -> Notice:
    decision, rated = _decided(*args, policy=policy, **kwargs)  # type: ignore[arg-type]
    found = notice_for(decision, rated, policy)
    assert found is not None
    return found


def test_a_decline_is_told_who_decided_when_why_and_the_right_to_the_reasons() -> None:
    notice = _notice(values=features(tenure_days=30.0, days_since_last_sale=40.0))
    assert notice.kind is NoticeKind.DECLINE
    assert notice.lender == POLICY.notice.lender
    assert notice.contact == POLICY.notice.contact
    assert notice.date == AS_OF
    assert notice.merchant_id == "m-1"
    assert notice.application_id == "app-1"
    assert notice.counter_offer is None
    assert [r.code for r in notice.reasons][:2] == ["short_tenure", "sales_stopped"]
    assert notice.reasons[0].text == "you joined the platform less than 90 days ago"
    assert POLICY.notice.contact in notice.right
    assert "2025-03-01" in notice.right
    assert "right" in notice.right
    assert notice.suggestions[0].text == RAISE.text
    assert (notice.suggestions[0].score, notice.suggestions[0].band) == (720, "good")
    assert notice.policy_version == POLICY.version


def test_a_notice_names_at_most_the_principal_reasons_knockouts_first() -> None:
    many = features(tenure_days=30.0, days_since_last_sale=40.0, gmv_90d=100.0, prior_defaults=2)
    decision, rated = _decided(0.4, values=many, owed="10", requested="900")
    assert len(decision.reasons) >= TOP_REASONS
    notice = notice_for(decision, rated, POLICY)
    assert notice is not None
    assert len(notice.reasons) == TOP_REASONS
    knockouts = [r.code for r in decision.reasons if r.source is ReasonSource.KNOCKOUT]
    assert [r.code for r in notice.reasons] == knockouts[:TOP_REASONS]


def test_a_full_approval_has_no_notice() -> None:
    decision, rated = _decided(requested="2000")
    assert decision.approved
    assert max(o.amount.amount for o in decision.offers) == Decimal("2000")
    assert notice_for(decision, rated, POLICY) is None
    whole_limit, rated = _decided()
    assert notice_for(whole_limit, rated, POLICY) is None


def test_a_counter_offer_below_the_limit_says_what_the_sales_support() -> None:
    decision, _ = _decided(requested="50000")
    limit = decision.limit
    assert limit is not None
    assert limit.binding in {"sales", "band_multiple"}
    notice = _notice(requested="50000")
    assert notice.kind is NoticeKind.COUNTER_OFFER
    assert notice.summary.startswith("We can offer you credit, but less")
    text = notice.counter_offer
    assert text is not None
    assert text.startswith("you asked for 50,000.00 USD; ")
    assert f"so we offer at most {limit.amount:,.2f} USD" in text
    assert f"forecast monthly net sales of {limit.monthly_sales:,.2f} USD" in text
    assert notice.reasons == ()


@pytest.mark.parametrize(("gmv", "binding"), [(30_000.0, "band_multiple"), (1e6, "band_amount")])
def test_a_counter_offer_capped_by_the_band_names_it_in_plain_words(
    gmv: float, binding: str
) -> None:
    decision, _ = _decided(0.02, values=features(gmv_90d=gmv), requested="99000")
    assert decision.limit is not None
    assert decision.limit.binding == binding
    notice = _notice(0.02, values=features(gmv_90d=gmv), requested="99000")
    assert notice.counter_offer is not None
    assert f"a merchant rated {decision.band} may owe us at most" in notice.counter_offer
    assert "'" not in notice.counter_offer


def test_a_counter_offer_counts_what_is_owed_already() -> None:
    notice = _notice(requested="50000", owed="1000")
    assert notice.counter_offer is not None
    assert "you owe us 1,000.00 USD already" in notice.counter_offer


def test_a_counter_offer_under_the_merchant_cap_says_so() -> None:
    policy = edited_policy("merchant_cap = 100000", "merchant_cap = 1000")
    decision, _ = _decided(requested="5000", policy=policy)
    assert decision.limit is not None
    assert decision.limit.binding == "merchant_cap"
    text = _notice(requested="5000", policy=policy).counter_offer
    assert text == (
        "you asked for 5,000.00 USD; we lend at most 1,000.00 USD in all to one merchant, "
        "so we offer at most 1,000.00 USD"
    )


def test_a_counter_offer_sized_by_the_holdback_says_how() -> None:
    # Share of sales only, at holdbacks too small to repay the limit within the target days.
    policy = parse_policy(
        edited(
            "holdback_rates = [0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25]", "holdback_rates = [0.02]"
        ).replace('bands = ["excellent", "good", "fair"]\n', 'bands = ["excellent"]\n'),
        source="edited.toml",
    )
    pd = next(p / 1000 for p in range(5, 400) if SCALE.band(int(SCALE.points(p / 1000))) == "good")
    decision, _ = _decided(pd, requested="6000", policy=policy)
    assert decision.approved
    assert decision.limit is not None
    best = max(o.amount.amount for o in decision.offers)
    assert best < min(Decimal("6000"), decision.limit.amount)
    notice = _notice(pd, requested="6000", policy=policy)
    assert notice.counter_offer is not None
    assert (
        f"holding back 2 % of your forecast net sales of {decision.sales.daily_net:,.2f} USD a day"
        in notice.counter_offer
    )
    assert f"repays at most {best:,.2f} USD within 180 days" in notice.counter_offer


def test_an_amount_off_the_step_is_offered_on_it_and_says_so() -> None:
    notice = _notice(requested="2050")
    assert notice.counter_offer == (
        "you asked for 2,050.00 USD; we lend in steps of 100.00 USD, so we offer 2,000.00 USD"
    )


def test_a_notice_is_the_same_every_time_and_through_json() -> None:
    decision, rated = _decided(values=features(gmv_90d=100.0))
    first = notice_for(decision, rated, POLICY)
    assert first is not None
    assert notice_for(Decision.from_dict(decision.to_dict()), rated, POLICY) == first
    again = Notice.from_dict(json.loads(json.dumps(first.to_dict())))
    assert again == first
    counter = _notice(requested="50000")
    assert Notice.from_dict(json.loads(json.dumps(counter.to_dict()))) == counter


def test_the_wording_comes_from_the_policy_file() -> None:
    policy = edited_policy('lender = "microlend demo lending"', 'lender = "Acme Capital, Inc."')
    notice = _notice(values=features(gmv_90d=100.0), policy=policy)
    assert notice.lender == "Acme Capital, Inc."
    assert "write to Acme Capital, Inc. at" in notice.right


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('lender = "microlend demo lending"\n', "", "notice.lender: missing"),
        (
            'lender = "microlend demo lending"',
            'lender = "  "',
            "notice.lender: expected a non-empty",
        ),
        ("within 60 days of {date}", "within 60 days of {when}", "may name only"),
        ("within 60 days of {date}", "within 60 days of {date!r}", "may name only"),
        ("within 60 days of {date}", "within 60 days of {date", "not a text with {fields}"),
        (
            'contact = "credit@lender.example',
            'tone = "warm"\ncontact = "credit@lender.example',
            "notice.tone: unknown key",
        ),
    ],
)
def test_a_notice_wording_that_cannot_be_filled_in_is_refused(
    old: str, new: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem.replace("{", r"\{")):
        edited_policy(old, new)


def test_a_policy_without_its_notice_wording_is_refused() -> None:
    text = edited("[notice]", "[notice_typo]")
    with pytest.raises(ConfigError, match="notice: missing"):
        parse_policy(text)
