"""The model card: one Markdown document beside the model, in the spirit of SR 11-7's
documentation (purpose, data, method, performance, limits).

Only presentation lives here: every figure is read from the ``ModelEvaluation`` that
``microlend evaluate`` computed (the object behind ``evaluate --json``) or from the model's own
record, and formatted; nothing is computed apart from differences and shares of those figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from microlend import __version__
from microlend.dashboard._card_limits import known_limits
from microlend.dashboard._files import write_text_atomically
from microlend.dashboard._markdown import bullets, pct, sha, table, utc
from microlend.features import feature_names, spec
from microlend.models import PREFERENCE, BlendPD, PDModel
from microlend.monitoring import STABLE_BELOW, WATCH_BELOW
from microlend.service import PERFORMANCE_WINDOW, FeatureFact, ModelEvaluation, Shift

__all__ = ["MODEL_CARD", "render_model_card", "write_model_card"]

#: The card's file name, beside the model's other files.
MODEL_CARD = "model_card.md"

#: How many features the card lists by weight (the model report watches as many).
_LISTED = 10


def write_model_card(result: ModelEvaluation, path: Path, *, model: Path, at: datetime) -> Path:
    """Write the card of ``result`` (the model in folder ``model``, evaluated ``at``) to
    ``path`` atomically."""
    return write_text_atomically(path, render_model_card(result, model=model, at=at))


def render_model_card(result: ModelEvaluation, *, model: Path, at: datetime) -> str:
    """The card as Markdown: every section filled from ``result``."""
    sections = (
        _title(result, model, at),
        _purpose(result),
        _data(result),
        _features(result),
        _candidates(result),
        _metrics(result),
        _calibration(result),
        _stability(result),
        known_limits(result),
    )
    return "\n\n".join(sections) + "\n"


# -- sections -----------------------------------------------------------------------------


def _title(result: ModelEvaluation, model: Path, at: datetime) -> str:
    return (
        f"# Model card: `{model}`\n\n"
        f"Written by `microlend evaluate` (microlend {__version__}) on {utc(at)}, from its "
        f"evaluation on `{result.source}`: each figure is the one `evaluate --json` prints, or "
        "the model's own record (`model.json`)."
    )


def _purpose(result: ModelEvaluation) -> str:
    scale, meta = result.scale, result.artifact.metadata
    bands = ", ".join(f"{b.name} from {b.floor}" for b in scale.bands)
    if result.on_records:
        days = meta.performance_window_days or PERFORMANCE_WINDOW.days
        what = (
            "The probability (PD) that a merchant defaults on a working-capital loan within "
            f"{days} days of its disbursal, from the merchant's marketplace records as of the day "
            "it applied (sales, refunds, reviews, shipments, settlements, earlier loans)."
        )
    else:
        facts = meta.table
        assert facts is not None, "a table's model records its facts"
        bad = f"`{facts.positive}`" if facts.positive is not None else "1"
        what = (
            f"The probability (PD) of the bad outcome of `{facts.target}` (the value {bad}) for "
            f"each applicant row of a lender's own table (trained on `{facts.source}`)."
        )
    use = (
        "; the lending policy turns the score and the features into offers or a decline with "
        "reasons, which come from the model's exact per-feature contributions"
        if result.on_records
        else ""
    )
    return (
        f"## Purpose\n\n{what} A PD becomes a score on {scale.low}-{scale.high} "
        f"({scale.pdo:g} points double the good:bad odds; {scale.base_score:g} at odds "
        f"{scale.base_odds:g}:1), in bands {bands}{use}."
    )


def _data(result: ModelEvaluation) -> str:
    rows = _records_data(result) if result.on_records else _table_data(result)
    return "## Data and windows\n\n" + table(("fact", "value"), rows)


def _trained(result: ModelEvaluation) -> tuple[str, str]:
    meta = result.artifact.metadata
    when = "in code (no time recorded)" if meta.trained_at is None else utc(meta.trained_at)
    return "trained", f"{when}, on data of sha256 {sha(meta.data_sha256)}"


def _evaluated_on(result: ModelEvaluation, same: str, other: str) -> tuple[str, str]:
    known = result.artifact.metadata.data_sha256
    verdict = same if result.source_sha256 == known else other
    return "evaluated on", f"`{result.source}` (sha256 {sha(result.source_sha256)}): {verdict}"


def _records_data(result: ModelEvaluation) -> list[tuple[str, str]]:
    meta = result.artifact.metadata
    rows = [_trained(result)]
    for name, window, count in (
        ("training applications", meta.training_window, meta.n_train),
        ("test applications (out of time)", meta.test_window, meta.n_test),
    ):
        if window is not None:
            counted = "" if count is None else f"{count:,}, "
            rows.append((name, f"{counted}applied {utc(window.start)} to {utc(window.end)}"))
    days = meta.performance_window_days or PERFORMANCE_WINDOW.days
    end = "" if meta.data_end is None else f" ({utc(meta.data_end)})"
    rows.append(
        (
            "outcome",
            f"default within {days} days of disbursal; a loan is labelled only once that window "
            f"has ended before the data's end{end}",
        )
    )
    if result.history is not None:
        rows.append(("records begin", f"first order {utc(result.history.records_start)}"))
    rows.append(
        _evaluated_on(
            result,
            "the data the model was trained on",
            "other data than the model was trained on (its sha256 differs)",
        )
    )
    rows.append(("test replayed", f"{result.evaluation.n:,} applications with a known outcome"))
    return rows


def _table_data(result: ModelEvaluation) -> list[tuple[str, str]]:
    meta, selection = result.artifact.metadata, result.artifact.selection
    facts = meta.table
    assert facts is not None, "a table's model records its facts"
    rows = [
        _trained(result),
        (
            "training table",
            f"`{facts.source}`: {facts.rows:,} rows, bad rate {pct(facts.bad_rate)}",
        ),
    ]
    if selection is not None:
        folds = len(selection.score(selection.chosen).folds)
        rows.append(
            (
                "model selection at training",
                f"{folds} time-ordered folds by `{facts.time_column}` (each tested on later "
                "rows than it learnt from)"
                if selection.scheme == "time-ordered"
                else f"{folds} stratified random folds (the table has no time column)",
            )
        )
    else:
        held = f"{result.artifact.model.settings()['validation_share']:.0%}"
        rows.append(
            (
                "hold-out at training",
                f"the latest {held} by `{facts.time_column}` (out of time)"
                if facts.time_column
                else f"a stratified random {held} (the table has no time column)",
            )
        )
    if facts.holdout_auc is not None:
        rows.append(("hold-out AUC at training", f"{facts.holdout_auc:.4f}"))
    rows.append(
        _evaluated_on(
            result,
            "the very file the model was trained on",
            "another file than the model was trained on",
        )
    )
    set_aside = result.unlabelled or 0
    rows.append(
        ("rows evaluated", f"{result.evaluation.n:,} ({set_aside:,} without an outcome set aside)")
    )
    return rows


def _features(result: ModelEvaluation) -> str:
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


def _candidates(result: ModelEvaluation) -> str:
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


def _metrics(result: ModelEvaluation) -> str:
    e = result.evaluation
    defaults = sum(b.defaults for b in result.calibration_tests.bands)
    gap = e.mean_pd / e.bad_rate - 1.0
    unit = "applications" if result.on_records else "rows"
    rows = [
        (unit, f"{e.n:,}"),
        ("defaults", f"{defaults:,} ({pct(e.bad_rate)})"),
        ("mean PD", f"{pct(e.mean_pd)} ({gap:+.1%} against the default rate)"),
        ("AUC", f"{e.auc:.4f}"),
        ("Gini", f"{e.gini:.4f}"),
        ("KS", f"{e.ks:.4f}"),
        ("Brier score", f"{e.brier:.4f}"),
    ]
    if e.oracle_auc is not None:
        rows.append(("oracle AUC (gap)", f"{e.oracle_auc:.4f} ({e.oracle_auc - e.auc:.4f})"))
    if result.on_records:
        head = "## Out-of-time metrics\n\nOn the test applications: later than any the model "
        head += "or its calibration learnt from."
    else:
        head = "## Metrics on the evaluated table"
    deciles = table(
        ("decile of PD", "rows", "mean PD", "observed"),
        ((str(b.decile), f"{b.n:,}", pct(b.mean_pd), pct(b.observed)) for b in e.calibration),
    )
    return f"{head}\n\n{table(('measure', 'value'), rows)}\n\nCalibration by decile:\n\n{deciles}"


def _calibration(result: ModelEvaluation) -> str:
    tests = result.calibration_tests
    bands = table(
        ("band", "rows", "defaults", "mean PD", "observed", "Jeffreys p", "binomial p", "verdict"),
        (
            (
                b.band,
                f"{b.n:,}",
                f"{b.defaults:,}",
                pct(b.mean_pd),
                pct(b.observed),
                f"{b.jeffreys_p:.3f}",
                f"{b.binomial_p:.3f}",
                "rejected" if b.rejected else "accepted",
            )
            for b in tests.bands
        ),
    )
    hl = tests.hosmer_lemeshow
    hl_verdict = "rejected" if hl.p_value < tests.level else "not rejected"
    rejected = ", ".join(tests.rejected_bands) or "none"
    return (
        f"## Calibration tests\n\nBy score band, one-sided (is the PD too low?): the Jeffreys "
        f"test of the ECB's IRB validation and a binomial test; a band is rejected when either "
        f"p-value is under {tests.level:.0%}.\n\n{bands}\n\nBands rejected: {rejected}. "
        f"Hosmer-Lemeshow over {hl.groups} groups by PD: {hl.statistic:.2f} on {hl.df} degrees "
        f"of freedom (p {hl.p_value:.3f}), {hl_verdict} at {tests.level:.0%}. Expected "
        f"calibration error: {tests.ece_pp:.2f} percentage points."
    )


def _stability(result: ModelEvaluation) -> str:
    shift = result.shift
    if shift is None:
        cv = result.cv_auc
        spread = (
            ""
            if cv is None
            else f" Across the five cross-validation folds the AUC was {cv[0]:.4f} with a "
            f"standard deviation of {cv[1]:.4f}."
        )
        return (
            "## Stability\n\nThe evaluated rows have no time order, so no shift of the "
            f"population over time can be measured.{spread}"
        )
    return (
        f"## Stability\n\nPopulation stability index (PSI) {_shift_basis(shift)} "
        f"(under {STABLE_BELOW:.2f} stable, {STABLE_BELOW:.2f} to {WATCH_BELOW:.2f} watch, over "
        f"{WATCH_BELOW:.2f} act), for the score and the "
        f"{len(shift.features)} features with the most weight:\n\n"
        + table(
            ("variable", "PSI", "verdict"),
            (
                (name, f"{s.psi:.4f}", str(s.verdict))
                for name, s in (
                    ("score", shift.score),
                    *((f"`{f.name}`", f) for f in shift.features),
                )
            ),
        )
    )


def _shift_basis(shift: Shift) -> str:
    if shift.by is None:
        return (
            f"from the {shift.baseline_n:,} training applications to the {shift.compared_n:,} "
            "test applications"
        )
    return (
        f"from the earliest {shift.baseline_n:,} rows by `{shift.by}` to the latest "
        f"{shift.compared_n:,}"
    )
