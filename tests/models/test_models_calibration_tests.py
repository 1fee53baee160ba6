"""The validator's calibration tests: Jeffreys and binomial per band, Hosmer-Lemeshow, ECE.

Hand computations on tiny examples pin the formulas; samples drawn from known PDs show the tests
accept PDs that are right and reject PDs that are half the truth.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from microlend.errors import ModelError
from microlend.models import (
    CalibrationTests,
    binomial_p_value,
    calibration_tests,
    expected_calibration_error,
    hosmer_lemeshow,
    jeffreys_p_value,
)
from microlend.scoring import ScoreScale

FloatArray = npt.NDArray[np.float64]


def _sample(n: int, seed: int, *, truth_factor: float = 1.0) -> tuple[FloatArray, FloatArray]:
    """PDs spread log-uniformly over 0.2 % to 30 % (every default band gets rows) and outcomes
    drawn at ``truth_factor`` times them."""
    rng = np.random.default_rng(seed)
    pd_ = np.exp(rng.uniform(math.log(0.002), math.log(0.3), n))
    y = (rng.uniform(size=n) < truth_factor * pd_).astype(np.float64)
    return y, pd_


def test_jeffreys_matches_the_closed_form_of_beta_half_three_halves() -> None:
    # No default in one row: Beta(1/2, 3/2), whose CDF is (2/pi)(asin(sqrt x) + sqrt(x(1-x))).
    x = 0.25
    expected = 2 / math.pi * (math.asin(math.sqrt(x)) + math.sqrt(x * (1 - x)))
    assert jeffreys_p_value(0, 1, x) == pytest.approx(expected, rel=1e-12)


def test_jeffreys_falls_as_the_defaults_rise_above_the_pd() -> None:
    p_values = [jeffreys_p_value(d, 1000, 0.02) for d in (10, 20, 30, 40)]
    assert p_values == sorted(p_values, reverse=True)
    assert p_values[0] > 0.95
    assert p_values[-1] < 0.001


def test_binomial_is_the_upper_tail_by_hand() -> None:
    assert binomial_p_value(2, 3, 0.5) == pytest.approx(4 / 8)  # P(X >= 2) of three fair coins
    assert binomial_p_value(3, 3, 0.1) == pytest.approx(0.001)
    assert binomial_p_value(0, 10, 0.3) == pytest.approx(1.0)


def test_hosmer_lemeshow_by_hand_on_nine_rows() -> None:
    y = [0, 1, 0, 0, 1, 1, 0, 1, 0]
    p = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    hl = hosmer_lemeshow(y, p, groups=3, in_sample=True)
    # Groups of three: (O, E) = (1, 0.6), (2, 1.5), (1, 2.4); each (O - E)^2 / (E (1 - E/3)).
    expected = 0.16 / (0.6 * 0.8) + 0.25 / (1.5 * 0.5) + 1.96 / (2.4 * 0.2)
    assert hl.statistic == pytest.approx(expected) == pytest.approx(4.75)
    assert (hl.groups, hl.df) == (3, 1)
    # Chi-square with one degree of freedom: P(Z^2 > s) = erfc(sqrt(s / 2)).
    assert hl.p_value == pytest.approx(math.erfc(math.sqrt(4.75 / 2)), rel=1e-9)
    # Out of sample, three degrees of freedom: P(chi2_3 > s) by its closed form.
    held_out = hosmer_lemeshow(y, p, groups=3)
    closed = math.erfc(math.sqrt(4.75 / 2)) + math.sqrt(2 * 4.75 / math.pi) * math.exp(-4.75 / 2)
    assert held_out.statistic == hl.statistic
    assert held_out.df == 3
    assert held_out.p_value == pytest.approx(closed, rel=1e-9)


def test_expected_calibration_error_by_hand_in_percentage_points() -> None:
    # Two groups of two: |0 - 0.2| and |1 - 0.6|, equally weighted: 0.3, i.e. 30 points.
    ece = expected_calibration_error([0, 0, 1, 1], [0.1, 0.3, 0.4, 0.8], groups=2)
    assert ece == pytest.approx(30.0)


#: Samples of the acceptance and rejection tests: each band's p-value is uniform under the
#: truth, so one sample proves little; forty fixed seeds make a test of the tests' size.
SEEDS = range(40)


def _tests_of(seed: int, truth_factor: float = 1.0) -> CalibrationTests:
    y, pd_ = _sample(20_000, seed, truth_factor=truth_factor)
    return calibration_tests(y, pd_, ScoreScale())


def _sampling_bound_pp(pd_: FloatArray, groups: int = 10) -> float:
    """Three standard errors of a decile's default rate, averaged: sampling error alone."""
    parts = np.array_split(np.argsort(pd_), groups)
    errors = [math.sqrt(pd_[g].mean() * (1 - pd_[g].mean()) / g.size) for g in parts]
    return 100 * 3 * float(np.mean(errors))


