"""Verdicts only on evidence: below the policy's minimum sample a PSI or calibration verdict is
"not enough data (n)"; at or above it, the verdict is the one the numbers give."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from microlend.errors import ConfigError
from microlend.monitoring import (
    Verdict,
    calibration_verdict,
    psi,
    psi_table,
    verdict_label,
    worst_verdict,
)
from microlend.policy import MinimumSample, default_policy, parse_policy
from microlend.service.portfolio._stability import Population, StabilityBaseline, monitor_model

DEFAULT_TEXT = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")


def _shifted(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.normal(size=20_000), rng.normal(1.5, 1, size=n)


def test_below_the_minimum_a_psi_verdict_is_not_enough_data() -> None:
    base, now = _shifted(299)
    result = psi(base, now, min_rows=300)
    assert result.verdict is Verdict.INSUFFICIENT
    assert result.n == 299
    assert result.psi > 0.25  # still computed: only the verdict waits for evidence
    assert verdict_label(result.verdict, result.n) == "not enough data (299)"


def test_at_the_minimum_the_psi_verdict_is_as_before() -> None:
    base, now = _shifted(300)
    assert psi(base, now, min_rows=300).verdict is Verdict.ACT
    assert psi(base, now).verdict is Verdict.ACT
    assert psi(base, base[:300], min_rows=300).verdict is Verdict.STABLE
    assert verdict_label(Verdict.ACT, 300) == "act"


def test_a_psi_table_applies_the_minimum_to_every_variable() -> None:
    base, now = _shifted(10)
    table = psi_table({"a": base, "b": base}, {"a": now, "b": now[:5]}, min_rows=10)
    assert {s.name: (s.verdict, s.n) for s in table} == {
        "a": (Verdict.ACT, 10),
        "b": (Verdict.INSUFFICIENT, 5),
    }


def test_not_enough_data_ranks_between_stable_and_watch() -> None:
    base, now = _shifted(300)
    stable = psi(base, base[:300], name="s")
    thin = psi(base, now[:3], name="t", min_rows=300)
    act = psi(base, now, name="a")
    assert worst_verdict([stable, thin]) is Verdict.INSUFFICIENT
    assert worst_verdict([stable, thin, act]) is Verdict.ACT


def _bands(loans: list[int], defaults: list[int], predicted: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "band": ["good", "fair", "weak"],
            "loans": loans,
            "predicted": predicted,
            "defaults": defaults,
        }
    )


def test_below_the_minimum_bads_calibration_is_not_enough_data() -> None:
    table = _bands([400, 300, 0], [10, 19, 0], [0.02, 0.05, float("nan")])
    found = calibration_verdict(table, min_bads=30)
    assert found.verdict is Verdict.INSUFFICIENT
    assert found.bads == 29
    assert verdict_label(found.verdict, found.bads) == "not enough data (29)"


def test_at_the_minimum_bads_calibration_is_judged_by_band() -> None:
    right = calibration_verdict(_bands([400, 300, 0], [10, 20, 0], [0.025, 0.07, 0.2]), min_bads=30)
    assert right.verdict is Verdict.STABLE
    assert right.underestimated == ()
    # 20 defaults among 300 loans whose PD said 2 %: that band's PD is too low.
    low = calibration_verdict(_bands([400, 300, 0], [10, 20, 0], [0.025, 0.02, 0.2]), min_bads=30)
    assert low.verdict is Verdict.ACT
    assert low.underestimated == ("fair",)
    assert low.to_dict() == {"verdict": "act", "bads": 30, "underestimated": ["fair"]}


def test_the_minimum_sample_is_a_policy_setting_with_defaults() -> None:
    assert default_policy().minimum_sample == MinimumSample(psi_rows=300, calibration_bads=30)
    edited = DEFAULT_TEXT.replace("min_psi_rows = 300", "min_psi_rows = 1000")
    assert parse_policy(edited).minimum_sample.psi_rows == 1000
    start = DEFAULT_TEXT.index("[monitoring]")
    without = DEFAULT_TEXT[:start] + DEFAULT_TEXT[start:].split("\n", 3)[-1]
    assert "[monitoring]" not in without
    assert parse_policy(without).minimum_sample == MinimumSample(300, 30)


def test_a_bad_minimum_names_its_key() -> None:
    edited = DEFAULT_TEXT.replace("min_calibration_bads = 30", "min_calibration_bads = -1")
    with pytest.raises(ConfigError, match=r"monitoring\.min_calibration_bads"):
        parse_policy(edited)


def _population(n: int, shift: float) -> Population:
    rng = np.random.default_rng(3)
    scores = rng.normal(600 + shift, 50, size=n)
    return Population("p", scores, pd.DataFrame({"gmv_90d": rng.normal(shift, 1, size=n)}))


def test_one_decision_in_the_book_gives_no_verdict() -> None:
    baseline = StabilityBaseline(_population(5_000, 0.0), ("gmv_90d",))
    calibration = _bands([1, 0, 0], [0, 0, 0], [0.02, 0.05, 0.2])
    thin = monitor_model(baseline, _population(1, 300.0), calibration, MinimumSample())
    assert thin.verdict is Verdict.INSUFFICIENT
    assert [s.verdict for s in (thin.score, *thin.features)] == [Verdict.INSUFFICIENT] * 2
    assert thin.calibrated.verdict is Verdict.INSUFFICIENT
    assert thin.to_dict()["psi"] == {
        "score": {"psi": thin.score.psi, "verdict": "insufficient", "n": 1},
        "gmv_90d": {"psi": thin.features[0].psi, "verdict": "insufficient", "n": 1},
    }
    enough = monitor_model(baseline, _population(300, 300.0), calibration, MinimumSample())
    assert enough.verdict is Verdict.ACT
