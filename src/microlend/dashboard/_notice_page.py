"""The notice page: the merchant's latest notice (of a decline, or of offers below the amount it
asked for) as it was stored with its decision, for the merchant to read, print or keep.

Read by the merchant (its own key), a risk officer or servicing, as the merchant's page is and
as the api's ``GET /v1/decisions/{id}/notice`` is; another merchant, or a merchant not in the
book, is told the same 'not found'.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from microlend.dashboard._context import DashboardContext, render
from microlend.dashboard._login import RefusedError, no_merchant, reader_of
from microlend.errors import NotFoundError
from microlend.service import latest_notice

__all__ = ["add_notice_routes"]


def add_notice_routes(router: APIRouter, context: DashboardContext) -> None:
    """``GET /merchants/{id}/notice``: the merchant's latest notice, or that it has none."""

    @router.get("/merchants/{merchant_id}/notice")
    def notice(request: Request, merchant_id: str) -> HTMLResponse:
        visitor = reader_of(context, request, merchant_id)
        try:
            stored = latest_notice(context.engine, merchant_id)
        except NotFoundError as missing:
            raise RefusedError(no_merchant(visitor, merchant_id)) from missing
        return render("notice.html", visitor=visitor, merchant_id=merchant_id, stored=stored)
