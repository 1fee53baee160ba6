"""PSI over time: each period's PSI is the one ``psi`` gives on that period's rows."""

from __future__ import annotations

import numpy as np
import pytest

from microlend.monitoring import Verdict, psi, psi_over_time


def test_each_month_has_the_psi_of_its_own_rows() -> None:
    rng = np.random.default_rng(7)
    base = {"score": rng.normal(600, 50, 2000), "refunds": rng.exponential(0.05, 2000)}
    months = ["2025-02"] * 400 + ["2025-01"] * 300 + ["2025-03"] * 20
    now = {
        "score": np.concatenate(
            [rng.normal(620, 50, 400), rng.normal(600, 50, 300), rng.normal(700, 50, 20)]
        ),
        "refunds": rng.exponential(0.08, 720),
        "only_now": rng.normal(size=720),
    }
    found = psi_over_time(base, now, months, min_rows=300)
    assert set(found) == {"score", "refunds"}
    for name, series in found.items():
        assert [period for period, _ in series] == ["2025-01", "2025-02", "2025-03"]
        mask = {m: np.array(months) == m for m in set(months)}
        for period, stability in series:
            same = psi(base[name], now[name][mask[period]], name=name, min_rows=300)
            assert stability == same
    verdicts = {period: s.verdict for period, s in found["score"]}
    assert verdicts["2025-03"] is Verdict.INSUFFICIENT  # 20 rows, under the minimum
    assert verdicts["2025-01"] is not Verdict.INSUFFICIENT
    assert found["score"][2][1].psi > found["score"][0][1].psi


def test_periods_must_name_every_row() -> None:
    with pytest.raises(ValueError, match="periods"):
        psi_over_time({"a": [1.0, 2.0]}, {"a": [1.0, 2.0, 3.0]}, ["2025-01"])
