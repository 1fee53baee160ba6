"""The HTML model report: one self-contained page (charts inline, no network needed)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from microlend.dashboard._charts import calibration_chart
from microlend.dashboard._files import write_text_atomically
from microlend.dashboard._plots import importance_chart, psi_chart, roc_chart, score_chart
from microlend.service import ModelReport

__all__ = ["render_model_report", "write_model_report"]

_ENV = Environment(
    loader=PackageLoader("microlend.dashboard", "templates"),
    autoescape=select_autoescape(["html"]),
)


def _png(title: str, base64_png: str) -> Markup:
    return Markup('<img alt="{}" src="data:image/png;base64,{}">').format(title, base64_png)


def render_model_report(report: ModelReport) -> str:
    """The report as one HTML document."""
    scale = report.scale
    stability = (report.score_stability, *report.feature_stability)
    calibration = report.calibration
    charts = [
        _png("ROC", roc_chart(report.curves)),
        calibration_chart(
            [str(b.decile) for b in calibration],
            [b.mean_pd for b in calibration],
            [b.observed for b in calibration],
            by="decile of predicted PD",
        ),
        _png(
            "score distribution",
            score_chart(report.train_scores, report.test_scores, int(scale.low), int(scale.high)),
        ),
        _png("feature importance", importance_chart(report.importance)),
        _png("stability", psi_chart(stability)),
    ]
    return _ENV.get_template("model_report.html").render(
        evaluation=report.evaluation,
        scorecard=report.scorecard,
        calibration=report.calibration,
        tests=report.calibration_tests,
        charts=charts,
        bands=sorted(scale.bands, key=lambda b: b.floor, reverse=True),
        band_counts=report.band_counts,
        stability=stability,
        windows=report.windows,
    )


def write_model_report(report: ModelReport, path: Path) -> Path:
    """Write the report atomically (a temporary file beside ``path``, then a rename)."""
    return write_text_atomically(path, render_model_report(report))
