"""The model-risk page: the cut-off trade-off on recent applications and the drift of the score
and of the model's top features, month by month, with both distributions side by side.

The trade-off is priced with the policy decisions are served under (the replay's), or the
default policy where the server was given none; the page names the one it used.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from microlend.dashboard._context import DashboardContext, render
from microlend.dashboard._labels import feature_label
from microlend.dashboard._login import officer
from microlend.dashboard._risk_charts import (
    distribution_chart,
    psi_month_chart,
    tradeoff_money_chart,
    tradeoff_rate_chart,
)
from microlend.policy import Policy, default_policy
from microlend.service import (
    TRADEOFF_DAYS,
    ModelDrift,
    book_population,
    cutoff_tradeoff,
    model_drift,
)

__all__ = ["MODEL_RISK", "add_model_risk_routes", "variable_label"]

#: The page's address.
MODEL_RISK = "/dashboard/model-risk"

#: The cut-offs the page's table shows besides the policy's own (every 50 points).
_TABLE_EVERY = 50


def variable_label(name: str) -> str:
    """The score as "Score", a feature by its catalog label."""
    return "Score" if name == "score" else feature_label(name)


def _policy(context: DashboardContext) -> Policy:
    return context.replay.policy if context.replay is not None else default_policy()


def _drift(context: DashboardContext) -> ModelDrift | None:
    if context.baseline is None:
        return None
    return model_drift(context.baseline, book_population(context.engine), context.minimum_sample)


def _drift_charts(drift: ModelDrift | None) -> list[tuple[str, Markup, Markup]]:
    if drift is None:
        return []
    return [
        (
            variable_label(v.name),
            psi_month_chart(variable_label(v.name), v.by_month, drift.minimum),
            distribution_chart(variable_label(v.name), v.overall),
        )
        for v in drift.variables
    ]


def add_model_risk_routes(router: APIRouter, context: DashboardContext) -> None:
    """``GET /dashboard/model-risk?days=N``: the trade-off over the last ``N`` days' decisions
    (90 unless asked), and the drift of the whole book's decisions."""

    @router.get(MODEL_RISK)
    def model_risk(
        request: Request,
        days: Annotated[int, Query(ge=1, le=3650)] = TRADEOFF_DAYS,
    ) -> HTMLResponse:
        visitor = officer(context, request)
        as_of = context.today()
        policy = _policy(context)
        found = cutoff_tradeoff(context.engine, policy, as_of, scale=context.scale, days=days)
        drift = _drift(context)
        rows = [
            p for p in found.points if p.cutoff % _TABLE_EVERY == 0 or p.cutoff == found.current
        ]
        return render(
            "model_risk.html",
            visitor=visitor,
            as_of=as_of,
            days=days,
            policy=policy,
            tradeoff=found,
            rows=rows,
            current=found.at(found.current),
            drift=drift,
            label=variable_label,
            charts={"rates": tradeoff_rate_chart(found), "money": tradeoff_money_chart(found)},
            drift_charts=_drift_charts(drift),
        )
