"""A rating goes through JSON and back: the stored form of a decision's rating."""

from __future__ import annotations

import json
import math
from dataclasses import replace

from microlend.features.catalog import Dimension
from microlend.scoring import Change, Improvement, Rating, Reason

RATING = Rating(
    key="M-1",
    pd=0.0312,
    score=702,
    band="B",
    sub_scores={d: 650 + 10 * i for i, d in enumerate(Dimension)},
    reasons=(
        Reason("refund_rate_90d", 0.41, 0.083, "many of your orders are refunded"),
        Reason("category", 0.12, "toys", "your category"),
        Reason("avg_rating_180d", 0.05, math.nan, "no ratings yet"),
    ),
    improvements=(
        Improvement(
            (
                Change("refund_rate_90d", 0.083, 0.04, "refund fewer orders"),
                Change("late_rate_90d", 0.2, 0.1, "ship on time"),
            ),
            0.021,
            731,
            "A",
            0.35,
        ),
    ),
)


def test_from_dict_reads_what_to_dict_wrote() -> None:
    text = json.dumps(RATING.to_dict(), sort_keys=True)
    again = Rating.from_dict(json.loads(text))
    assert json.dumps(again.to_dict(), sort_keys=True) == text
    assert again.sub_scores == RATING.sub_scores
    assert again.improvements == RATING.improvements
    assert again.reasons[:2] == RATING.reasons[:2]
    # A missing value is null in JSON and NaN again once read.
    assert math.isnan(float(again.reasons[2].value))


def test_a_rating_without_reasons_or_improvements_round_trips() -> None:
    bare = Rating("M-2", 0.5, 400, "E", dict(RATING.sub_scores), (), ())
    assert Rating.from_dict(bare.to_dict()) == bare


def test_searched_round_trips_and_an_old_rating_reads_back_sensibly() -> None:
    searched = Rating("M-3", 0.5, 400, "E", dict(RATING.sub_scores), (), (), searched=True)
    assert Rating.from_dict(searched.to_dict()) == searched
    assert not Rating.from_dict(replace(searched, searched=False).to_dict()).searched
    # Stored before the flag was kept: improvements prove a search; none proves nothing.
    old_with, old_without = RATING.to_dict(), searched.to_dict()
    del old_with["searched"], old_without["searched"]
    assert Rating.from_dict(old_with).searched
    assert not Rating.from_dict(old_without).searched
