"""The risk officer's tables: the loans and the decision log (sorted, filtered, searched and
paged by query parameters, exported as CSV with the same rows), and one decision's page with
its stored inputs and its replay.

Everything is drawn on the server from the query string, so the pages work offline, without
script, and a filtered view is a link that can be kept or sent.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from microlend.dashboard._context import DashboardContext, render
from microlend.dashboard._decision_charts import decline_reason_chart
from microlend.dashboard._labels import reason_label
from microlend.dashboard._login import RefusedError, Visitor, officer, refusal
from microlend.dashboard._table_query import (
    DECISION_PARAMETERS,
    LOAN_PARAMETERS,
    BadQueryError,
    TableState,
    decision_query,
    loan_query,
    table_parameters,
)
from microlend.errors import MicrolendError, NotFoundError
from microlend.ledger import Bucket, Product
from microlend.money import to_text
from microlend.service import (
    DecisionLine,
    LoanLine,
    Outcome,
    decision_lines,
    decision_log,
    decision_record,
    loan_lines,
    loan_table,
    replay_decision,
)
from microlend.store import LoanStatus
from microlend.types import ID_PATTERN

__all__ = ["add_table_routes"]

#: CSV rows written per chunk of the stream.
_CHUNK = 500


def _checked(
    visitor: Visitor, request: Request, known: Sequence[str], parse: Callable[[dict[str, str]], Any]
) -> tuple[dict[str, str], Any]:
    """The request's table parameters and the query they make, or ``RefusedError``: the page
    saying which parameter is wrong (400 or 422)."""
    try:
        params = table_parameters(request.query_params.multi_items(), known)
        return params, parse(params)
    except BadQueryError as error:
        page = refusal(visitor, error.status, "This table cannot be shown", str(error))
        raise RefusedError(page) from error


def _csv(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingResponse:
    """``rows`` as a CSV download, a header row first, sent in chunks as they are written."""

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for index, row in enumerate(rows, start=1):
            writer.writerow(row)
            if index % _CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    disposition = f'attachment; filename="{name}"'
    return StreamingResponse(
        chunks(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )


_LOAN_HEADER = (
    "loan_id",
    "merchant_id",
    "product",
    "band",
    "vintage",
    "principal",
    "currency",
    "disbursed_on",
    "status",
    "days_past_due",
    "bucket",
    "outstanding",
)


def _loan_row(line: LoanLine) -> tuple[object, ...]:
    loan = line.loan
    return (
        loan.loan_id,
        loan.merchant_id,
        loan.product,
        line.band or "",
        line.vintage or "",
        to_text(loan.principal, loan.currency),
        loan.currency,
        loan.disbursed_on or "",
        loan.status.value,
        loan.days_past_due,
        loan.bucket.value,
        to_text(loan.outstanding, loan.currency),
    )


_DECISION_HEADER = (
    "decision_id",
    "merchant_id",
    "decided_on",
    "outcome",
    "score",
    "band",
    "requested",
    "offered",
    "currency",
    "products",
    "reasons",
    "model_version",
    "policy_version",
)


def _decision_row(line: DecisionLine) -> tuple[object, ...]:
    def amount(value: Any) -> str:
        return "" if value is None else to_text(value, line.currency)

    return (
        line.decision_id,
        line.merchant_id,
        line.as_of,
        line.outcome.value,
        line.score,
        line.band,
        amount(line.requested),
        amount(line.offered),
        line.currency,
        ";".join(line.products),
        ";".join(reason.code for reason in line.reasons),
        line.model_version,
        line.policy_version,
    )


def _choices(context: DashboardContext) -> dict[str, Sequence[str]]:
    return {
        "status": [s.value for s in LoanStatus],
        "band": context.scale.band_order,
        "product": [p.value for p in Product],
        "dpd": [b.value for b in Bucket],
        "outcome": [o.value for o in Outcome],
    }


def _add_loan_routes(router: APIRouter, context: DashboardContext) -> None:
    """``/dashboard/loans`` and its export ``/dashboard/loans.csv``."""

    def parse(params: dict[str, str]) -> Any:
        return loan_query(params, context.scale)

    @router.get("/dashboard/loans")
    def loans(request: Request) -> HTMLResponse:
        visitor = officer(context, request)
        params, query = _checked(visitor, request, LOAN_PARAMETERS, parse)
        table = loan_table(context.engine, query, context.scale, context.table_rows)
        state = TableState("/dashboard/loans", params, query.sort.value, query.descending)
        return render(
            "loans.html",
            visitor=visitor,
            table=table.page,
            vintages=table.vintages,
            state=state,
            choices=_choices(context),
        )

    @router.get("/dashboard/loans.csv")
    def loans_csv(request: Request) -> StreamingResponse:
        visitor = officer(context, request)
        _, query = _checked(visitor, request, LOAN_PARAMETERS, parse)
        lines, _ = loan_lines(context.engine, query, context.scale)
        return _csv("loans.csv", _LOAN_HEADER, map(_loan_row, lines))


def _add_decision_routes(router: APIRouter, context: DashboardContext) -> None:
    """``/dashboard/decisions`` (the log), its export ``/dashboard/decisions.csv`` and one
    decision's page ``/dashboard/decisions/{id}``."""

    def parse(params: dict[str, str]) -> Any:
        return decision_query(params, context.scale)

    @router.get("/dashboard/decisions")
    def decisions(request: Request) -> HTMLResponse:
        visitor = officer(context, request)
        params, query = _checked(visitor, request, DECISION_PARAMETERS, parse)
        log = decision_log(context.engine, query, context.scale, context.table_rows)
        state = TableState("/dashboard/decisions", params, query.sort.value, query.descending)
        return render(
            "decisions.html",
            visitor=visitor,
            log=log,
            table=log.page,
            state=state,
            choices=_choices(context),
            chart=decline_reason_chart(log.reasons_by_month),
            reason_label=reason_label,
        )

    @router.get("/dashboard/decisions.csv")
    def decisions_csv(request: Request) -> StreamingResponse:
        visitor = officer(context, request)
        _, query = _checked(visitor, request, DECISION_PARAMETERS, parse)
        lines, _ = decision_lines(context.engine, query, context.scale)
        return _csv("decisions.csv", _DECISION_HEADER, map(_decision_row, lines))

    @router.get("/dashboard/decisions/{decision_id}")
    def decision(request: Request, decision_id: str) -> HTMLResponse:
        visitor = officer(context, request)
        missing = f"No decision {decision_id!r} in the book."
        if not _is_id(decision_id):
            return refusal(visitor, 404, "Not found", missing)
        try:
            record = decision_record(context.engine, decision_id)
        except NotFoundError:
            return refusal(visitor, 404, "Not found", missing)
        replayed, problem = _replay(context, decision_id)
        return render(
            "decision.html",
            visitor=visitor,
            record=record,
            decision=record.decision,
            replayed=replayed,
            problem=problem,
        )


def _is_id(text: str) -> bool:
    return re.fullmatch(ID_PATTERN, text) is not None


def _replay(context: DashboardContext, decision_id: str) -> tuple[Any, str | None]:
    """The decision replayed with the served model and policy, or why it was not."""
    inputs = context.replay
    if inputs is None:
        return None, "This server was started without a model: a decision cannot be replayed here."
    try:
        found = replay_decision(
            context.engine,
            decision_id,
            inputs.model,
            inputs.policy,
            improver=inputs.improver,
            model_version=inputs.model_version,
            scale=context.scale,
        )
    except MicrolendError as error:
        return None, f"Not replayed: {error}"
    return found, None


def add_table_routes(router: APIRouter, context: DashboardContext) -> None:
    """The loans table and the decision log, with their exports and decision pages."""
    _add_loan_routes(router, context)
    _add_decision_routes(router, context)
