"""Reading and validating a policy file (TOML).

Everything is checked on load, so a decision never meets a half-valid policy: unknown keys,
wrong types, values out of range and grids that contradict each other raise ``ConfigError``
naming the file and the key path (``policy.toml: limits.step: expected a positive amount``).
TOML floats are read as ``Decimal``, so ``0.85`` in the file is exactly 0.85 in every price.
"""

from __future__ import annotations

import hashlib
import itertools
import string
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path

from microlend.errors import ConfigError
from microlend.features import feature_names
from microlend.ledger import Covenant, Frequency
from microlend.money import AMOUNT_LIMIT, currency_exponent, is_currency, round_money
from microlend.policy._policy import (
    ACCOUNT_FACTS,
    DEFAULT_MIN_CALIBRATION_BADS,
    DEFAULT_MIN_PSI_ROWS,
    DEFAULT_OFFER_VALID_DAYS,
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
from microlend.policy._reader import Node

__all__ = ["default_policy", "load_policy", "parse_policy"]

_BIG = Decimal("1e15")  # bound of knock-out thresholds: any real feature value lies inside


def load_policy(path: str | Path) -> Policy:
    """Read and validate the policy file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such policy file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file.name}: not UTF-8 text") from None
    return parse_policy(text, source=file.name)


def default_policy() -> Policy:
    """The policy shipped with microlend (``policies/default.toml``)."""
    text = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    return parse_policy(text, source="default.toml")


def parse_policy(text: str, *, source: str = "policy.toml") -> Policy:
    """Validate the TOML ``text`` of a policy; ``source`` names it in error messages."""
    try:
        body = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from None
    root = Node(source, "", body)
    limits = _limits(root.table("limits"))
    instalment, share_of_sales = _products(root.table("products"), limits)
    accrue_in_pause, approval_threshold = _servicing(root)
    policy = Policy(
        version=root.text("version"),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        currency=_currency(root),
        min_score=_cutoffs(root.table("cutoffs")),
        knockouts=_knockouts(root.tables("knockouts")),
        forecast=_forecast(root.table("forecast")),
        limits=limits,
        pricing=_pricing(root.table("pricing")),
        instalment=instalment,
        share_of_sales=share_of_sales,
        notice=_notice(root.table("notice")),
        offer_valid_days=_offer_valid_days(root),
        accrue_in_pause=accrue_in_pause,
        approval_threshold=approval_threshold,
        minimum_sample=_minimum_sample(root),
    )
    root.finish()
    _amounts_in_currency(root, limits, policy.currency)
    return policy


def _amounts_in_currency(root: Node, limits: LimitRule, currency: str) -> None:
    """Refuse an amount finer than the currency's minor unit (a ``step`` of 0.5 in JPY): every
    limit and offer is made of these, and none of them could then be lent or stored."""
    amounts = {
        "limits.minimum": limits.minimum,
        "limits.step": limits.step,
        "limits.merchant_cap": limits.merchant_cap,
    } | {f"limits.bands.{band}.max_amount": cap.max_amount for band, cap in limits.bands.items()}
    for key, amount in amounts.items():
        if amount is None:
            continue
        if amount >= AMOUNT_LIMIT:
            root.fail(key, f"expected less than {AMOUNT_LIMIT:,}, the most a book stores")
        if round_money(amount, currency) != amount:
            places = currency_exponent(currency)
            root.fail(key, f"{amount} is finer than {currency}'s {places} decimal places")


def _currency(root: Node) -> str:
    code = root.text("currency")
    if not is_currency(code):
        root.fail("currency", f"expected an ISO 4217 code such as 'USD', got {code!r}")
    return code


def _offer_valid_days(root: Node) -> int:
    """How many business days a decision's offers stand (``[offers] valid_days``)."""
    if not root.has("offers"):
        return DEFAULT_OFFER_VALID_DAYS
    node = root.table("offers")
    days = node.integer("valid_days", 1, 90, default=DEFAULT_OFFER_VALID_DAYS)
    node.finish()
    return days


def _minimum_sample(root: Node) -> MinimumSample:
    """The evidence the monitoring verdicts need (``[monitoring] min_psi_rows`` and
    ``min_calibration_bads``)."""
    if not root.has("monitoring"):
        return MinimumSample()
    node = root.table("monitoring")
    sample = MinimumSample(
        psi_rows=node.integer("min_psi_rows", 0, 1_000_000, default=DEFAULT_MIN_PSI_ROWS),
        calibration_bads=node.integer(
            "min_calibration_bads", 0, 1_000_000, default=DEFAULT_MIN_CALIBRATION_BADS
        ),
    )
    node.finish()
    return sample


def _servicing(root: Node) -> tuple[bool, Decimal]:
    """Whether interest falls due on paused days (``[servicing] pause_accrual``), and above
    which amount an action waits for approval (``approval_threshold``)."""
    if not root.has("servicing"):
        return False, _APPROVAL_THRESHOLD
    node = root.table("servicing")
    accrual = node.text("pause_accrual", choices=("stop", "accrue"), default="stop")
    threshold = node.number("approval_threshold", 0, AMOUNT_LIMIT, default=_APPROVAL_THRESHOLD)
    node.finish()
    return accrual == "accrue", threshold


_APPROVAL_THRESHOLD = Decimal(500)


#: What ``notice.right_to_reasons`` may name in braces.
_NOTICE_FIELDS = ("lender", "contact", "date")


def _notice(node: Node) -> NoticeWording:
    wording = NoticeWording(
        lender=node.text("lender"),
        contact=node.text("contact"),
        right_to_reasons=node.text("right_to_reasons"),
    )
    try:
        parts = list(string.Formatter().parse(wording.right_to_reasons))
    except ValueError as error:  # an unmatched brace
        node.fail("right_to_reasons", f"not a text with {{fields}}: {error}")
    allowed = ", ".join(f"{{{name}}}" for name in _NOTICE_FIELDS)
    for _, field, spec, conversion in parts:
        if field is not None and (field not in _NOTICE_FIELDS or spec or conversion):
            node.fail("right_to_reasons", f"names {{{field}}}; it may name only {allowed}")
    node.finish()
    return wording


def _cutoffs(node: Node) -> int:
    score = node.integer("min_score", 350, 950)
    node.finish()
    return score


def _knockouts(nodes: list[Node]) -> tuple[Knockout, ...]:
    known = set(feature_names()) | set(ACCOUNT_FACTS)
    rules, codes = [], set()
    for node in nodes:
        code = node.text("code")
        if code in codes:
            node.fail("code", f"{code!r} is used by an earlier knock-out")
        codes.add(code)
        feature = node.text("feature")
        if feature not in known:
            node.fail("feature", f"not a catalogued feature or account fact: {feature!r}")
        rules.append(
            Knockout(
                code=code,
                feature=feature,
                op=Operator(node.text("op", choices=tuple(Operator))),
                value=float(node.number("value", -_BIG, _BIG)),
                reason=node.text("reason"),
                missing=Missing(node.text("missing", choices=tuple(Missing), default="fire")),
            )
        )
        node.finish()
    return tuple(rules)


def _forecast(node: Node) -> Forecast:
    known = feature_names()
    forecast = Forecast(
        sales_feature=node.text("sales_feature", choices=known),
        window_days=node.integer("window_days", 1, 3650),
        growth_feature=node.text("growth_feature", choices=known),
        growth_weight=node.number("growth_weight", 0, 1),
        growth_floor=node.number("growth_floor", -1, 0),
        growth_cap=node.number("growth_cap", 0, 10),
        net_share=node.number("net_share", 0, 1),
    )
    if forecast.net_share == 0:
        node.fail("net_share", "expected more than 0: nothing would be paid out")
    node.finish()
    return forecast


def _limits(node: Node) -> LimitRule:
    rule = LimitRule(
        share_of_monthly_sales=node.number("share_of_monthly_sales", 0, 3),
        minimum=node.amount("minimum"),
        step=node.amount("step"),
        merchant_cap=node.amount("merchant_cap"),
        bands=_band_caps(node.table("bands")),
    )
    if rule.minimum % rule.step:
        node.fail(
            "minimum", f"expected a multiple of limits.step ({rule.step}), got {rule.minimum}"
        )
    if rule.merchant_cap < rule.minimum:
        node.fail("merchant_cap", f"expected at least limits.minimum ({rule.minimum})")
    node.finish()
    return rule


def _band_caps(node: Node) -> dict[str, BandCap]:
    caps = {}
    for band in node.names():
        entry = node.table(band)
        cap = BandCap(
            max_amount=entry.optional_amount("max_amount"),
            max_multiple=entry.optional_number("max_multiple", 0, 12),
        )
        if cap.max_amount is None and cap.max_multiple is None:
            entry.fail(None, "expected max_amount, max_multiple or both")
        entry.finish()
        caps[band] = cap
    if not caps:
        node.fail(None, "expected at least one band")
    return caps


def _pricing(node: Node) -> Pricing:
    pricing = Pricing(
        lgd=node.number("lgd", 0, 1),
        cost_of_funds=node.number("cost_of_funds", 0, 1),
        servicing=node.number("servicing", 0, 1),
        target_margin=node.number("target_margin", 0, 1),
        annual_rate=_grid(node.table("annual_rate"), upper=Decimal(10)),
        fee_rate=_grid(node.table("fee_rate"), upper=Decimal(1)),
        max_apr=node.number("max_apr", 0, 100),
    )
    node.finish()
    return pricing


def _grid(node: Node, *, upper: Decimal) -> RateGrid:
    grid = RateGrid(
        low=node.number("low", 0, upper),
        high=node.number("high", 0, upper),
        step=node.number("step", 0, upper),
    )
    if grid.step == 0:
        node.fail("step", "expected more than 0")
    if grid.low > grid.high:
        node.fail("low", f"expected at most {node.where('high')} ({grid.high}), got {grid.low}")
    node.finish()
    return grid


def _products(
    node: Node, limits: LimitRule
) -> tuple[InstalmentProduct | None, ShareOfSalesProduct | None]:
    instalment = (
        _instalment(node.table("fixed_instalment")) if node.has("fixed_instalment") else None
    )
    share = _share_of_sales(node.table("share_of_sales")) if node.has("share_of_sales") else None
    if instalment is None and share is None:
        node.fail(None, "expected fixed_instalment, share_of_sales or both")
    for name, product in (("fixed_instalment", instalment), ("share_of_sales", share)):
        for band in product.bands if product else ():
            if band not in limits.bands:
                node.fail(f"{name}.bands", f"band {band!r} has no limits.bands.{band} cap")
    node.finish()
    return instalment, share


def _instalment(node: Node) -> InstalmentProduct:
    terms = []
    for entry in node.tables("terms"):
        terms.append(
            InstalmentTerm(
                count=entry.integer("count", 1, 520),
                frequency=Frequency(entry.text("frequency", choices=tuple(Frequency))),
            )
        )
        entry.finish()
    if not terms:
        node.fail("terms", "expected at least one term")
    if len(set(terms)) != len(terms):
        node.fail("terms", "names a term twice")
    product = InstalmentProduct(
        bands=node.texts("bands"), terms=tuple(terms), fee_rate=node.number("fee_rate", 0, 1)
    )
    node.finish()
    return product


def _share_of_sales(node: Node) -> ShareOfSalesProduct:
    rates = node.numbers("holdback_rates", 0, 1)
    if rates[0] == 0 or any(b <= a for a, b in itertools.pairwise(rates)):
        node.fail("holdback_rates", "expected rates above 0, strictly ascending")
    covenant = node.table("covenant")
    product = ShareOfSalesProduct(
        bands=node.texts("bands"),
        target_days=node.integer("target_days", 1, 3650),
        holdback_rates=rates,
        covenant=Covenant(
            periods=covenant.integer("periods", 1, 120),
            period_days=covenant.integer("period_days", 1, 366),
        ),
    )
    if product.target_days > product.covenant.periods * product.covenant.period_days:
        node.fail("target_days", "expected no more than the covenant's full term")
    covenant.finish()
    node.finish()
    return product
