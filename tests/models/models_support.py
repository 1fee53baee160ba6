"""Synthetic data for the models tests: a feature frame with known directions, and a
bureau-like applicant table written as a lender's export would write it."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Risk directions of the synthetic features: more late deliveries riskier, more sales safer.
DIRECTIONS = {"late": 1, "sales": -1}

PURPOSES = ("debt", "card", "home", "car", "medical")
#: The true risk ranking of purposes in the bureau table (first safest).
PURPOSE_RISK = {"car": -0.4, "home": -0.2, "card": 0.0, "debt": 0.2, "medical": 0.5}


def risk_frame(n: int, seed: int) -> tuple[pd.DataFrame, npt.NDArray[np.int64], pd.Series]:
    """Features with known directions (``late`` +1, ``sales`` -1), a category, a time, outcomes."""
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame(
        {
            "late": rng.gamma(2.0, 1.0, n),
            "sales": rng.normal(0.0, 1.0, n),
            "noise": rng.normal(0.0, 1.0, n),
            "segment": rng.choice(["a", "b", "c"], n),
        }
    )
    rows.loc[rng.random(n) < 0.05, "sales"] = np.nan
    margin = -2.2 + 0.6 * rows["late"] - 0.8 * rows["sales"].fillna(0) + (rows["segment"] == "c")
    y = (rng.random(n) < 1 / (1 + np.exp(-margin))).astype(np.int64)
    time = pd.Series(pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.arange(n), "h"))
    return rows, y.to_numpy(), time


def bureau_table(n: int, seed: int, *, with_time: bool = False) -> pd.DataFrame:
    """An applicant table: text-coded numbers, categories, missing values, an id, a constant,
    a post-outcome column, a value leak, and ``loan_status`` ("Charged Off" is bad)."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10.8, 0.5, n)
    dti = rng.uniform(0, 40, n)
    rate = rng.uniform(5, 28, n).round(2)
    term = rng.choice([36, 60], n, p=[0.7, 0.3])
    years = rng.integers(0, 12, n)
    purpose = rng.choice(PURPOSES, n)
    util = rng.uniform(0, 100, n)
    margin = (
        -1.8
        - 0.9 * (np.log(income) - 10.8)
        + 0.03 * (dti - 20)
        + 0.09 * (rate - 15)
        + 0.4 * (term == 60)
        - 0.05 * years
        + np.vectorize(PURPOSE_RISK.get)(purpose)
        + 0.01 * (util - 50)
    )
    bad = rng.random(n) < 1 / (1 + np.exp(-margin))
    util_missing = rng.random(n) < 0.1
    table = pd.DataFrame(
        {
            "loan_id": [f"L{i:06d}" for i in range(n)],
            "annual_inc": np.where(rng.random(n) < 0.05, np.nan, income.round(0)),
            "dti": dti.round(1),
            "int_rate": [f"{r:.2f}%" for r in rate],
            "term": [f" {t} months" for t in term],
            "emp_length": [_emp_length(y) for y in years],
            "purpose": purpose,
            "revol_util": np.where(util_missing, np.nan, util.round(1)),
            "currency": "USD",
            "recoveries": np.where(bad, rng.uniform(0, 500, n).round(2), 0.0),
            "final_grade": np.where(bad, rng.normal(3, 0.2, n), rng.normal(0, 0.2, n)).round(3),
            "loan_status": np.where(bad, "Charged Off", "Fully Paid"),
        }
    )
    if with_time:
        start = pd.Timestamp("2018-01-01")
        table.insert(1, "issue_d", (start + pd.to_timedelta(np.arange(n) // 5, "D")).astype(str))
    return table


def clean_bureau(table: pd.DataFrame) -> pd.DataFrame:
    """The features an analyst would keep, already as numbers and categories."""
    return pd.DataFrame(
        {
            "annual_inc": table["annual_inc"],
            "dti": table["dti"],
            "int_rate": table["int_rate"].str.rstrip("%").astype(float),
            "term": table["term"].str.extract(r"(\d+)")[0].astype(float),
            "emp_length": table["emp_length"].str.extract(r"(\d+)")[0].astype(float),
            "purpose": table["purpose"].astype("category"),
            "revol_util": table["revol_util"],
        }
    )


def _emp_length(years: int) -> str:
    if years == 0:
        return "< 1 year"
    if years >= 10:
        return "10+ years"
    return f"{years} year{'s' if years > 1 else ''}"


def _outcomes(
    rng: np.random.Generator, margin: npt.NDArray[np.float64], bad_rate: float
) -> npt.NDArray[np.int64]:
    """0/1 outcomes drawn from ``margin`` shifted so that the mean PD is ``bad_rate``."""
    low, high = -20.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        if np.mean(1 / (1 + np.exp(-(margin + middle)))) < bad_rate:
            low = middle
        else:
            high = middle
    return (rng.random(margin.size) < 1 / (1 + np.exp(-(margin + low)))).astype(np.int64)


def linear_truth(n: int, seed: int, *, bad_rate: float = 0.2) -> pd.DataFrame:
    """A table whose log-odds of ``bad`` are linear in ten numbers and a category: the
    logistic regression is the right model."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 10))
    x[:, 1] = 0.6 * x[:, 0] + 0.8 * x[:, 1]
    region = rng.choice(list("abcde"), n)
    effect = {"a": -0.5, "b": -0.2, "c": 0.0, "d": 0.25, "e": 0.5}
    coef = np.array([0.8, -0.6, 0.5, -0.45, 0.35, 0.3, -0.2, 0.15, 0.0, 0.0])
    margin = x @ coef + np.vectorize(effect.get)(region)
    table = pd.DataFrame({f"x{i}": x[:, i] for i in range(10)} | {"region": region})
    table["bad"] = _outcomes(rng, margin, bad_rate)
    return table


def interaction_truth(n: int, seed: int, *, bad_rate: float = 0.2) -> pd.DataFrame:
    """A table whose log-odds of ``bad`` are products, thresholds and bends of eight numbers:
    trees are the right model."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    margin = (
        1.2 * x[:, 0] * x[:, 1]
        + 1.0 * ((x[:, 2] > 0) & (x[:, 3] > 0))
        - 0.8 * ((x[:, 2] < 0) & (x[:, 3] < 0))
        + 0.7 * np.abs(x[:, 4])
        + 0.4 * x[:, 5]
        + 0.5 * np.sin(2 * x[:, 6])
    )
    table = pd.DataFrame({f"x{i}": x[:, i] for i in range(8)})
    table["bad"] = _outcomes(rng, margin, bad_rate)
    return table
