"""Reason codes agree with the model's own contributions and are worded from the catalog."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scoring_support import CATALOG, FEATURES

from microlend.models import PDModel
from microlend.scoring import TOP_REASONS, reasons
from microlend.scoring._wording import change_text, format_value

SPECS = {spec.name: spec for spec in CATALOG}


def test_reasons_are_the_largest_positive_contributions_in_order(
    model: PDModel, applicants: pd.DataFrame
) -> None:
    contributions = model.contributions(applicants)[FEATURES].to_numpy()
    checked = 0
    for position in range(len(applicants)):
        row = contributions[position]
        given = reasons(FEATURES, row, list(applicants.iloc[position][FEATURES]), SPECS)
        positive = sorted(
            ((c, f) for f, c in zip(FEATURES, row, strict=True) if c > 0), reverse=True
        )
        assert [r.feature for r in given] == [f for _, f in positive[:TOP_REASONS]]
        assert [r.contribution for r in given] == [c for c, _ in positive[:TOP_REASONS]]
        checked += len(given)
    assert checked > len(applicants)  # most applicants do have reasons


def test_a_reason_carries_the_value_and_the_catalog_wording() -> None:
    given = reasons(["refund_rate", "avg_rating"], [0.4, -0.2], [0.061, 4.6], SPECS)
    assert len(given) == 1
    assert given[0].value == pytest.approx(0.061)
    assert given[0].text == "many of your orders are refunded (6.1 %)"


def test_no_positive_contribution_means_no_reason() -> None:
    assert reasons(FEATURES, np.full(len(FEATURES), -0.1), [0.0] * len(FEATURES), SPECS) == ()


def test_at_most_top_reasons_are_given() -> None:
    given = reasons(FEATURES, np.linspace(0.1, 0.6, len(FEATURES)), [1.0] * 6, SPECS, top=2)
    assert [r.feature for r in given] == [FEATURES[-1], FEATURES[-2]]


def test_a_feature_outside_the_catalog_gets_generic_wording() -> None:
    (reason,) = reasons(["stranger"], [0.3], [2.5], SPECS)
    assert reason.text == "the value of stranger (2.5) raises the risk"


def test_a_change_is_worded_with_verb_subject_and_values() -> None:
    spec = SPECS["refund_rate"]
    assert (
        change_text(spec, 0.061, 0.03) == "lower your share of orders refunded from 6.1 % to 3.0 %"
    )
    assert change_text(SPECS["avg_rating"], 3.8, 4.2).startswith("raise your average customer")


def test_a_categorical_value_is_kept_as_text() -> None:
    (reason,) = reasons(["category"], [0.3], ["toys"], SPECS)
    assert reason.value == "toys"
    assert "toys" in reason.text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.061, "share", "6.1 %"),
        (12.0, "days", "12 days"),
        (4.25, "stars", "4.25 stars"),
        (1234.5, "currency", "1,234.50"),
        (0.8, "percentile", "80th percentile"),
        (0.12, "percentile", "12th percentile"),
        (-0.02, "ratio per week", "-2.0 % per week"),
        (3.25, "days", "3.25 days"),
        (0.3512, "index 0-1", "0.351"),
        (float("nan"), "share", "missing"),
    ],
)
def test_values_are_shown_in_their_unit(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text
