"""Fairness: the records' applications rated and decided as the backtest does, screened by a
merchants column (``microlend.monitoring.fairness_screen``)."""

from microlend.service.fairness._screen import fairness_on_records

__all__ = ["fairness_on_records"]
