"""Reason codes agree with the model's own contributions and are worded from the catalog."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scoring_support import CATALOG, FEATURES

from microlend.features.catalog import Unit
from microlend.models import PDModel
from microlend.scoring import TOP_REASONS, reasons
from microlend.scoring._reasons import MATERIAL_LOG_ODDS
from microlend.scoring._wording import change_text, format_value

SPECS = {spec.name: spec for spec in CATALOG}


def test_without_references_reasons_are_the_largest_material_contributions_in_order(
    model: PDModel, applicants: pd.DataFrame
) -> None:
    contributions = model.contributions(applicants)[FEATURES].to_numpy()
    checked = 0
    for position in range(len(applicants)):
        row = contributions[position]
        values = list(applicants.iloc[position][FEATURES])
        given = reasons(FEATURES, row, values, SPECS, currency="USD")
        positive = sorted(
            ((c, f) for f, c in zip(FEATURES, row, strict=True) if c > MATERIAL_LOG_ODDS),
            reverse=True,
        )
        assert [r.feature for r in given] == [f for _, f in positive[:TOP_REASONS]]
        assert [r.contribution for r in given] == [c for c, _ in positive[:TOP_REASONS]]
        checked += len(given)
    assert checked > len(applicants)  # most applicants do have reasons


def test_a_reason_carries_its_code_the_value_and_the_catalog_wording() -> None:
    given = reasons(["refund_rate", "avg_rating"], [0.4, -0.2], [0.061, 4.6], SPECS, currency="USD")
    assert len(given) == 1
    assert given[0].code == "refund_rate"
    assert given[0].value == pytest.approx(0.061)
    assert given[0].text == "6.1 % of your orders were refunded"


def test_a_reason_is_worded_by_the_sign_of_its_value() -> None:
    (fell,) = reasons(["sales_growth"], [0.5], [-0.209], SPECS, currency="USD")
    (grew,) = reasons(["sales_growth"], [0.5], [0.03], SPECS, currency="USD")
    (flat,) = reasons(["sales_growth"], [0.5], [0.0002], SPECS, currency="USD")
    assert fell.text == "your sales fell by 20.9 %"
    assert grew.text == "your sales grew by only 3.0 %"
    # Too small to show is not "no change" (review 13, item 4): only exactly zero is.
    assert flat.text == "your sales grew by less than 0.1 %"
    (none,) = reasons(["sales_growth"], [0.5], [0.0], SPECS, currency="USD")
    assert none.text == "your sales did not change"


def test_a_missing_value_is_worded_as_missing() -> None:
    (reason,) = reasons(["avg_rating"], [0.5], [float("nan")], SPECS, currency="USD")
    assert reason.text == "you have no reviews yet"


def test_no_positive_contribution_means_no_reason() -> None:
    assert reasons(FEATURES, np.full(len(FEATURES), -0.1), [0.0] * 6, SPECS, currency="USD") == ()


def test_at_most_top_reasons_are_given() -> None:
    weights = np.linspace(0.1, 0.6, len(FEATURES))
    given = reasons(FEATURES, weights, [1.0] * 6, SPECS, currency="USD", top=2)
    assert [r.feature for r in given] == [FEATURES[-1], FEATURES[-2]]


def test_a_feature_outside_the_catalog_gets_generic_wording() -> None:
    (reason,) = reasons(["stranger"], [0.3], [2.5], SPECS, currency="USD")
    assert reason.text == "the value of stranger, 2.5, raised the risk"


def test_a_change_is_worded_with_verb_subject_and_values() -> None:
    spec = SPECS["refund_rate"]
    assert (
        change_text(spec, 0.061, 0.03) == "lower your share of orders refunded from 6.1 % to 3.0 %"
    )
    assert change_text(SPECS["avg_rating"], 3.8, 4.2).startswith("raise your average customer")


def test_a_categorical_value_is_kept_as_text() -> None:
    (reason,) = reasons(["category"], [0.3], ["toys"], SPECS, currency="USD")
    assert reason.value == "toys"
    assert "toys" in reason.text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.061, Unit.SHARE, "6.1 %"),
        (12.0, Unit.DAYS, "12 days"),
        (1.0, Unit.DAYS, "1 day"),
        (3.25, Unit.DAYS, "3.2 days"),
        (1.0, Unit.LOANS, "1 loan"),
        (1234.0, Unit.ORDERS, "1,234 orders"),
        (4.25, Unit.STARS, "4.2 stars"),
        (1234.5, Unit.CURRENCY, "1,234.50 USD"),
        (735.384, Unit.CURRENCY, "735.38 USD"),
        (0.8, Unit.PERCENTILE, "80th percentile"),
        (0.12, Unit.PERCENTILE, "12th percentile"),
        (-0.02, Unit.CHANGE_PER_WEEK, "-2.0 %"),
        (0.0765, Unit.HHI, "13 buyers"),
        (0.4, Unit.HHI, "2.5 buyers"),
        (1.0, Unit.HHI, "1 buyer"),
        # Not zero, but too small to show: said as a bound, never as zero (review 13, item 4).
        (0.0003, Unit.SHARE, "less than 0.1 %"),
        (0.0, Unit.SHARE, "0.0 %"),
        (-0.0003, Unit.CHANGE, "more than -0.1 %"),
        (0.04, Unit.STARS, "less than 0.1 stars"),
        (0.04, Unit.DAYS, "less than 0.1 days"),
        (0.004, Unit.CURRENCY, "less than 0.01 USD"),
    ],
)
def test_values_are_shown_in_their_unit(value: float, unit: Unit, text: str) -> None:
    assert format_value(value, unit, "USD") == text


def test_money_is_shown_in_the_currency_given() -> None:
    assert format_value(1234.5, Unit.CURRENCY, "JPY") == "1,234 JPY"
    assert format_value(1.2345, Unit.CURRENCY, "KWD") == "1.234 KWD"  # half to even


def test_a_missing_value_or_money_without_currency_has_no_text() -> None:
    with pytest.raises(ValueError, match="missing"):
        format_value(float("nan"), Unit.SHARE)
    with pytest.raises(ValueError, match="currency"):
        format_value(12.0, Unit.CURRENCY)
