"""Pages people would rather look at than read: the model report (and, later, the dashboard)."""

from microlend.dashboard._model_report import render_model_report, write_model_report

__all__ = ["render_model_report", "write_model_report"]
