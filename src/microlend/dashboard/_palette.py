"""The one palette of every chart: Okabe and Ito's eight colours, told apart by readers with
any of the common colour-vision deficiencies (Okabe & Ito, *Color Universal Design*, 2008).

Ordered so the first colours contrast most with white and with each other; yellow, faint on
white, comes last.
"""

from __future__ import annotations

__all__ = ["ACT", "PALETTE", "STABLE", "WATCH"]

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

#: Verdict colours of the PSI chart, from the same palette.
STABLE, WATCH, ACT = PALETTE[2], PALETTE[4], PALETTE[1]
