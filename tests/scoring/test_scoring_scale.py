"""The PDO score scale: anchors, doubling, monotonicity, clipping, inverse, bands."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.errors import ConfigError
from microlend.scoring import DEFAULT_BANDS, Band, ScoreScale

SCALE = ScoreScale()


def pd_at_odds(good_to_bad: float) -> float:
    return 1.0 / (1.0 + good_to_bad)


def test_factor_and_offset_follow_the_pdo_formula() -> None:
    assert SCALE.factor == pytest.approx(50 / math.log(2))
    assert SCALE.offset == pytest.approx(650 - 50 / math.log(2) * math.log(30))


def test_base_odds_score_the_base_score() -> None:
    assert SCALE.score(pd_at_odds(30.0)) == pytest.approx(650.0)


@pytest.mark.parametrize("odds", [2.0, 30.0, 100.0, 500.0])
def test_doubling_the_odds_adds_pdo_points(odds: float) -> None:
    gain = SCALE.score(pd_at_odds(2 * odds)) - SCALE.score(pd_at_odds(odds))
    assert gain == pytest.approx(50.0)


def test_score_decreases_as_pd_rises() -> None:
    pds = np.linspace(0.0, 1.0, 2001)
    scores = SCALE.score(pds)
    assert np.all(np.diff(scores) <= 0)
    inside = (scores > SCALE.low) & (scores < SCALE.high)
    assert np.all(np.diff(scores[inside]) < 0)


def test_scores_are_clipped_to_the_range() -> None:
    scores = SCALE.score([0.0, 1e-9, 0.9, 1.0])
    assert scores.tolist() == [950.0, 950.0, 350.0, 350.0]


def test_defaults_spread_typical_merchant_pds_over_the_range() -> None:
    scores = SCALE.score([0.001, 0.01, 0.1, 0.5])
    assert scores == pytest.approx([902.9, 736.1, 563.2, 404.7], abs=0.1)


def test_from_log_odds_agrees_with_score() -> None:
    pds = np.array([0.002, 0.03, 0.2, 0.6])
    assert SCALE.from_log_odds(np.log(pds / (1 - pds))) == pytest.approx(SCALE.score(pds))
    assert SCALE.from_log_odds([-np.inf, np.inf]).tolist() == [950.0, 350.0]


@given(st.floats(min_value=350.0, max_value=950.0))
def test_score_to_pd_to_score_round_trips(score: float) -> None:
    assert SCALE.score(SCALE.pd_of(score)) == pytest.approx(score, abs=1e-6)


@given(st.floats(min_value=1e-3, max_value=0.6))
def test_pd_to_score_to_pd_round_trips_inside_the_range(pd_: float) -> None:
    assert SCALE.pd_of(SCALE.score(pd_)) == pytest.approx(pd_, rel=1e-9)


def test_points_round_to_whole_scores() -> None:
    assert SCALE.points([pd_at_odds(30.0), 0.0]).tolist() == [650, 950]


@pytest.mark.parametrize("bad", [-0.1, 1.1, float("nan")])
def test_a_pd_outside_zero_one_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="PD"):
        SCALE.score([0.1, bad])


def test_pd_of_refuses_scores_outside_the_range() -> None:
    with pytest.raises(ValueError, match="350"):
        SCALE.pd_of(349.0)


def test_nan_log_odds_are_refused() -> None:
    with pytest.raises(ValueError, match="NaN"):
        SCALE.from_log_odds([float("nan")])


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (350, "poor"),
        (549, "poor"),
        (550, "weak"),
        (619, "weak"),
        (620, "fair"),
        (680, "good"),
        (749, "good"),
        (750, "excellent"),
        (950, "excellent"),
    ],
)
def test_band_of_a_score(score: int, band: str) -> None:
    assert SCALE.band(score) == band


def test_band_ranks_order_worst_to_best() -> None:
    assert SCALE.band_rank([350, 560, 630, 700, 800]).tolist() == [0, 1, 2, 3, 4]
    assert SCALE.best_rank == len(DEFAULT_BANDS) - 1
    assert SCALE.band_name(0) == "poor"


def test_custom_bands_are_settings() -> None:
    scale = ScoreScale(bands=(Band("A", 700), Band("B", 500), Band("C", 350)))
    assert [scale.band(s) for s in (360, 500, 950)] == ["C", "B", "A"]


def test_band_names_of_pds_go_by_the_score_in_whole_points() -> None:
    scale = ScoreScale(bands=(Band("A", 700), Band("B", 500), Band("C", 350)))
    assert scale.band_order == ["A", "B", "C"]
    assert scale.band_names([349, 499, 500, 700, 951]) == ["C", "C", "B", "A", "A"]
    # A PD scoring 499.6 shows as 500 and is in band B, as a rating shows it.
    assert scale.band_names_of(scale.pd_of([499.6, 499.4, 950.0])) == ["B", "C", "A"]


@pytest.mark.parametrize(
    "settings",
    [
        {"pdo": 0.0},
        {"base_odds": -1.0},
        {"low": 900, "high": 600},
        {"bands": ()},
        {"bands": (Band("A", 500), Band("B", 600), Band("C", 350))},
        {"bands": (Band("A", 700), Band("B", 400))},
        {"bands": (Band("A", 700), Band("A", 350))},
    ],
)
def test_invalid_settings_are_config_errors(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        ScoreScale(**settings)  # type: ignore[arg-type]
