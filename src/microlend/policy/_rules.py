"""Knock-out rules: data (``Knockout``) plus this one evaluating function, no class per rule."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence

from microlend.policy._policy import Knockout, Missing, Operator

__all__ = ["fired_knockouts", "is_missing"]

_COMPARE: dict[Operator, Callable[[float, float], bool]] = {
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
}


def is_missing(value: float | None) -> bool:
    """Whether a feature value is absent: ``None`` or NaN (the builder's missing value)."""
    return value is None or math.isnan(value)


def fired_knockouts(
    rules: Sequence[Knockout], facts: Mapping[str, float | None]
) -> tuple[Knockout, ...]:
    """The rules that fire on ``facts`` (feature values and account facts), in policy order.

    Every rule is evaluated, so a decline lists all its knock-out reasons, not only the first.
    """
    return tuple(rule for rule in rules if _fires(rule, facts.get(rule.feature)))


def _fires(rule: Knockout, value: float | None) -> bool:
    if value is None or is_missing(value):
        return rule.missing is Missing.FIRE
    return _COMPARE[rule.op](float(value), rule.value)
