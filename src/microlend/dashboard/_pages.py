"""The risk officer's pages and the merchant's page, as a FastAPI router.

The router holds no state of its own: every page reads the book through ``microlend.service``
on each request, and ``as_of`` comes from the context's clock (the app's edge owns the clock).
Every page needs a login (``_login``): the dashboard a risk officer's key, the merchant's page
that merchant's own key or a risk officer's.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from microlend.dashboard._charts import (
    approval_chart,
    bucket_chart,
    calibration_chart,
    score_distribution_chart,
    vintage_chart,
)
from microlend.dashboard._context import DashboardContext, render
from microlend.dashboard._login import PageRoute, add_login_routes, officer
from microlend.dashboard._merchant_page import add_merchant_routes
from microlend.dashboard._model_risk import add_model_risk_routes
from microlend.dashboard._notice_page import add_notice_routes
from microlend.dashboard._tables import add_table_routes
from microlend.errors import NotFoundError
from microlend.monitoring import BUCKET_ORDER
from microlend.service import (
    book_population,
    estimated_book_performance,
    loan_view,
    monitor_model,
    portfolio_overview,
    portfolio_performance,
)

__all__ = ["DashboardContext", "dashboard_router"]


def dashboard_router(context: DashboardContext) -> APIRouter:
    """Pages: ``/dashboard`` (overview), ``/dashboard/performance``, the tables
    ``/dashboard/loans`` and ``/dashboard/decisions`` with their CSV exports and
    ``/dashboard/decisions/{id}`` (``_tables``), ``/dashboard/loans/{id}``, the merchant's
    ``/merchants/{id}`` (and its accept form, ``_merchant_page``), its latest notice
    ``/merchants/{id}/notice`` (``_notice_page``), and ``/login``, ``/logout``."""
    router = APIRouter(
        default_response_class=HTMLResponse, include_in_schema=False, route_class=PageRoute
    )
    add_login_routes(router, context)

    @router.get("/dashboard")
    def overview(request: Request) -> HTMLResponse:
        visitor = officer(context, request)
        as_of = context.today()
        book = portfolio_overview(context.engine, context.currency)
        performance = portfolio_performance(context.engine, as_of, context.scale)
        stability = None
        if context.baseline is not None:
            current = book_population(context.engine)
            if len(current):
                stability = monitor_model(
                    context.baseline, current, performance.calibration, context.minimum_sample
                )
        return render(
            "overview.html",
            visitor=visitor,
            as_of=as_of,
            book=book,
            performance=performance,
            stability=stability,
            minimum=context.minimum_sample,
            charts={
                "buckets": bucket_chart(book),
                "approvals": approval_chart(performance.decisions),
                "scores": score_distribution_chart(performance.scores),
                "calibration": calibration_chart(
                    performance.calibration["band"].tolist(),
                    performance.calibration["predicted"].tolist(),
                    performance.calibration["observed"].tolist(),
                    by="score band",
                ),
            },
        )

    @router.get("/dashboard/performance")
    def performance(request: Request) -> HTMLResponse:
        visitor = officer(context, request)
        as_of = context.today()
        found = portfolio_performance(context.engine, as_of, context.scale)
        return render(
            "performance.html",
            visitor=visitor,
            as_of=as_of,
            performance=found,
            buckets=BUCKET_ORDER,
            vintages=vintage_chart(found.vintages),
            estimated=estimated_book_performance(context.engine, as_of, context.minimum_sample),
        )

    add_table_routes(router, context)

    @router.get("/dashboard/loans/{loan_id}")
    def loan(request: Request, loan_id: str) -> HTMLResponse:
        visitor = officer(context, request)
        as_of = context.today()
        try:
            view = loan_view(context.engine, loan_id, as_of)
        except NotFoundError as error:
            raise HTTPException(status_code=404, detail=str(error)) from error
        return render("loan.html", visitor=visitor, as_of=as_of, loan=view)

    add_model_risk_routes(router, context)
    add_merchant_routes(router, context)
    add_notice_routes(router, context)
    return router
