"""The model card: one Markdown document beside the model, in the spirit of SR 11-7's
documentation (purpose, data, method, performance, limits).

Only presentation lives here: every figure is read from the ``ModelEvaluation`` that
``microlend evaluate`` computed (the object behind ``evaluate --json``) or from the model's own
record, and formatted; nothing is computed apart from differences and shares of those figures.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from microlend import __version__
from microlend.dashboard._card_limits import known_limits
from microlend.dashboard._card_method import candidates_section, features_section
from microlend.dashboard._files import write_text_atomically
from microlend.dashboard._markdown import pct, sha, table, utc
from microlend.monitoring import STABLE_BELOW, WATCH_BELOW
from microlend.service import PERFORMANCE_WINDOW, ModelEvaluation, Shift

__all__ = ["MODEL_CARD", "render_model_card", "write_model_card"]

#: The card's file name, beside the model's other files.
MODEL_CARD = "model_card.md"


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
        features_section(result),
        candidates_section(result),
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
