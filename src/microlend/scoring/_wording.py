"""Wording of values, reasons and suggested changes for a merchant (presentation only).

Everything here turns numbers already computed into short English text; nothing here decides.
A value is shown in its catalog unit: shares, rates and growth ratios as percentages,
percentiles as ordinals, counts as whole numbers, amounts without a currency (the feature is an
aggregate; the currency is the marketplace's).
"""

from __future__ import annotations

import math

from microlend.features.catalog import FeatureSpec

__all__ = ["change_text", "format_value", "reason_text"]

# Units whose values are fractions of one, shown as percentages ("ratio per week" included).
_SHARE_UNITS = ("share", "ratio", "rate", "fraction", "proportion", "%", "percent")
_WHOLE_UNITS = frozenset({"orders", "buyers", "reviews", "loans", "days", "months", "count"})
_BARE_UNITS = frozenset({"currency", "index 0-1", ""})


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_value(value: float | str, unit: str) -> str:
    """``0.061`` in unit ``share`` -> ``"6.1 %"``; ``12.0`` in ``days`` -> ``"12 days"``."""
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        return "missing"
    unit = unit.strip()
    if unit == "percentile":
        return f"{_ordinal(round(value * 100))} percentile"
    first, _, rest = unit.partition(" ")
    if first in _SHARE_UNITS:
        return f"{value * 100:.1f} %" + (f" {rest}" if rest else "")
    if unit in _WHOLE_UNITS and float(value).is_integer():
        return f"{int(value)} {unit}"
    number = f"{value:,.2f}" if abs(value) >= 100 else f"{value:.3g}"
    return number if unit in _BARE_UNITS else f"{number} {unit}"


def reason_text(feature: str, spec: FeatureSpec | None, value: float | str) -> str:
    """One adverse-action reason: the catalog's wording with the merchant's value."""
    if spec is None:
        return f"the value of {feature} ({format_value(value, '')}) raises the risk"
    return f"{spec.reason} ({format_value(value, spec.unit)})"


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
