"""What every command route on a loan shares: the loan's path parameter, and running a service
command on the book as of the api's business date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Path, Request
from sqlalchemy import Engine

from microlend.api._auth import runtime_of
from microlend.api._loan_schemas import ReceiptOut
from microlend.api._schemas import ID_PATTERN
from microlend.api._views import receipt_out
from microlend.service import Receipt

__all__ = ["LoanPath", "on_book"]

LoanPath = Annotated[str, Path(pattern=ID_PATTERN, description="Loan id.")]


async def on_book(request: Request, command: Callable[[Engine, date], Receipt]) -> ReceiptOut:
    """Run ``command`` on the book as of the api's business date, on the api's thread pool;
    the receipt it gives."""
    runtime = runtime_of(request)
    context = runtime.context
    today = context.today()
    return receipt_out(await runtime.run(lambda: command(context.engine, today)))
