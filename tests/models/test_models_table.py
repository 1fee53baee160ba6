"""Bring your own table: the preparer reports what it finds, and the recipe is competitive."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from models_support import bureau_table, clean_bureau
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from microlend.errors import ConfigError, DataContractError
from microlend.models import (
    LabelledTable,
    TablePreparer,
    fit_table,
    labelled_table,
    parse_text_numbers,
)

BAD = "Charged Off"


@pytest.fixture(scope="module")
def table() -> LabelledTable:
    return labelled_table(bureau_table(4000, seed=1), "loan_status", positive=BAD)


def test_text_coded_numbers_parse() -> None:
    raw = pd.Series(["12%", "1,234", "$2,500.50", " 36 months", "10+ years", "< 1 year", "n/a"])
    values, share = parse_text_numbers(raw)
    expected = [12.0, 1234.0, 2500.5, 36.0, 10.5, 0.5, np.nan]
    np.testing.assert_array_equal(values.to_numpy(), expected)
    assert share == 1.0


def test_preparer_reports_id_constant_and_leaks(table: LabelledTable) -> None:
    preparer = TablePreparer(target="loan_status").fit(table.features, table.y)
    found = {(f.column, f.kind) for f in preparer.findings_ if f.dropped}
    assert found == {
        ("loan_id", "id"),
        ("currency", "constant"),
        ("recoveries", "leak"),
        ("final_grade", "leak"),
    }
    parsed = {f.column for f in preparer.findings_ if f.kind == "parsed"}
    assert parsed == {"int_rate", "term", "emp_length"}
    rows = preparer.transform(table.features)
    assert list(rows.columns) == [
        "annual_inc", "dti", "int_rate", "term", "emp_length", "purpose", "revol_util",
    ]  # fmt: skip
    assert rows["revol_util"].isna().sum() == table.features["revol_util"].isna().sum()
    assert isinstance(rows["purpose"].dtype, pd.CategoricalDtype)
    assert rows["term"].isin([36.0, 60.0]).all()


def test_preparer_round_trips_through_a_dict(table: LabelledTable) -> None:
    preparer = TablePreparer(target="loan_status").fit(table.features, table.y)
    again = TablePreparer.from_dict(preparer.to_dict())
    pd.testing.assert_frame_equal(
        again.transform(table.features), preparer.transform(table.features)
    )


def test_recipe_is_close_to_lightgbm_on_the_clean_columns(table: LabelledTable) -> None:
    train, test = train_test_split(
        np.arange(table.y.size), test_size=0.3, stratify=table.y, random_state=0
    )
    part = LabelledTable("t", table.target, table.features.iloc[train], table.y[train], 0)
    fitted = fit_table(part)
    ours = roc_auc_score(
        table.y[test], fitted.model.predict_pd(fitted.preparer.transform(table.features.iloc[test]))
    )
    clean = clean_bureau(bureau_table(4000, seed=1))
    plain = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.05, verbose=-1, n_jobs=2)
    plain.fit(clean.iloc[train], table.y[train])
    baseline = roc_auc_score(table.y[test], plain.predict_proba(clean.iloc[test])[:, 1])
    assert ours > baseline - 0.02, (ours, baseline)


def test_a_date_column_gives_an_out_of_time_split() -> None:
    dated = labelled_table(bureau_table(2000, seed=2, with_time=True), "loan_status", positive=BAD)
    fitted = fit_table(dated)
    assert fitted.time_column == "issue_d"
    assert "issue_d" not in fitted.model.feature_names_
    window = fitted.metadata.training_window
    assert window is not None
    assert window.start.date().isoformat() == "2018-01-01"


def test_targets_are_coded_or_refused_by_name() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "flag": ["yes", "no", "yes", None]})
    coded = labelled_table(frame, "flag")
    assert coded.y.tolist() == [1, 0, 1]
    assert coded.unlabelled == 1
    with pytest.raises(ConfigError, match="'status'"):
        labelled_table(frame, "status")
    words = pd.DataFrame({"x": [1, 2], "s": ["paid", "late"]})
    with pytest.raises(ConfigError, match="--positive"):
        labelled_table(words, "s")
    with pytest.raises(ConfigError, match="never equals"):
        labelled_table(words, "s", positive="defaulted")
    with pytest.raises(DataContractError, match=r"'s'.*one class"):
        labelled_table(words.assign(s="paid"), "s", positive="paid")
    with pytest.raises(DataContractError, match="no rows"):
        labelled_table(words.iloc[:0], "s")
