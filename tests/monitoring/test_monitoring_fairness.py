"""The fairness screen on tables made to differ by group, or not: approval, price, calibration,
AUC, the adverse impact ratio, the proxy check, and the minimum sample."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from microlend.errors import ConfigError
from microlend.monitoring import SCREEN_NOTICE, fairness_screen


def _applications(
    *, linked: bool, n: int = 4000, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Applications of groups A and B with two features. Linked: B's merchants are weaker on
    ``sales_trend`` (a proxy), are approved less, and default more than their PD says."""
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.3, "B", "A")
    b = group == "B"
    shift = 1.5 * b if linked else 0.0
    trend = rng.normal(0.0, 1.0, n) - shift
    noise = rng.normal(0.0, 1.0, n)
    pd_ = 1.0 / (1.0 + np.exp(-(-2.5 - 0.8 * trend)))
    true_pd = np.clip(pd_ * (2.0 if linked else 1.0) ** b, 0.0, 1.0)
    approved = pd_ < 0.12
    defaulted = np.where(approved, (rng.random(n) < true_pd).astype(float), np.nan)
    table = pd.DataFrame(
        {
            "group": group,
            "pd": pd_,
            "approved": approved,
            "price": np.where(approved, 0.1 + pd_, np.nan),
            "defaulted": defaulted,
            "true_pd": true_pd,
        }
    )
    return table, pd.DataFrame({"sales_trend": trend, "noise": noise})


def test_a_linked_attribute_is_flagged_on_approval_calibration_and_proxy() -> None:
    table, features = _applications(linked=True)
    screen = fairness_screen(
        table, features, attribute="owner_group", labels={"sales_trend": "Sales trend"}
    )
    a, b = screen.groups
    assert (a.group, b.group) == ("A", "B")
    assert a.impact_ratio == 1.0
    assert b.impact_ratio < 0.8
    assert b.adverse_impact
    assert b.mean_price is not None
    assert a.mean_price is not None
    assert b.mean_price > a.mean_price
    assert b.calibration == "PD too low"
    assert b.observed is not None
    assert b.predicted is not None
    assert b.observed > b.predicted
    assert a.auc is not None
    assert 0.5 < a.auc <= 1.0
    assert screen.proxy.flagged
    assert screen.proxy.auc > 0.75
    assert screen.proxy.top_features[0][0] == "Sales trend"
    assert b.truth_ratio is not None
    assert b.truth_ratio < 0.8
    assert b.miscalibrated_against_truth
    kinds = {flag.split(":")[0] for flag in screen.flags}
    assert {"approval", "calibration", "calibration against the truth", "proxy"} <= kinds


def test_an_unlinked_attribute_raises_no_flag() -> None:
    table, features = _applications(linked=False)
    screen = fairness_screen(table, features, attribute="owner_group")
    assert screen.flags == ()
    assert all(g.impact_ratio > 0.8 for g in screen.groups)
    assert all(g.calibration == "ok" for g in screen.groups)
    assert all(g.truth_ratio == pytest.approx(1.0, abs=0.1) for g in screen.groups)
    assert 0.4 < screen.proxy.auc < 0.6
    assert abs(screen.proxy.balanced_accuracy - screen.proxy.chance) < 0.1


def test_groups_under_the_minimum_are_left_out_and_named() -> None:
    table, features = _applications(linked=False)
    table.loc[:49, "group"] = "C"
    screen = fairness_screen(table, features, attribute="owner_group", minimum=100)
    assert [g.group for g in screen.groups] == ["A", "B"]
    assert screen.too_small == (("C", 50),)
    body = json.loads(json.dumps(screen.to_dict()))
    assert body["too_small"] == [{"group": "C", "applications": 50}]
    assert body["notice"] == SCREEN_NOTICE
    assert "not a legal verdict" in SCREEN_NOTICE
    assert body["proxy"]["flagged"] is False
    assert all(g["miscalibrated_against_truth"] is False for g in body["groups"])
    assert {g["group"]: g["adverse_impact"] for g in body["groups"]} == {"A": False, "B": False}


def test_more_than_two_groups_are_screened_one_against_the_rest() -> None:
    table, features = _applications(linked=True, n=6000)
    rng = np.random.default_rng(1)
    table["group"] = np.where(table["group"] == "B", "B", rng.choice(["A", "C"], len(table)))
    screen = fairness_screen(table, features, attribute="region")
    assert [g.group for g in screen.groups] == ["A", "B", "C"]
    assert screen.proxy.chance == pytest.approx(1 / 3)
    assert screen.proxy.auc > 0.6


def test_too_few_groups_of_the_minimum_say_so() -> None:
    table, features = _applications(linked=False, n=300)
    with pytest.raises(ConfigError, match=r"at least 500 each .the minimum sample"):
        fairness_screen(table, features, attribute="owner_group", minimum=500)
    table["group"] = "A"
    with pytest.raises(ConfigError, match=r"one group .A.: a screen compares two groups"):
        fairness_screen(table, features, attribute="owner_group")


def test_without_enough_defaults_there_is_no_verdict() -> None:
    table, features = _applications(linked=True, n=600)
    screen = fairness_screen(table, features, attribute="owner_group", min_bads=10_000)
    assert {g.calibration for g in screen.groups} == {"not enough data"}
    assert all(g.auc is None for g in screen.groups)
    assert not any(flag.startswith("calibration:") for flag in screen.flags)


def test_without_the_truth_there_is_no_truth_ratio() -> None:
    table, features = _applications(linked=True)
    screen = fairness_screen(table.drop(columns="true_pd"), features, attribute="owner_group")
    assert all(g.true_pd is None and g.truth_ratio is None for g in screen.groups)
    assert not any(flag.startswith("calibration against") for flag in screen.flags)
