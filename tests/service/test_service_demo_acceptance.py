"""The rating issue's acceptance criteria, on the demo's own marketplace at full size.

20,000 merchants over 24 months, seed 0, exactly as `microlend demo` runs by default: this is
the slowest test of the suite (about two minutes on two cores), and the only one that holds the
model to the numbers the project promises rather than to its mechanics.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from microlend.service import DemoConfig, DemoResult, run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(DemoConfig(out=Path(tmp_path_factory.mktemp("demo"))))


def test_model_is_within_two_hundredths_of_the_oracle(demo: DemoResult) -> None:
    evaluation = demo.fit.evaluation
    assert evaluation.oracle_auc is not None
    assert evaluation.oracle_auc - evaluation.auc <= 0.02


def test_model_beats_its_scorecard_challenger(demo: DemoResult) -> None:
    assert demo.fit.evaluation.auc > demo.fit.scorecard_evaluation.auc


def test_mean_pd_is_within_fifteen_percent_of_the_default_rate(demo: DemoResult) -> None:
    evaluation = demo.fit.evaluation
    assert abs(evaluation.mean_pd / evaluation.bad_rate - 1) <= 0.15


def test_the_demo_marketplace_is_the_promised_size(demo: DemoResult) -> None:
    # Thousands of matured loans, so the criteria above are not luck on a small sample.
    assert len(demo.fit.train) + len(demo.fit.test) > 10_000
    assert demo.fit.test.defaulted.sum() > 150
