"""The rating path on records: labelling, out-of-time split, training, evaluation, scoring."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from microlend.data import Dataset
from microlend.features import CATALOG, feature_names
from microlend.models import calibration_tests, load_artifact, save_model
from microlend.scoring import TOP_REASONS, ScoreScale
from microlend.service import (
    PERFORMANCE_WINDOW,
    Labelled,
    RatingFit,
    evaluate_on_records,
    labelled_applications,
    merchant_features,
    model_report,
    score_merchants,
    split_out_of_time,
    take_snapshot,
)
from rating_support import Counted


@pytest.fixture(scope="module")
def labelled(small_market: Dataset) -> Labelled:
    return labelled_applications(small_market)


def test_only_funded_loans_whose_window_ended_are_labelled(
    small_market: Dataset, labelled: Labelled
) -> None:
    loans = small_market.table("loans").to_pandas().set_index("application_id")
    disbursed = loans.loc[labelled.keys["application_id"], "disbursed_at"]
    assert len(labelled) > 100
    assert (disbursed + PERFORMANCE_WINDOW <= pd.Timestamp(small_market.end)).all()
    outcomes = small_market.table("outcomes").to_pandas().set_index("loan_id")
    expected = outcomes.loc[loans.loc[labelled.keys["application_id"], "loan_id"], "defaulted"]
    assert (labelled.defaulted == expected.to_numpy(dtype=np.int64)).all()
    assert list(labelled.features.columns) == list(feature_names())
    assert labelled.applied_at.is_monotonic_increasing


def test_the_split_is_out_of_time(labelled: Labelled) -> None:
    train, test = split_out_of_time(labelled, test_share=0.3)
    assert train.applied_at.max() < test.applied_at.min()
    assert 0.25 < len(test) / (len(train) + len(test)) < 0.35
    with pytest.raises(ValueError, match="test_share"):
        split_out_of_time(train, test_share=1.0)


def test_the_out_of_time_evaluation_is_honest(small_fit: RatingFit) -> None:
    # Ranking quality needs the demo's volume (see tests/cli); here: consistency and calibration.
    e = small_fit.evaluation
    assert e.oracle_auc is not None
    assert e.auc <= e.oracle_auc + 0.05  # nobody beats the truth by more than noise
    assert abs(e.mean_pd - e.bad_rate) < 0.04
    assert small_fit.metadata.n_test == e.n == len(small_fit.test)


def test_evaluate_on_records_replays_the_saved_models_test(
    small_fit: RatingFit, small_market: Dataset, tmp_path: Path
) -> None:
    save_model(small_fit.model, tmp_path / "m", small_fit.metadata, challenger=small_fit.scorecard)
    evaluated = evaluate_on_records(load_artifact(tmp_path / "m"), small_market)
    result = evaluated.to_dict()
    assert result["n"] == small_fit.evaluation.n
    assert result["auc"] == pytest.approx(small_fit.evaluation.auc)
    assert result["scorecard_auc"] == pytest.approx(small_fit.scorecard_evaluation.auc)
    assert result["oracle_auc"] == pytest.approx(small_fit.evaluation.oracle_auc)
    pd_ = small_fit.model.predict_pd(small_fit.test.features)
    tests = calibration_tests(small_fit.test.defaulted, pd_, ScoreScale())
    assert result["calibration_tests"] == tests.to_dict()
    assert sum(band["n"] for band in tests.to_dict()["bands"]) == small_fit.evaluation.n
    # The population shift is the model report's: training applications against the test's.
    assert evaluated.shift is not None
    assert (evaluated.shift.baseline_n, evaluated.shift.compared_n) == (
        len(small_fit.train),
        len(small_fit.test),
    )
    assert evaluated.shift.score == model_report(small_fit).score_stability
    missing = small_fit.test.features.isna().mean()
    assert {f.name: f.missing for f in evaluated.features} == pytest.approx(missing.to_dict())


def test_the_history_cut_counts_windows_reaching_before_the_first_order(
    small_fit: RatingFit, small_market: Dataset, tmp_path: Path
) -> None:
    save_model(small_fit.model, tmp_path / "m", small_fit.metadata)
    history = evaluate_on_records(load_artifact(tmp_path / "m"), small_market).history
    assert history is not None
    orders = small_market.table("orders").to_pandas()
    assert history.records_start == orders["created_at"].min()
    joined = small_market.table("merchants").to_pandas().set_index("merchant_id")["onboarded_at"]
    for cut in history.windows:
        for part, share in ((small_fit.train, cut.training), (small_fit.test, cut.test)):
            counted = sum(
                applied - pd.Timedelta(days=cut.days) < history.records_start
                and joined[merchant] < history.records_start
                for applied, merchant in zip(part.applied_at, part.keys["merchant_id"], strict=True)
            )
            assert share == counted / len(part)
    # A longer window reaches further back: it is cut at least as often.
    for shorter, longer in itertools.pairwise(history.windows):
        assert shorter.training <= longer.training
        assert shorter.test <= longer.test
    assert [cut.days for cut in history.windows] == [90, 180, 365]
    assert history.windows[-1].training > 0


def test_score_merchants_gives_one_explained_row_per_merchant(
    small_fit: RatingFit, small_market: Dataset
) -> None:
    as_of = small_market.end.date()
    table = score_merchants(small_fit.model, small_market, as_of)
    merchants = small_market.table("merchants").to_pandas()
    assert set(table["merchant_id"]) == set(merchants["merchant_id"])
    assert table["score"].between(350, 950).all()
    worse = table.sort_values("pd")
    assert worse["score"].is_monotonic_decreasing
    assert table["reason_1"].notna().mean() > 0.5


def test_the_batch_rates_once_and_equals_the_snapshots_ratings(
    small_fit: RatingFit, small_market: Dataset
) -> None:
    as_of = small_market.end.date()
    counted = Counted(small_fit.model)
    table = score_merchants(counted, small_market, as_of)
    assert counted.calls == {"predict_pd": 1, "contributions": 1}
    ratings = take_snapshot(small_fit.model, small_market, as_of, improver=None).ratings
    assert len(ratings) == len(table)
    for line in table.to_dict("records"):
        rating = ratings[line["merchant_id"]]
        assert (line["pd"], line["score"], line["band"]) == (rating.pd, rating.score, rating.band)
        assert [line[f"sub_{d}"] for d in rating.sub_scores] == list(rating.sub_scores.values())
        texts = [line[f"reason_{i + 1}"] for i in range(TOP_REASONS)]
        assert [t for t in texts if isinstance(t, str)] == [r.text for r in rating.reasons]


def test_the_score_files_reasons_lie_beyond_the_reference_values(
    small_fit: RatingFit, small_market: Dataset
) -> None:
    """The batch (``microlend score``) words reasons as decisions do: a value on the safe side
    of its feature's reference is never a reason. With the training medians (the references a
    saved model carries) and with the scored merchants' own medians, which split every feature
    in half, so that the model's contributions alone would tell safe-side values."""
    as_of = small_market.end.date()
    directions = {spec.name: spec.direction for spec in CATALOG}
    medians = merchant_features(small_market, as_of).median(numeric_only=True)
    own = {name: float(medians[name]) for name in directions if np.isfinite(medians.get(name))}

    def safe_side(table: pd.DataFrame, references: dict[str, float]) -> int:
        count = 0
        for n in range(1, TOP_REASONS + 1):
            pairs = zip(table[f"reason_{n}_code"], table[f"reason_{n}_value"], strict=True)
            for code, value in pairs:
                direction = directions.get(str(code), 0)
                if direction and code in references and np.isfinite(value):
                    count += bool((value - references[code]) * direction <= 0)
        return count

    bare = score_merchants(small_fit.model, small_market, as_of)
    for references in (dict(small_fit.improver.references_), own):
        told = score_merchants(small_fit.model, small_market, as_of, references=references)
        assert safe_side(told, references) == 0
        assert told["reason_1"].notna().mean() > 0.5
    assert safe_side(bare, own) > 0
