"""A principal reason is a value on its risky side whose push on the risk is material (review of
issue 13, items 2 and 6): never a value on the safe side of its feature's training median, never
a push too small to move the score, and one fact (no reviews, no sales) is one reason."""

from __future__ import annotations

import json
import math

import numpy as np
import numpy.typing as npt
import pandas as pd
from scoring_support import CATALOG, FEATURES

from microlend.data import Dataset
from microlend.features import spec
from microlend.features.catalog import CATALOG as FULL_CATALOG
from microlend.models import PDModel
from microlend.scoring import Improver, Rating, rate, reasons
from microlend.scoring._reasons import MATERIAL_LOG_ODDS
from microlend.service import RatingFit, merchant_features

SPECS = {s.name: s for s in CATALOG}
FULL = {s.name: s for s in FULL_CATALOG}


def _safe_side(rating: Rating, references: dict[str, float], specs: dict[str, object]) -> list[str]:
    """The reasons of ``rating`` whose value lies on the safe side of (or at) the reference."""
    wrong = []
    for reason in rating.reasons:
        direction = getattr(specs.get(reason.feature), "direction", 0)
        value = reason.value
        if direction == 0 or isinstance(value, str) or math.isnan(value):
            continue
        reference = references[reason.feature]
        if (value <= reference) if direction > 0 else (value >= reference):
            wrong.append(f"{reason.feature}={value} vs {reference}: {reason.text}")
    return wrong


def test_the_references_are_the_training_medians(
    improver: Improver, training: tuple[pd.DataFrame, npt.NDArray[np.int64]]
) -> None:
    rows = training[0]
    assert improver.references_ == {name: float(rows[name].median()) for name in FEATURES}


def test_no_reason_is_a_value_on_the_safe_side_or_immaterial(
    model: PDModel, improver: Improver, training: tuple[pd.DataFrame, npt.NDArray[np.int64]]
) -> None:
    rows = training[0].iloc[:1000]
    ratings = rate(model, rows, CATALOG, currency="USD", references=improver.references_).ratings
    told = [r for rating in ratings for r in rating.reasons]
    assert len(told) > len(ratings)  # most merchants still have reasons
    assert [w for rating in ratings for w in _safe_side(rating, improver.references_, SPECS)] == []
    assert min(r.contribution for r in told) > MATERIAL_LOG_ODDS
    # Every directional feature of the market came up as a reason, each on its risky side only.
    assert {r.feature for r in told} == set(FEATURES)
    # Without the references, the model's contributions alone do name safe-side values: the
    # rule above is what keeps them out.
    bare = rate(model, rows, CATALOG, currency="USD").ratings
    assert [w for rating in bare for w in _safe_side(rating, improver.references_, SPECS)]


def test_the_issues_example_cannot_be_told() -> None:
    """ "your sales of the last 90 days grew by only 462.7 %": a growth far above the median,
    given a positive contribution, is no reason; the same push on a growth below it is."""
    references = {"gmv_growth_90d": 0.05}
    features, weights = ["gmv_growth_90d"], [0.3]
    assert reasons(features, weights, [4.627], FULL, currency="USD", references=references) == ()
    (low,) = reasons(features, weights, [0.02], FULL, currency="USD", references=references)
    assert low.text == "your sales of the last 90 days grew by only 2.0 % on the 90 days before"
    # At the median is not on the risky side either; a missing value has no side.
    assert reasons(features, weights, [0.05], FULL, currency="USD", references=references) == ()
    (missing,) = reasons(features, weights, [math.nan], FULL, currency="USD", references=references)
    assert missing.text == FULL["gmv_growth_90d"].wording.missing
    # Without a reference (a model saved before them) materiality alone decides.
    (bare,) = reasons(features, weights, [4.627], FULL, currency="USD")
    assert bare.feature == "gmv_growth_90d"
    assert reasons(features, [0.01], [0.02], FULL, currency="USD", references=references) == ()


def test_one_cause_is_one_reason() -> None:
    """No reviews leaves five review features absent: one reason tells it, and the other slots
    go to other facts; reviews that are there but poor stay separate reasons."""
    features = [
        "peer_rating_pct",
        "rating_mean_180d",
        "review_count_180d",
        "low_rating_share_180d",
        "gmv_30d",
    ]
    weights = [0.5, 0.4, 0.3, 0.2, 0.1]
    absent = [math.nan, math.nan, 0.0, math.nan, 120.0]
    given = reasons(features, weights, absent, FULL, currency="USD")
    assert [r.feature for r in given] == ["peer_rating_pct", "gmv_30d"]
    poor = [0.1, 3.1, 4.0, 0.3, 120.0]
    given = reasons(features, weights, poor, FULL, currency="USD")
    assert [r.feature for r in given] == features[:4]


def test_the_references_are_saved_with_the_improver_and_rate_alike(
    model: PDModel, improver: Improver, applicants: pd.DataFrame
) -> None:
    loaded = Improver.from_dict(json.loads(json.dumps(improver.to_dict())), CATALOG)
    assert loaded.references_ == improver.references_
    first = rate(model, applicants, CATALOG, currency="USD", improver=improver).ratings
    again = rate(model, applicants, CATALOG, currency="USD", improver=loaded).ratings
    assert [r.reasons for r in first] == [r.reasons for r in again]
    # An improver saved before references were kept loads with none (materiality alone).
    old = {k: v for k, v in improver.to_dict().items() if k != "references"}
    assert Improver.from_dict(old, CATALOG).references_ == {}


def test_on_a_simulated_market_no_reason_is_on_the_safe_side(
    small_market: Dataset, small_fit: RatingFit
) -> None:
    """The demo's generator at test size, its model and the references fitted with it: for
    every feature of known direction, no merchant is told a value on the safe side of the
    median, and no rating gives two reasons for one absent cause."""
    rows = merchant_features(small_market, small_market.end.date())
    references = small_fit.improver.references_
    trained = small_fit.train.features
    known = {n for n, s in FULL.items() if s.direction != 0 and trained[n].notna().any()}
    assert known == set(references)
    ratings = rate(
        small_fit.model, rows, FULL_CATALOG, currency="USD", references=references
    ).ratings
    assert [w for rating in ratings for w in _safe_side(rating, references, FULL)] == []
    told = [r for rating in ratings for r in rating.reasons]
    assert len(told) > len(ratings)
    assert min(r.contribution for r in told) > MATERIAL_LOG_ODDS
    # The references are what keeps safe-side values out: against the merchants' own medians,
    # which split every feature in half, the model's contributions alone tell some.
    medians = rows.median(numeric_only=True)
    own = {name: float(medians[name]) for name in references if math.isfinite(medians[name])}
    halved = rate(small_fit.model, rows, FULL_CATALOG, currency="USD", references=own).ratings
    assert [w for rating in halved for w in _safe_side(rating, own, FULL)] == []
    bare = rate(small_fit.model, rows, FULL_CATALOG, currency="USD").ratings
    assert [w for rating in bare for w in _safe_side(rating, own, FULL)]
    for rating in ratings:
        causes = [
            spec(r.feature).cause
            for r in rating.reasons
            if isinstance(r.value, float) and (math.isnan(r.value) or r.value == 0)
        ]
        assert len(causes) == len(set(causes)), rating.reasons
