"""Pages people would rather look at than read: the model report and the model card, the risk
officer's dashboard and the merchant's offer page behind a login (a FastAPI router composed
beside the api)."""

from microlend.dashboard._context import DashboardContext
from microlend.dashboard._files import check_writable
from microlend.dashboard._model_card import MODEL_CARD, render_model_card, write_model_card
from microlend.dashboard._model_report import render_model_report, write_model_report
from microlend.dashboard._pages import dashboard_router

__all__ = [
    "MODEL_CARD",
    "DashboardContext",
    "check_writable",
    "dashboard_router",
    "render_model_card",
    "render_model_report",
    "write_model_card",
    "write_model_report",
]
