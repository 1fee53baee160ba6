import numpy as np
import pytest

from microlend.monitoring import Verdict, psi, psi_table


def test_identical_distributions_are_stable() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=20_000)
    result = psi(base, rng.normal(size=20_000))
    assert result.psi < 0.01
    assert result.verdict is Verdict.STABLE
    assert sum(result.expected_share) == pytest.approx(1.0)
    assert sum(result.actual_share) == pytest.approx(1.0)


def test_a_shift_is_watched_and_a_large_shift_acted_on() -> None:
    rng = np.random.default_rng(2)
    base = rng.normal(size=20_000)
    assert psi(base, rng.normal(0.4, 1, size=20_000)).verdict is Verdict.WATCH
    assert psi(base, rng.normal(1.5, 1, size=20_000)).verdict is Verdict.ACT


def test_psi_matches_the_formula_on_hand_made_bins() -> None:
    base = np.array([0.0] * 50 + [1.0] * 50)
    now = np.array([0.0] * 80 + [1.0] * 20)
    expected = (0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5)
    assert psi(base, now, bins=2).psi == pytest.approx(expected)


def test_missing_values_have_their_own_bin() -> None:
    base = np.array([1.0, 2.0, 3.0, 4.0] * 25)
    now = np.array([1.0, 2.0, np.nan, np.nan] * 25)
    result = psi(base, now, bins=4)
    assert result.actual_share[-1] == pytest.approx(0.5)
    assert result.verdict is Verdict.ACT


def test_psi_table_is_worst_first_over_common_names() -> None:
    rng = np.random.default_rng(3)
    base = {"a": rng.normal(size=5000), "b": rng.normal(size=5000), "c": rng.normal(size=10)}
    now = {"a": rng.normal(size=5000), "b": rng.normal(2, 1, size=5000)}
    table = psi_table(base, now)
    assert [s.name for s in table] == ["b", "a"]


def test_psi_refuses_empty_input_and_one_bin() -> None:
    with pytest.raises(ValueError, match="both sides"):
        psi([], [1.0])
    with pytest.raises(ValueError, match="2 bins"):
        psi([1.0], [1.0], bins=1)
