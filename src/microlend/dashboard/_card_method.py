"""The model card's method: the features the model weighs most, the candidates compared and
the one chosen, with its settings. Presentation only, as the rest of the card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microlend.dashboard._markdown import bullets, pct, table
from microlend.features import feature_names, spec
from microlend.models import PREFERENCE, BlendPD, PDModel
from microlend.service import FeatureFact, ModelEvaluation

__all__ = ["candidates_section", "features_section"]

#: How many features the card lists by weight (the model report watches as many).
_LISTED = 10


def features_section(result: ModelEvaluation) -> str:
    names = result.artifact.predictor.feature_names_
    if result.on_records:
        monotone: dict[str, Any] = result.artifact.model.settings()["monotone"] or {}
        rising = sum(1 for v in monotone.values() if v > 0)
        falling = sum(1 for v in monotone.values() if v < 0)
        intro = (
            f"{len(names)} point-in-time features of the catalog, each computed as of the "
            "application's date from events strictly before it; a feature undefined for a "
            "merchant is missing, never 0. The PD may only rise with "
            f"{rising} of them and only fall with {falling} (monotone constraints where the "
            f"direction is known); {len(names) - rising - falling} are unconstrained."
        )
    else:
        facts = result.artifact.metadata.table
        assert facts is not None, "a table's model records its facts"
        found = bullets(facts.findings) if facts.findings else "- nothing set aside"
        intro = (
            f"{len(names)} columns of the table, kept by its preparer (numbers, text-coded "
            "numbers and categories; missing values kept as missing). What the preparer found "
            f"when it was fitted:\n\n{found}"
        )
    listed = result.features[:_LISTED]
    return (
        f"## Features\n\n{intro}\n\nThe {len(listed)} with the most weight (mean absolute "
        "contribution to the log-odds of default) on the evaluated rows:\n\n"
        + _feature_table(result, listed)
    )


def _feature_table(result: ModelEvaluation, listed: Sequence[FeatureFact]) -> str:
    known = set(feature_names())
    if result.on_records:
        header = ("feature", "meaning", "weight", "missing (test)", "missing (training)")
        return table(
            header,
            (
                (
                    f"`{f.name}`",
                    spec(f.name).meaning if f.name in known else "",
                    f"{f.importance:.4f}",
                    pct(f.missing),
                    "" if f.missing_baseline is None else pct(f.missing_baseline),
                )
                for f in listed
            ),
        )
    rows = ((f"`{f.name}`", f"{f.importance:.4f}", pct(f.missing)) for f in listed)
    return table(("feature", "weight", "missing"), rows)


def candidates_section(result: ModelEvaluation) -> str:
    predictor = result.artifact.predictor
    versions = ", ".join(f"{k} {v}" for k, v in sorted(result.artifact.libraries.items()))
    body = _record_candidates(result) if result.on_records else _table_candidates(result)
    return (
        f"## Candidates and choice\n\n{body}\n\nThe {result.artifact.kind} model's settings "
        f"(`model.json`): {_settings(predictor.settings())}{_trees(result)}. Saved with "
        f"{versions or 'no library versions recorded'}."
    )


def _settings(settings: dict[str, Any], prefix: str = "") -> str:
    """``key value`` pairs, a part's settings (a blend's) under its name."""
    shown = []
    for key, value in sorted(settings.items()):
        if key == "monotone":
            continue
        if isinstance(value, dict):
            shown.append(_settings(value, f"{prefix}{key}."))
        else:
            shown.append(f"{prefix}{key} {value}")
    return ", ".join(shown)


def _trees(result: ModelEvaluation) -> str:
    predictor = result.artifact.predictor
    boosted = predictor if isinstance(predictor, PDModel) else None
    if isinstance(predictor, BlendPD):
        boosted = predictor.boosted_
    return "" if boosted is None else f"; {boosted.best_iteration_} trees"


def _calibrated(result: ModelEvaluation) -> str:
    model = result.artifact.model
    method = model.calibrator_.method_
    asked = model.settings()["calibration"]
    chosen = ", chosen by cross-validated Brier score" if asked == "auto" else ""
    return f"calibrated ({method}{chosen})"


def _record_candidates(result: ModelEvaluation) -> str:
    e, card = result.evaluation, result.scorecard
    rows = [(f"PD model: LightGBM, monotone, {_calibrated(result)}", e.auc, "used")]
    if card is not None:
        rows.append(("WoE scorecard: binned features, logistic regression", card.auc, "challenger"))
    if e.oracle_auc is not None:
        rows.append(("oracle: the simulator's true PD", e.oracle_auc, "ceiling, not a model"))
    listing = table(
        ("candidate", "AUC (out of time)", "Gini", "role"),
        ((name, f"{auc:.4f}", f"{2 * auc - 1:.4f}", role) for name, auc, role in rows),
    )
    if card is None:
        versus = "No scorecard challenger was saved with this model. "
    elif e.auc >= card.auc:
        versus = f"The PD model ranks better out of time, by {e.auc - card.auc:.4f} AUC. "
    else:
        versus = (
            f"The scorecard ranks better out of time, by {card.auc - e.auc:.4f} AUC, yet the PD "
            "model is used: it was the champion before this evaluation, not chosen by it. "
        )
    return (
        f"{listing}\n\n{versus}The PD model is the champion by design: monotone where a feature's "
        "direction is known, calibrated, and it splits each PD exactly into per-feature "
        "contributions, which give a merchant its reasons. No wider selection was run on the "
        "records: the regularised logistic regression and the blend that a table's training "
        "compares (issue 14, item 1) are not fitted here, and the settings below were set by "
        "hand, not searched on these data."
    )


#: What each of a table's candidates is, in the card's words.
_CANDIDATE_WORDS = {
    "linear": "logistic regression on one-hot and binned inputs (L2)",
    "scorecard": "WoE of monotone quantile bins, logistic regression",
    "lightgbm": "LightGBM sized to the table, calibrated",
    "blend": "LightGBM and the logistic regression averaged on the logit scale",
}


def _table_candidates(result: ModelEvaluation) -> str:
    if result.artifact.selection is None:
        return _legacy_table_candidates(result)
    chosen = result.artifact.kind
    rows = []
    for name, c in result.candidates().items():
        nested = "not run" if c["cv_auc"] is None else f"{c['cv_auc']:.4f} ± {c['cv_auc_std']:.4f}"
        trained = "" if c["training_cv_auc"] is None else f"{c['training_cv_auc']:.4f}"
        folds = "" if c["chosen_in_folds"] is None else str(c["chosen_in_folds"])
        rows.append(
            (
                f"{name}: {_CANDIDATE_WORDS.get(name, name)}",
                trained or "-",
                nested,
                folds or "-",
                "saved" if name == chosen else "compared",
            )
        )
    listing = table(
        (
            "candidate",
            "cross-validated AUC at training",
            "nested cross-validated AUC",
            "outer folds that chose it",
            "role",
        ),
        rows,
    )
    selection = result.artifact.selection
    rule = (
        f"At training every candidate was fitted on the same folds of the training table and "
        f"the first within {selection.tolerance:g} AUC of the best, in the order "
        f"{', '.join(PREFERENCE)}, was chosen: `{selection.chosen}`, then refitted on all "
        "training rows."
    )
    if result.cross_validation is None:
        nested = (
            "No nested cross-validation was run on the evaluated table: it has a time column, "
            "and random folds would mix the future into training."
        )
    else:
        cv = result.cross_validation
        nested = (
            f"The nested cross-validation refits the whole recipe (preparer and selection) on "
            f"each of {len(cv.folds)} stratified folds of the evaluated table and scores every "
            f"candidate on the fold it never saw; the recipe's own AUC (the candidate each "
            f"fold chose) is {cv.auc:.4f} ± {cv.std:.4f}."
        )
    return f"{listing}\n\n{rule} {nested}"


def _legacy_table_candidates(result: ModelEvaluation) -> str:
    e = result.evaluation
    cv = (
        "not run (time column)"
        if result.cv_auc is None
        else f"{result.cv_auc[0]:.4f} ± {result.cv_auc[1]:.4f}"
    )
    listing = table(
        ("candidate", "AUC (evaluated table)", "cross-validated AUC", "role"),
        [
            (
                f"PD model: table preparer + LightGBM, {_calibrated(result)}",
                f"{e.auc:.4f}",
                cv,
                "used",
            )
        ],
    )
    return (
        f"{listing}\n\nThis model was trained before tables had model selection: only this "
        "recipe was fitted. The cross-validated AUC refits today's recipe (with selection) on "
        "five stratified folds of the evaluated table."
    )
