"""Pages people would rather look at than read: the model report and the model card, the risk
officer's dashboard and the merchant's offer page behind a login (a FastAPI router composed
beside the api).

The pages, their context and the model report are imported when first asked for: they bring
FastAPI, Jinja and matplotlib (most of a second), which the model card (``evaluate``) needs
none of.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from microlend.dashboard._files import check_writable
from microlend.dashboard._model_card import MODEL_CARD, render_model_card, write_model_card

if TYPE_CHECKING:
    from microlend.dashboard._context import DashboardContext, ReplayInputs
    from microlend.dashboard._model_report import render_model_report, write_model_report
    from microlend.dashboard._pages import dashboard_router

__all__ = [
    "MODEL_CARD",
    "DashboardContext",
    "ReplayInputs",
    "check_writable",
    "dashboard_router",
    "render_model_card",
    "render_model_report",
    "write_model_card",
    "write_model_report",
]

#: The module of each name imported on first use.
_LAZY = {
    "DashboardContext": "_context",
    "ReplayInputs": "_context",
    "render_model_report": "_model_report",
    "write_model_report": "_model_report",
    "dashboard_router": "_pages",
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