def test_right_pds_are_accepted_about_as_often_as_the_level_says() -> None:
    runs = [_tests_of(seed) for seed in SEEDS]
    assert all([b.band for b in t.bands] == ScoreScale().band_order for t in runs)
    bands = [b for t in runs for b in t.bands]
    # 200 band tests at the 5 % level: about 10 false rejections, 20 is three sigmas away.
    assert sum(b.rejected for b in bands) < 0.10 * len(bands)
    assert float(np.median([b.jeffreys_p for b in bands])) > 0.3
    hl = [t.hosmer_lemeshow for t in runs]
    assert all(h.df == 10 for h in hl)  # ten groups, PDs not fitted on these rows
    assert sum(h.p_value < 0.05 for h in hl) <= 6
    # Chi-square(10): mean 10, the mean of forty has a standard error of 0.71.
    assert 8.0 < float(np.mean([h.statistic for h in hl])) < 12.0


def test_right_pds_have_an_ece_within_sampling_error() -> None:
    y, pd_ = _sample(200_000, seed=11)
    tests = calibration_tests(y, pd_, ScoreScale())
    assert 0.0 < tests.ece_pp < _sampling_bound_pp(pd_)


def test_half_the_true_pd_is_rejected_in_every_band() -> None:
    for seed in range(10):
        tests = _tests_of(seed, truth_factor=2.0)
        assert tests.rejected_bands == tuple(ScoreScale().band_order)
        assert all(max(b.jeffreys_p, b.binomial_p) < 0.01 for b in tests.bands)
        assert tests.hosmer_lemeshow.p_value < 1e-12
    y, pd_ = _sample(200_000, seed=11, truth_factor=2.0)
    # Every decile's default rate is twice its PD, so the gap is the PD itself on average.
    ece = calibration_tests(y, pd_, ScoreScale()).ece_pp
    assert ece == pytest.approx(100 * pd_.mean(), rel=0.05)


def test_pds_that_overstate_risk_are_not_rejected() -> None:
    y, pd_ = _sample(200_000, seed=11, truth_factor=0.5)
    tests = calibration_tests(y, pd_, ScoreScale())
    assert tests.rejected_bands == ()  # one-sided: the validator's worry is PDs too low
    assert tests.hosmer_lemeshow.p_value < 1e-12  # Hosmer-Lemeshow sees either direction


def test_jeffreys_rejects_right_pds_at_about_its_level() -> None:
    # 2,000 samples of 1,000 rows at PD 3 %: under the truth, p < 5 % about 5 % of the time.
    rng = np.random.default_rng(5)
    defaults = rng.binomial(1000, 0.03, size=2000)
    p_values = np.array([jeffreys_p_value(int(d), 1000, 0.03) for d in defaults])
    assert 0.02 < float((p_values < 0.05).mean()) < 0.08


def test_to_dict_names_the_rejected_bands() -> None:
    y, pd_ = _sample(50_000, seed=2, truth_factor=2.0)
    record = calibration_tests(y, pd_, ScoreScale()).to_dict()
    assert record["rejected_bands"] == ScoreScale().band_order
    assert set(record["bands"][0]) == {
        "band",
        "n",
        "defaults",
        "mean_pd",
        "observed",
        "jeffreys_p",
        "binomial_p",
        "rejected",
    }
    assert record["hosmer_lemeshow"]["df"] == 10
    assert record["level"] == 0.05


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ModelError, match="0/1"):
        hosmer_lemeshow([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ModelError, match="as many outcomes"):
        expected_calibration_error([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ModelError, match="three groups"):
        hosmer_lemeshow([0, 1], [0.1, 0.2])
    with pytest.raises(ModelError, match="defaults <= n"):
        jeffreys_p_value(5, 3, 0.1)
