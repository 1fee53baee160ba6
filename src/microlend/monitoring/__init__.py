"""Watching the portfolio: stability (PSI, CSI) of scores and features."""

from microlend.monitoring._stability import (
    STABLE_BELOW,
    WATCH_BELOW,
    Stability,
    Verdict,
    psi,
    psi_table,
)

__all__ = ["STABLE_BELOW", "WATCH_BELOW", "Stability", "Verdict", "psi", "psi_table"]
