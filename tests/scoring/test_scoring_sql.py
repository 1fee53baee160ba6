"""What the scorecard's SQL is made of, and what it refuses to write (the engines are run in
``test_scoring_sql_engines``)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.errors import ConfigError
from microlend.models import Scorecard
from microlend.scoring import ScoreScale, scorecard_sql, scorecard_sql_text
from microlend.scoring._sql import number


def _card(name: str = "refund_rate", levels: tuple[str, ...] = ("a", "b")) -> Scorecard:
    """A scorecard from plain numbers, as one is loaded from scorecard.json."""
    numeric = {
        "name": name,
        "kind": "numeric",
        "labels": ["(-inf, 0.1)", "[0.1, inf)"],
        "woe": [0.5, -0.7],
        "missing_woe": -0.2,
        "iv": 0.3,
        "splits": [0.1],
    }
    category = {
        "name": "region",
        "kind": "categorical",
        "labels": [str(levels)],
        "woe": [0.25],
        "missing_woe": 0.0,
        "iv": 0.05,
        "groups": [list(levels)],
    }
    return Scorecard.from_dict(
        {
            "settings": {},
            "features": [name, "region"],
            "iv": {name: 0.3, "region": 0.05},
            "bins": [numeric, category],
            "coefficients": {name: -0.9, "region": -1.1},
            "intercept": -2.5,
        }
    )


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_reads_back_as_the_same_double(value: float) -> None:
    text = number(value)
    assert "E" in text
    assert float(text) == value


def test_the_sql_reads_as_the_scorecard() -> None:
    sql = scorecard_sql(_card())
    case = (
        "CASE WHEN refund_rate IS NULL THEN -0.2E0 WHEN refund_rate < 0.1E0 THEN 0.5E0 "
        "ELSE -0.7E0 END"
    )
    assert f"-0.9E0 * {case}" in sql.margin
    # A level never seen in training: WoE 0, no evidence either way.
    category = (
        "CASE WHEN region IS NULL THEN 0.0E0 WHEN region IN ('a', 'b') THEN 0.25E0 ELSE 0.0E0"
    )
    assert f"+ -1.1E0 * {category} END" in sql.margin
    assert sql.margin.endswith("+ -2.5E0\n)")
    scale = ScoreScale()
    assert sql.pd == f"1.0E0 / (1.0E0 + EXP(-{sql.margin}))"
    assert sql.score.startswith(f"CAST(FLOOR(LEAST(950, GREATEST(350, {number(scale.offset)} - ")
    assert sql.select_list().endswith(" AS score")


def test_the_text_says_what_it_is_in_comments_then_the_two_columns() -> None:
    text = scorecard_sql_text(_card(), model="models/2024:06\nDROP")
    comments = [line for line in text.splitlines() if line.startswith("--")]
    assert text.startswith("-- microlend scorecard of model models/2024_06_DROP:")
    assert "-- Features (2): refund_rate, region" in comments
    assert not any(":" + c in text for c in "0123456789")  # nothing a driver takes for a parameter
    assert text.endswith(scorecard_sql(_card()).select_list() + "\n")


@pytest.mark.parametrize("name", ["Refund_Rate", "refund rate", "order", "2x", 'a"b'])
def test_a_name_no_engine_reads_bare_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="bare SQL column name"):
        scorecard_sql(_card(name=name))


@pytest.mark.parametrize("level", ["it's", "back\\slash"])
def test_a_level_with_a_quote_or_backslash_is_refused(level: str) -> None:
    with pytest.raises(ConfigError, match="not portable"):
        scorecard_sql(_card(levels=("a", level)))


def test_a_number_sql_cannot_write_is_refused() -> None:
    with pytest.raises(ConfigError, match="cannot write"):
        number(math.inf)
