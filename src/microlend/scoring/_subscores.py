"""Sub-scores: one 350-950 score per dimension (scale and growth, stability, ...).

With ``c_f`` a feature's contribution to the raw log-odds of default, ``S_d`` the sum of the
contributions of dimension ``d``'s features, ``K`` the number of dimensions and ``L`` the
log-odds of the merchant's (calibrated) PD, dimension ``d`` gets the log-odds

    L_d = L + K * S_d - sum_e S_e.

Said to a merchant: *a sub-score is the score you would have if all five sides of your business
looked like this one.* Were every dimension like ``d``, the model's margin would hold ``K * S_d``
where it now holds ``sum_e S_e``; the sub-score moves the overall score by that difference. Hence
the identity a test checks: the sub-scores' log-odds average to the overall log-odds, so before
clipping the sub-scores average to the overall score. Contributions of features outside the
catalog, and the base, are common to all dimensions and stay inside ``L``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.features.catalog import Dimension, FeatureSpec
from microlend.scoring._scale import ScoreScale

__all__ = ["dimension_log_odds", "sub_scores"]


def _dimension(specs: Mapping[str, FeatureSpec], column: str) -> Dimension | None:
    spec = specs.get(column)
    return None if spec is None else spec.dimension


def _dimension_sums(contributions: pd.DataFrame, specs: Mapping[str, FeatureSpec]) -> pd.DataFrame:
    """``S_d`` per row: the summed contributions of each dimension's features (0 when none)."""
    sums = {}
    for dimension in Dimension:
        members = [c for c in contributions.columns if _dimension(specs, c) is dimension]
        sums[dimension] = contributions[members].sum(axis=1) if members else 0.0
    return pd.DataFrame(sums, index=contributions.index, dtype=np.float64)


def dimension_log_odds(
    contributions: pd.DataFrame, pd_: npt.ArrayLike, specs: Mapping[str, FeatureSpec]
) -> pd.DataFrame:
    """``L_d`` for every row and dimension (log-odds of default), columns in ``Dimension`` order."""
    probability = np.asarray(pd_, dtype=np.float64)
    with np.errstate(divide="ignore"):
        overall = np.log(probability) - np.log1p(-probability)
    sums = _dimension_sums(contributions, specs)
    shift = len(Dimension) * sums.to_numpy() - sums.to_numpy().sum(axis=1, keepdims=True)
    return pd.DataFrame(overall[:, None] + shift, index=sums.index, columns=sums.columns)


def sub_scores(
    contributions: pd.DataFrame,
    pd_: npt.ArrayLike,
    specs: Mapping[str, FeatureSpec],
    scale: ScoreScale,
) -> pd.DataFrame:
    """Sub-scores in whole points, one column per ``Dimension``, clipped like the overall score."""
    log_odds = dimension_log_odds(contributions, pd_, specs)
    points = np.rint(scale.from_log_odds(log_odds.to_numpy())).astype(np.int64)
    return pd.DataFrame(points, index=log_odds.index, columns=log_odds.columns)
