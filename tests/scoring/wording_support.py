"""What a reason may not say: a checker of a reason's text against its value and contribution.

Written apart from ``scoring._wording`` (a module with a unique name, importable from every
test folder): it reads the number back out of the text and the words around it, so a sentence
that says the opposite of its number, drops a unit or words a missing value as a comparison is
caught whatever the code that made it.
"""

from __future__ import annotations

import math
import re

from microlend.features.catalog import FeatureSpec, Unit
from microlend.money import minor_unit

#: Words that say a value went down, or up: a change says the one its sign says, never both.
FALL_WORDS = ("fell", "below")
RISE_WORDS = ("grew", "rose", "above")
#: Words that compare or rank: a missing value is told without any of them.
COMPARING = (*FALL_WORDS, *RISE_WORDS, " only ", "higher", "lower", "same as", "percentile")
#: What a direction-free value says when it pushed the risk up.
LINKED = "our model links with more defaults"

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_PERCENT = frozenset({Unit.SHARE, Unit.RATIO, Unit.CHANGE, Unit.CHANGE_PER_WEEK})


def shown_size(spec: FeatureSpec, value: float, currency: str) -> tuple[float, float]:
    """The size of ``value`` as a merchant reads it in ``spec``'s unit, and how far the text
    may round it."""
    if spec.unit in _PERCENT:
        return abs(value) * 100, 0.051
    if spec.unit is Unit.PERCENTILE:  # ranks run from the 1st to the 100th
        return min(100.0, max(1.0, value * 100)), 0.51
    if spec.unit is Unit.HHI:
        buyers = 1 / value
        return buyers, 0.051 if buyers < 10 else 0.51
    if spec.unit is Unit.CURRENCY:
        return abs(value), float(minor_unit(currency)) * 0.51
    return abs(value), 0.051


_ESTIMATE = re.compile(r" \(estimated from the [^)]*\)$")


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in _NUMBER.findall(text)]


def less_is_riskier_as_shown(spec: FeatureSpec) -> bool:
    """Whether a smaller number in the text means more risk (the index is shown inverted)."""
    return spec.direction == (1 if spec.unit is Unit.HHI else -1)


def contradictions(
    spec: FeatureSpec, value: float, contribution: float, text: str, currency: str
) -> list[str]:
    """Everything ``text`` gets wrong about ``value`` of ``spec`` whose contribution to the
    log-odds of default is ``contribution`` (empty when the text is true to both)."""
    # A long window's level may say it was estimated from fewer days: a note on the sentence,
    # told apart by ``test_a_level_estimated_from_fewer_days_says_from_how_many``.
    text = _ESTIMATE.sub("", text)
    wrong = [f"leftover {bit!r}" for bit in ("{", "}", "(missing)", "None") if bit in text]
    if re.search(r"\(\s*-?\d|\bnan\b", text):
        wrong.append("a bare number in brackets, or nan")
    if not math.isfinite(value):
        if text != spec.wording.missing:
            wrong.append("a missing value is not told as missing")
        wrong += [f"a missing value compared: {w!r}" for w in COMPARING if w in f" {text} "]
        return wrong
    size, slack = shown_size(spec, value, currency)
    if text == spec.wording.zero:
        if size != 0:
            wrong.append(f"told as none, but it is {size}")
        return wrong
    wrong += _size(size, slack, text)
    wrong += _direction(spec, value, text)
    wrong += _adverse(spec, value, contribution, text)
    if spec.unit is Unit.CURRENCY and not re.search(rf"\d {currency}\b", text):
        wrong.append(f"an amount without its currency {currency}")
    return wrong


def _size(size: float, slack: float, text: str) -> list[str]:
    """The value's size is in the text, rounded, or bounded by "less than" when too small to
    show (and then it is not zero)."""
    bound = re.search(r"less than (\d[\d,]*(?:\.\d+)?)", text)
    if bound:
        least = float(bound.group(1).replace(",", ""))
        return [] if 0 < size < least else [f"{size} told as less than {least}"]
    if not any(abs(n - size) <= slack for n in _numbers(text)):
        return [f"the value {size} is not in the text"]
    return []


def _direction(spec: FeatureSpec, value: float, text: str) -> list[str]:
    falls = [w for w in FALL_WORDS if w in text]
    rises = [w for w in RISE_WORDS if w in text]
    if not spec.wording.fall:
        return [f"a level told as a change: {w!r}" for w in falls + rises]
    if value < 0:
        return [f"a fall told as a rise: {w!r}" for w in rises] + ([] if falls else ["no fall"])
    # An amount of money that can go below zero (net payouts) is a level above it, not a rise.
    rise = rises or spec.unit is Unit.CURRENCY
    return [f"a rise told as a fall: {w!r}" for w in falls] + ([] if rise else ["no rise"])


def _adverse(spec: FeatureSpec, value: float, contribution: float, text: str) -> list[str]:
    """ "only" marks a value too small for comfort: said exactly when a value that is riskier
    when smaller pushed the risk up (and did not fall: a fall says so itself)."""
    wrong = []
    only = " only " in f" {text} "
    # "less than 0.1 %" says how small by itself: "only less than" is not said.
    small = "less than" in text and " only " in f" {spec.wording.adverse} "
    if only != (contribution > 0 and less_is_riskier_as_shown(spec) and value >= 0 and not small):
        wrong.append(f"'only' {'said' if only else 'not said'} with contribution {contribution}")
    if spec.direction == 0 and (LINKED in text) != (contribution > 0):
        wrong.append(f"a direction-free value's effect misstated (contribution {contribution})")
    return wrong
