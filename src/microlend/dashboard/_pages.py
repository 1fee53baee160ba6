"""The risk officer's pages and the merchant's page, as a FastAPI router.

The router holds no state of its own: every page reads the book through ``microlend.service``
on each request, and ``as_of`` comes from the context's clock (the app's edge owns the clock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine

from microlend.dashboard._charts import (
    approval_chart,
    bucket_chart,
    calibration_chart,
    score_distribution_chart,
    vintage_chart,
)
from microlend.errors import NotFoundError
from microlend.monitoring import BUCKET_ORDER
from microlend.scoring import ScoreScale
from microlend.service import (
    StabilityBaseline,
    book_population,
    list_loans,
    loan_detail,
    merchant_view,
    monitor_model,
    portfolio_overview,
    portfolio_performance,
)

__all__ = ["DashboardContext", "dashboard_router"]

_ENV = Environment(
    loader=PackageLoader("microlend.dashboard", "templates"),
    autoescape=select_autoescape(["html"]),
)
_PAGE = 50


@dataclass(frozen=True)
class DashboardContext:
    """What the pages read: the book, its currency, today's business date (a function, so
    the clock stays at the edge), and optionally the model's training baseline for PSI."""

    engine: Engine
    currency: str
    today: Callable[[], date]
    baseline: StabilityBaseline | None = None
    scale: ScoreScale = field(default_factory=ScoreScale)


def _html(template: str, **values: Any) -> HTMLResponse:
    return HTMLResponse(_ENV.get_template(template).render(**values))


def dashboard_router(context: DashboardContext) -> APIRouter:
    """Pages: ``/dashboard`` (overview), ``/dashboard/performance``, ``/dashboard/loans``,
    ``/dashboard/loans/{id}`` and the merchant's ``/merchants/{id}``."""
    router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)

    @router.get("/dashboard")
    def overview() -> HTMLResponse:
        as_of = context.today()
        book = portfolio_overview(context.engine, context.currency)
        performance = portfolio_performance(context.engine, as_of, context.scale)
        stability = None
        if context.baseline is not None:
            current = book_population(context.engine)
            if len(current):
                stability = monitor_model(context.baseline, current, performance.calibration)
        return _html(
            "overview.html",
            as_of=as_of,
            book=book,
            performance=performance,
            stability=stability,
            charts={
                "buckets": bucket_chart(book),
                "approvals": approval_chart(performance.decisions),
                "scores": score_distribution_chart(performance.scores),
                "calibration": calibration_chart(performance.calibration),
            },
        )

    @router.get("/dashboard/performance")
    def performance() -> HTMLResponse:
        as_of = context.today()
        found = portfolio_performance(context.engine, as_of, context.scale)
        return _html(
            "performance.html",
            as_of=as_of,
            performance=found,
            buckets=BUCKET_ORDER,
            vintages=vintage_chart(found.vintages),
        )

    @router.get("/dashboard/loans")
    def loans(after: str | None = None) -> HTMLResponse:
        found = list_loans(context.engine, after=after, limit=_PAGE)
        following = found[-1].loan_id if len(found) == _PAGE else None
        return _html("loans.html", loans=found, following=following)

    @router.get("/dashboard/loans/{loan_id}")
    def loan(loan_id: str) -> HTMLResponse:
        as_of = context.today()
        try:
            detail = loan_detail(context.engine, loan_id, as_of)
        except NotFoundError as error:
            raise HTTPException(status_code=404, detail=str(error)) from error
        return _html("loan.html", as_of=as_of, loan=detail)

    @router.get("/merchants/{merchant_id}")
    def merchant(merchant_id: str) -> HTMLResponse:
        try:
            view = merchant_view(context.engine, merchant_id)
        except NotFoundError as error:
            raise HTTPException(status_code=404, detail=str(error)) from error
        return _html("merchant.html", view=view, scale=context.scale)

    return router
