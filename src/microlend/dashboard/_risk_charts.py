"""The cut-off trade-off and the drift of each variable, drawn as SVG (the figures are computed
in monitoring and service): rates and amounts against the cut-off with the policy's own marked,
PSI month by month against its thresholds, and the training and current distributions side by
side on the PSI's own bins."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from markupsafe import Markup

from microlend.dashboard._svg import line_chart, paired_bar_chart
from microlend.dashboard._ticks import month_label, month_ticks, nice_ticks
from microlend.monitoring import STABLE_BELOW, WATCH_BELOW, Stability, TradeOff, Verdict

__all__ = [
    "distribution_chart",
    "psi_month_chart",
    "tradeoff_money_chart",
    "tradeoff_rate_chart",
]

#: What the trade-off's charts say without applications in the window.
NO_APPLICATIONS = "No applications in the window yet"


def _cutoff_ticks(tradeoff: TradeOff) -> list[tuple[float, str]]:
    if not tradeoff.points:
        return []
    low, high = tradeoff.points[0].cutoff, tradeoff.points[-1].cutoff
    return [(t, f"{t:.0f}") for t in nice_ticks(low, high, 8) if low <= t <= high]


def _marker(tradeoff: TradeOff) -> tuple[float, str]:
    return float(tradeoff.current), f"current cut-off {tradeoff.current}"


def tradeoff_rate_chart(tradeoff: TradeOff) -> Markup:
    """Approval rate and the approved applications' mean PD at every cut-off."""
    empty = tradeoff.applications == 0
    approval = [(float(p.cutoff), p.approval_rate) for p in tradeoff.points]
    default = [
        (float(p.cutoff), p.default_rate) for p in tradeoff.points if p.default_rate is not None
    ]
    return line_chart(
        {} if empty else {"approval rate": approval, "expected default rate": default},
        name="cutoff-rates",
        title="Approval and expected default rate by cut-off",
        x_label="score cut-off (approve at or above)",
        y_label="share of applications / of approved",
        x_ticks=_cutoff_ticks(tradeoff),
        marker=_marker(tradeoff),
        empty=NO_APPLICATIONS,
    )


def tradeoff_money_chart(tradeoff: TradeOff) -> Markup:
    """Expected loss and expected profit of the approved applications at every cut-off."""
    empty = tradeoff.applications == 0
    points = tradeoff.points
    return line_chart(
        {}
        if empty
        else {
            "expected loss": [(float(p.cutoff), float(p.expected_loss)) for p in points],
            "expected profit": [(float(p.cutoff), float(p.expected_profit)) for p in points],
        },
        name="cutoff-money",
        title="Expected loss and profit by cut-off",
        x_label="score cut-off (approve at or above)",
        y_label=f"amount ({tradeoff.currency})",
        x_ticks=_cutoff_ticks(tradeoff),
        y_kind="number",
        marker=_marker(tradeoff),
        empty=NO_APPLICATIONS,
    )


def _month_number(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def psi_month_chart(label: str, by_month: Sequence[tuple[str, Stability]], minimum: int) -> Markup:
    """The PSI of each month with enough rows for a verdict (``minimum``), against the watch
    and act thresholds; a month with fewer is left out (its PSI says nothing of drift)."""
    shown = [
        (float(_month_number(m)), s.psi)
        for m, s in by_month
        if s.verdict is not Verdict.INSUFFICIENT
    ]
    months = [int(x) for x, _ in shown]
    ticks = (
        [(float(m), month_label(m)) for m in month_ticks(min(months), max(months), 6)]
        if months
        else []
    )
    ends = [shown[0][0], shown[-1][0]] if shown else []
    series = {
        "PSI": shown,
        f"watch ({STABLE_BELOW:.2f})": [(x, STABLE_BELOW) for x in ends],
        f"act ({WATCH_BELOW:.2f})": [(x, WATCH_BELOW) for x in ends],
    }
    return line_chart(
        series if shown else {},
        name="psi-months",
        title=f"PSI by month: {label}",
        x_label="month of the decision",
        y_label="PSI against training",
        x_ticks=ticks,
        y_kind="number",
        x_pad=0.5,
        empty=f"No month with {minimum:,} decisions yet",
    )


def _short(value: float) -> str:
    """A bin edge in few characters: ``12.3k``, ``1.5M``, ``0.042``, ``640``."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.3g}M"
    if size >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def _bin_labels(stability: Stability) -> list[str]:
    """``< a``, ``a-b``, ..., ``>= z`` over the PSI's bins, then ``missing``."""
    edges = [_short(e) for e in stability.edges]
    if not edges:
        return ["all", "missing"]
    inner = [f"{lo}\u2013{hi}" for lo, hi in itertools.pairwise(edges)]
    return [f"< {edges[0]}", *inner, f"\u2265 {edges[-1]}", "missing"]


def distribution_chart(label: str, stability: Stability) -> Markup:
    """The training and current shares of each of the PSI's bins, side by side; the bin of
    missing values only where either side has some."""
    groups = list(
        zip(_bin_labels(stability), stability.expected_share, stability.actual_share, strict=True)
    )
    if math.isclose(groups[-1][1], 0.0) and math.isclose(groups[-1][2], 0.0):
        groups = groups[:-1]
    return paired_bar_chart(
        groups,
        series=("training", f"current (n = {stability.n:,})"),
        name="distribution",
        title=f"Training vs current: {label}",
        x_label="bins of the training population's deciles",
        y_label="share of applications",
    )
