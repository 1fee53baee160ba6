"""A fairness screen: how a model and its policy treat the groups of one merchants column.

For each group: the approval rate, the price of what was offered, the predicted PD against the
observed default rate (the Jeffreys test of ``microlend.models``, both ways) and the AUC; the
adverse impact ratio (a group's approval rate over the most-approved group's, flagged under
four fifths, the screen regulators use); and a proxy check: how well the model's own features
predict the group (cross-validated AUC and balanced accuracy of a logistic regression), with
the features that carry most of it. A model that never reads the column can still act on it
through such proxies.

It is a screen: a flag says where to look, not that the law was broken. The figures are
differences in outcomes; whether a difference is justified by risk is for people to judge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.errors import ConfigError
from microlend.models import jeffreys_p_value

__all__ = [
    "FOUR_FIFTHS",
    "MIN_GROUP_APPLICATIONS",
    "PROXY_FLAG_AUC",
    "SCREEN_NOTICE",
    "TRUTH_BAND",
    "FairnessScreen",
    "GroupFigures",
    "ProxyCheck",
    "fairness_screen",
    "screened_groups",
]

#: The four-fifths rule: a group approved at under 80 % of the most-approved group's rate.
FOUR_FIFTHS = 0.8
#: The least applications a group needs to be screened; smaller groups are listed apart.
MIN_GROUP_APPLICATIONS = 100
#: A proxy check at or above this cross-validated AUC says the features reveal the group.
PROXY_FLAG_AUC = 0.7
#: The band of a group's truth ratio (its PD over its true PD, relative to the other groups')
#: that raises no flag: a model off by a fifth more (or less) for one group than for the rest.
TRUTH_BAND = (0.8, 1.25)
#: Each tail of the calibration test (two-sided 5 %).
_TAIL = 0.025
_FOLDS = 5
_TOP_PROXIES = 5
#: The proxy classifier learns from at most this many applications (a fixed random sample).
_PROXY_ROWS = 50_000

SCREEN_NOTICE = (
    "This is a screen, not a legal verdict: a flag marks a difference to look into, not "
    "unlawful discrimination, and no flag does not prove there is none."
)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GroupFigures:
    """One group's figures. ``impact_ratio``: its approval rate over the most-approved
    group's. ``mean_price``: the mean APR of the offers made to its approved applications.
    On its loans with a known outcome: ``predicted`` (mean PD), ``observed`` (default rate),
    ``calibration`` (``ok``, ``PD too low``, ``PD too high`` or ``not enough data``) and
    ``auc`` (``None`` with fewer defaults than the minimum). Where the truth is known (the
    simulator's): ``true_pd``, the mean true PD of all its applications, declined ones too,
    and ``truth_ratio``, its mean PD over that, relative to the same ratio for the other groups
    together (1: the model errs for this group as for the rest; under 1: it under-predicts
    this group's risk more)."""

    group: str
    applications: int
    approved: int
    approval_rate: float
    impact_ratio: float
    mean_price: float | None
    mean_pd: float
    loans: int
    defaults: int
    predicted: float | None
    observed: float | None
    calibration: str
    auc: float | None
    true_pd: float | None = None
    truth_ratio: float | None = None

    @property
    def miscalibrated_against_truth(self) -> bool:
        ratio = self.truth_ratio
        return ratio is not None and not TRUTH_BAND[0] <= ratio <= TRUTH_BAND[1]

    @property
    def adverse_impact(self) -> bool:
        return self.impact_ratio < FOUR_FIFTHS


@dataclass(frozen=True)
class ProxyCheck:
    """How well the model's features predict the group: cross-validated ``auc`` (one group
    against the rest, averaged, with more than two groups) and ``balanced_accuracy`` (chance:
    ``1 / groups``); ``top_features``: the features that alone separate the groups best,
    with that AUC."""

    auc: float
    balanced_accuracy: float
    chance: float
    rows: int
    top_features: tuple[tuple[str, float], ...]

    @property
    def flagged(self) -> bool:
        return self.auc >= PROXY_FLAG_AUC


@dataclass(frozen=True)
class FairnessScreen:
    """The screen of one attribute: its groups of at least ``minimum`` applications, those
    below it (``too_small``: group and count), the proxy check, and the flags raised."""

    attribute: str
    minimum: int
    min_bads: int
    groups: tuple[GroupFigures, ...]
    too_small: tuple[tuple[str, int], ...]
    proxy: ProxyCheck
    flags: tuple[str, ...]
    notice: str = SCREEN_NOTICE

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["too_small"] = [{"group": g, "applications": n} for g, n in self.too_small]
        for group, figures in zip(body["groups"], self.groups, strict=True):
            group["adverse_impact"] = figures.adverse_impact
            group["miscalibrated_against_truth"] = figures.miscalibrated_against_truth
        proxy = body["proxy"]
        proxy["flagged"] = self.proxy.flagged
        proxy["top_features"] = [{"feature": f, "auc": a} for f, a in self.proxy.top_features]
        return body


def fairness_screen(
    applications: pd.DataFrame,
    features: pd.DataFrame,
    *,
    attribute: str,
    labels: Mapping[str, str] | None = None,
    minimum: int = MIN_GROUP_APPLICATIONS,
    min_bads: int = 30,
    seed: int = 0,
) -> FairnessScreen:
    """Screen ``applications`` (one row each: ``group``, ``pd``, ``approved``, ``price`` (APR
    of the offer made, NaN if none), ``defaulted`` (1, 0, or NaN while unknown) and, where the
    truth is known, ``true_pd``) whose
    model features are the rows of ``features`` in the same order. ``labels`` names features
    for people (the catalog's). Groups under ``minimum`` applications are left out; fewer than
    two groups left is a ``ConfigError`` that says so."""
    group = applications["group"].astype(str).to_numpy()
    kept, too_small = screened_groups(group, attribute=attribute, minimum=minimum)
    mask = np.isin(group, kept)
    rows = applications.loc[mask].reset_index(drop=True)
    rates = rows.groupby("group")["approved"].mean()
    best = float(rates.max())
    figures = tuple(_group(name, rows, best, min_bads) for name in kept)
    proxy = _proxy(features.loc[mask].reset_index(drop=True), rows["group"], labels or {}, seed)
    return FairnessScreen(
        attribute=attribute,
        minimum=minimum,
        min_bads=min_bads,
        groups=figures,
        too_small=too_small,
        proxy=proxy,
        flags=_flags(attribute, figures, proxy),
    )


def screened_groups(
    group: npt.ArrayLike, *, attribute: str, minimum: int
) -> tuple[list[str], tuple[tuple[str, int], ...]]:
    """The groups with at least ``minimum`` applications, and those under it with their
    counts; a ``ConfigError`` that says so when fewer than two reach it."""
    counts = pd.Series(np.asarray(group, dtype=str)).value_counts()
    kept = sorted(str(g) for g, n in counts.items() if n >= minimum)
    too_small = tuple(sorted((str(g), int(n)) for g, n in counts.items() if n < minimum))
    if len(kept) < 2:
        raise ConfigError(_too_few_groups(attribute, counts, minimum))
    return kept, too_small


def _too_few_groups(attribute: str, counts: pd.Series, minimum: int) -> str:
    if len(counts) < 2:
        only = "no values" if counts.empty else f"one group ({counts.index[0]})"
        return f"column {attribute!r} has {only}: a screen compares two groups or more"
    big = int((counts >= minimum).sum())
    return (
        f"column {attribute!r} has {len(counts)} groups but {big} with at least {minimum} "
        f"applications: a screen compares two groups or more of at least {minimum} each "
        "(the minimum sample; lower it with --min-group at the cost of noisier figures)"
    )


def _ratio(rows: pd.DataFrame) -> float | None:
    """Mean PD over mean true PD; ``None`` without the truth."""
    if "true_pd" not in rows or rows["true_pd"].isna().all():
        return None
    return float(rows["pd"].mean() / rows["true_pd"].mean())


def _group(name: str, screened: pd.DataFrame, best: float, min_bads: int) -> GroupFigures:
    inside = (screened["group"] == name).to_numpy()
    rows, rest = screened.loc[inside], screened.loc[~inside]
    approved = rows["approved"].to_numpy(bool)
    prices = rows["price"].to_numpy(np.float64)[approved]
    prices = prices[~np.isnan(prices)]
    known = rows.dropna(subset=["defaulted"])
    outcome = known["defaulted"].to_numpy(np.int64)
    predicted = known["pd"].to_numpy(np.float64)
    defaults = int(outcome.sum())
    rate = float(approved.mean())
    own, others = _ratio(rows), _ratio(rest)
    return GroupFigures(
        group=name,
        applications=len(rows),
        approved=int(approved.sum()),
        approval_rate=rate,
        impact_ratio=rate / best if best > 0 else 1.0,
        mean_price=float(prices.mean()) if prices.size else None,
        mean_pd=float(rows["pd"].mean()),
        loans=len(known),
        defaults=defaults,
        predicted=float(predicted.mean()) if len(known) else None,
        observed=defaults / len(known) if len(known) else None,
        calibration=_calibration(defaults, len(known), predicted, min_bads),
        auc=_auc(outcome, predicted) if defaults >= min_bads else None,
        true_pd=None if own is None else float(rows["true_pd"].mean()),
        truth_ratio=None if own is None or not others else own / others,
    )


def _calibration(defaults: int, loans: int, predicted: FloatArray, min_bads: int) -> str:
    """The group's mean PD against its default rate, tested both ways."""
    if defaults < min_bads or loans == 0:
        return "not enough data"
    below = jeffreys_p_value(defaults, loans, float(predicted.mean()))
    if below < _TAIL:
        return "PD too low"
    if below > 1 - _TAIL:
        return "PD too high"
    return "ok"


def _auc(outcome: npt.NDArray[np.int64], score: FloatArray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if outcome.min(initial=1) == outcome.max(initial=0):
        return None
    return float(roc_auc_score(outcome, score))


def _proxy(
    features: pd.DataFrame, group: pd.Series, labels: Mapping[str, str], seed: int
) -> ProxyCheck:
    """Cross-validated logistic regression from the features to the group, and each feature's
    own power to separate the groups (the top proxies)."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(features) > _PROXY_ROWS:
        chosen = np.random.default_rng(seed).choice(len(features), _PROXY_ROWS, replace=False)
        features, group = features.iloc[chosen], group.iloc[chosen]
    x = features.to_numpy(np.float64)
    classes, y = np.unique(group.to_numpy(str), return_inverse=True)
    # Missing values are imputed and flagged: whether a feature is missing can reveal a group.
    model = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=1000, class_weight="balanced"),
    )
    folds = StratifiedKFold(min(_FOLDS, int(np.bincount(y).min())), shuffle=True, random_state=seed)
    proba = cross_val_predict(model, x, y, cv=folds, method="predict_proba")
    if len(classes) == 2:
        auc = float(roc_auc_score(y, proba[:, 1]))
    else:
        auc = float(roc_auc_score(y, proba, multi_class="ovr", average="macro"))
    accuracy = float(balanced_accuracy_score(y, proba.argmax(axis=1)))
    alone = _separation(x, y, len(classes))
    order = np.argsort(-alone, kind="stable")[:_TOP_PROXIES]
    names = list(features.columns)
    top = tuple((labels.get(names[i], names[i]), float(alone[i])) for i in order)
    return ProxyCheck(auc, accuracy, 1.0 / len(classes), len(x), top)


def _separation(x: FloatArray, y: npt.NDArray[np.intp], k: int) -> FloatArray:
    """Each feature's own AUC between one group and the rest, in its better direction,
    averaged over the groups (over one with two); missing values rank lowest."""
    from sklearn.metrics import roc_auc_score

    filled = np.where(np.isnan(x), np.nanmin(np.where(np.isnan(x), np.inf, x), axis=0) - 1, x)
    filled = np.nan_to_num(filled, nan=0.0, posinf=0.0, neginf=0.0)
    targets = [y == 1] if k == 2 else [y == c for c in range(k)]
    result = np.zeros(x.shape[1])
    for column in range(x.shape[1]):
        values = filled[:, column]
        aucs = [float(roc_auc_score(t, values)) for t in targets]
        result[column] = float(np.mean([max(a, 1 - a) for a in aucs]))
    return result


def _flags(attribute: str, groups: Sequence[GroupFigures], proxy: ProxyCheck) -> tuple[str, ...]:
    flags = [
        f"approval: group {g.group} is approved at {g.impact_ratio:.2f} of the most-approved "
        f"group's rate ({g.approval_rate:.1%}), under the four-fifths rule"
        for g in groups
        if g.adverse_impact
    ]
    flags += [
        f"calibration: group {g.group}'s {g.calibration} (predicted {g.predicted:.1%}, "
        f"observed {g.observed:.1%} on {g.loans:,} loans)"
        for g in groups
        if g.calibration in ("PD too low", "PD too high")
    ]
    flags += [
        f"calibration against the truth: group {g.group}'s mean PD {g.mean_pd:.1%} against "
        f"its true {g.true_pd:.1%} (ratio {g.mean_pd / g.true_pd:.2f}), {g.truth_ratio:.2f} "
        "times the other groups' ratio"
        for g in groups
        if g.miscalibrated_against_truth and g.true_pd  # None or 0: no ratio to show
    ]
    if proxy.flagged:
        flags.append(
            f"proxy: the model's features predict {attribute} with cross-validated AUC "
            f"{proxy.auc:.2f} (at least {PROXY_FLAG_AUC}); top: {proxy.top_features[0][0]}"
        )
    return tuple(flags)
