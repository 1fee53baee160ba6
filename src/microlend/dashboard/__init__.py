"""Pages people would rather look at than read: the model report, the risk officer's dashboard
and the merchant's offer page behind a login (a FastAPI router composed beside the api)."""

from microlend.dashboard._context import DashboardContext
from microlend.dashboard._model_report import render_model_report, write_model_report
from microlend.dashboard._pages import dashboard_router

__all__ = ["DashboardContext", "dashboard_router", "render_model_report", "write_model_report"]
