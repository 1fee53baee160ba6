"""Wording of values, reasons and suggested changes for a merchant (presentation only).

Everything here turns numbers already computed into short English text; nothing here decides.
The sentences themselves are data, in the catalog (``FeatureSpec.wording``, a template per
case); this module shows a value in its unit and picks the case (``wording_case``).

A value is shown in its catalog unit: shares, ratios and changes as percentages, percentiles as
ordinals, counts and days as whole numbers with their noun, stars to one decimal, money with
its currency's places and code (``money.format_money``), a concentration index as the number
of equal buyers it equals.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Literal

from microlend.features.catalog import FeatureSpec, Unit, Wording
from microlend.money import format_money, minor_unit, round_money

__all__ = ["change_text", "format_value", "reason_text", "wording_case"]

Case = Literal["missing", "zero", "fall", "adverse", "plain"]

_PERCENT_UNITS = frozenset({Unit.SHARE, Unit.RATIO, Unit.CHANGE, Unit.CHANGE_PER_WEEK})
#: Counted units and their singular noun.
_NOUNS = {
    Unit.ORDERS: "order",
    Unit.BUYERS: "buyer",
    Unit.REVIEWS: "review",
    Unit.LOANS: "loan",
    Unit.DAYS: "day",
}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _counted(value: float, singular: str) -> str:
    whole = float(value).is_integer()
    number = f"{value:,.0f}" if whole else f"{value:,.1f}"
    return f"{number} {singular if number == '1' else singular + 's'}"


def _equal_buyers(index: float) -> str:
    """A Herfindahl index as the number of equal buyers with the same concentration."""
    # A sum of squared float shares can pass 1 in its last bit: one buyer's is 1.0000000000000002.
    if not 0.0 < index <= 1.0 + 1e-9:
        raise ValueError(f"a concentration index lies in (0, 1], not {index}")
    buyers = 1.0 / index
    number = f"{buyers:.1f}" if buyers < 10 else f"{buyers:,.0f}"
    return "1 buyer" if number == "1.0" else f"{number} buyers"


def _shown(value: float, unit: str, currency: str | None) -> str:
    if unit == Unit.CURRENCY:
        if currency is None:
            raise ValueError("an amount of money is shown with its currency: none was given")
        return format_money(round_money(Decimal(repr(float(value))), currency), currency)
    if unit in _PERCENT_UNITS:
        return f"{value * 100:.1f} %"
    if unit == Unit.PERCENTILE:
        # Percentiles run from the 1st to the 100th: the lowest rank is the 1st, never a "0th".
        return f"{_ordinal(min(100, max(1, round(value * 100))))} percentile"
    if unit == Unit.STARS:
        return f"{value:.1f} " + ("star" if f"{value:.1f}" == "1.0" else "stars")
    if unit == Unit.HHI:
        return _equal_buyers(value)
    if unit in _NOUNS:
        return _counted(value, _NOUNS[Unit(unit)])
    return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.3g}"


def _least_shown(unit: str, currency: str | None) -> float:
    """The smallest size ``unit`` shows as more than zero (a tenth of a percent, of a star, of
    a day; one minor unit of money)."""
    if unit == Unit.CURRENCY:
        return float(minor_unit(currency or ""))
    return 0.001 if unit in _PERCENT_UNITS else 0.1


def format_value(value: float | str, unit: str, currency: str | None = None) -> str:
    """``0.061`` in unit ``share`` -> ``"6.1 %"``; ``12.0`` in ``days`` -> ``"12 days"``;
    ``735.384`` in ``currency`` with ``currency="USD"`` -> ``"735.38 USD"``.

    A value that is not zero but would show as zero reads as what it is: ``0.0003`` in ``share``
    -> ``"less than 0.1 %"`` (a percentile keeps its ordinal). A missing value has no text
    (``ValueError``): it is worded by its own case, never shown as a number. Neither has money
    without its currency.
    """
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        raise ValueError("a missing value is worded as missing, not formatted")
    shown = _shown(value, unit, currency)
    if value == 0 or not _shows_zero(shown) or unit == Unit.PERCENTILE:
        return shown
    least = _shown(math.copysign(_least_shown(unit, currency), value), unit, currency)
    return f"less than {least}" if value > 0 else f"more than {least}"


def _shows_zero(text: str) -> bool:
    return not any(digit in text for digit in "123456789")


def wording_case(wording: Wording, value: float, shown: str, contribution: float) -> Case:
    """The case of ``wording`` that tells ``value`` (``shown``: its size as formatted) whose
    contribution to the log-odds of default is ``contribution``: the first of missing, zero
    (exactly zero: a value too small to show is "less than" the least shown), fall (below
    zero), adverse (it pushed the risk up; an "only" is not said of a value shown as "less
    than", which says how small it is itself) and plain that applies and has a template."""
    if not math.isfinite(value):
        return "missing"
    if wording.zero and value == 0:
        return "zero"
    if wording.fall and value < 0:
        return "fall"
    # "only less than 0.1 %" says twice that it is small: the "less than" is enough.
    says_only = " only " in f" {wording.adverse} "
    if wording.adverse and contribution > 0 and not (says_only and shown.startswith("less than")):
        return "adverse"
    return "plain"


def reason_text(
    feature: str,
    spec: FeatureSpec | None,
    value: float | str,
    contribution: float,
    currency: str | None = None,
    history_days: float | None = None,
) -> str:
    """What the merchant is told about ``feature``'s ``value``, given its contribution to the
    log-odds of default (a reason has a positive one): the catalog's sentence for the case.
    ``history_days``: the merchant's days on record, which say whether a long window's level
    was estimated from fewer days (``None`` when the model does not see them)."""
    if spec is None or isinstance(value, str):
        shown = value if isinstance(value, str) else f"{value:.3g}"
        effect = "raised" if contribution > 0 else "did not raise"
        return f"the value of {feature}, {shown}, {effect} the risk"
    finite = math.isfinite(value)
    signed = spec.wording.fall and finite and value < 0
    shown = format_value(abs(value) if signed else value, spec.unit, currency) if finite else ""
    case = wording_case(spec.wording, value, shown, contribution)
    template: str = getattr(spec.wording, case)
    note = "" if case == "missing" else _estimate(spec, history_days)
    return template.format(value=shown) + note


def _estimate(spec: FeatureSpec, history_days: float | None) -> str:
    """Says of a long window's level that it was scaled from fewer days on record; nothing
    when the whole window is on record (the level is then the sum itself)."""
    if not spec.scaled_days:
        return ""
    if history_days is None:
        return " (estimated from the days we have records of, where fewer)"
    if not math.isfinite(history_days) or history_days >= spec.scaled_days:
        return ""
    return f" (estimated from the {_counted(history_days, 'day')} we have records of)"


def _subject(spec: FeatureSpec) -> str:
    if spec.label:
        return spec.label
    meaning = spec.meaning.strip().rstrip(".")
    meaning = meaning[:1].lower() + meaning[1:] if meaning else spec.name
    return f"your {meaning.removeprefix('the ')}"


def change_text(spec: FeatureSpec, before: float, after: float) -> str:
    """``"lower your refunds per order from 6.1 % to 3.0 %"``: what to change, from, to."""
    verb = "raise" if after > before else "lower"
    return (
        f"{verb} {_subject(spec)} from {format_value(before, spec.unit)} "
        f"to {format_value(after, spec.unit)}"
    )
