"""Underwriting from the records: features as of a date -> rating -> the one decision path.

``underwrite_application`` computes the merchant's features as of the application's date (events
strictly before it), rates them (what would raise the score included, by the improver saved with
the model) and hands them to ``decide_and_store``, the same path the api's ``underwrite`` takes
with its snapshot's features.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from sqlalchemy import Engine

from microlend.data import Dataset
from microlend.features import CATALOG, build_features
from microlend.policy import CreditRequest, Decision, Policy
from microlend.scoring import Improver, RiskModel, ScoreScale, rate
from microlend.service.decisions._currency import lending_currency
from microlend.service.decisions._decide import Application, decide_and_store

__all__ = ["underwrite_application"]

_KEYS = ("application_id", "merchant_id", "as_of")


def underwrite_application(
    engine: Engine,
    dataset: Dataset,
    request: CreditRequest,
    *,
    as_of: date,
    model: RiskModel,
    improver: Improver | None,
    model_version: str,
    policy: Policy,
    scale: ScoreScale | None = None,
) -> Decision:
    """Decide on ``request`` as of ``as_of`` and store the decision (the merchant must be in
    the book). Features see only the records before ``as_of``; the exposure is the book's;
    ``improver`` is the one saved with ``model`` (``improver_of``); ``policy`` must lend in
    the records' currency (``lending_currency``)."""
    currency = lending_currency(dataset, policy)
    spine = pa.table(
        {
            "application_id": [request.application_id],
            "merchant_id": [request.merchant_id],
            "as_of": pa.array([as_of], pa.date32()),
        }
    )
    built = build_features(dataset, spine).to_pandas()
    rows = built.set_index("application_id")[list(model.feature_names_)]
    features = {str(name): float(v) for name, v in built.iloc[0].items() if name not in _KEYS}
    rated = rate(model, rows, CATALOG, scale, currency=currency, improver=improver)
    rating = rated.ratings[0]
    application = Application(request, as_of, features, rating)
    return decide_and_store(engine, application, policy, model_version=model_version)
