"""The decision log's chart: declines by reason and month, one line per reason (the most
frequent ones, the rest summed), drawn with the pages' own SVG line chart (nice count ticks,
month names, "no data yet")."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from markupsafe import Markup

# The month axis is the one every monthly chart of the pages draws.
from microlend.dashboard._charts import _month_axis, _month_number
from microlend.dashboard._labels import reason_label
from microlend.dashboard._svg import line_chart
from microlend.service import ReasonCount

__all__ = ["REASON_LINES", "decline_reason_chart"]

#: Reasons drawn on their own lines; more would need more colours than the palette has to
#: stay told apart, so the rest are summed in one line.
REASON_LINES = 5
_OTHER = "other reasons"


def decline_reason_chart(counts: Sequence[ReasonCount]) -> Markup:
    """Declines giving each reason, month by month (a month without one counts 0)."""
    totals: Counter[str] = Counter()
    for count in counts:
        totals[count.code] += count.declines
    shown = [code for code, _ in totals.most_common(REASON_LINES)]
    months = sorted({_month_number(count.month) for count in counts})
    span = range(months[0], months[-1] + 1) if months else range(0)
    lines: dict[str, dict[int, int]] = defaultdict(lambda: dict.fromkeys(span, 0))
    for count in counts:
        label = reason_label(count.code) if count.code in shown else _OTHER
        lines[label][_month_number(count.month)] += count.declines
    ordered = [reason_label(code) for code in shown] + ([_OTHER] if _OTHER in lines else [])
    return line_chart(
        {label: [(float(m), float(n)) for m, n in lines[label].items()] for label in ordered},
        name="decline-reasons",
        title="Declines by reason and month",
        x_label="month of the decision",
        y_label="declines giving the reason",
        x_ticks=_month_axis(months),
        y_kind="count",
        x_pad=0.5,
    )
