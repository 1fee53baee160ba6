"""The HTML model report: one self-contained page (charts inline, no network needed)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from microlend.dashboard._plots import (
    calibration_chart,
    importance_chart,
    psi_chart,
    roc_chart,
    score_chart,
)
from microlend.service import ModelReport

__all__ = ["render_model_report", "write_model_report"]

_ENV = Environment(
    loader=PackageLoader("microlend.dashboard", "templates"),
    autoescape=select_autoescape(["html"]),
)


@dataclass(frozen=True)
class _Chart:
    title: str
    png: str


def render_model_report(report: ModelReport) -> str:
    """The report as one HTML document."""
    scale = report.scale
    stability = (report.score_stability, *report.feature_stability)
    charts = [
        _Chart("ROC", roc_chart(report.curves)),
        _Chart("calibration", calibration_chart(report.calibration)),
        _Chart(
            "score distribution",
            score_chart(report.train_scores, report.test_scores, int(scale.low), int(scale.high)),
        ),
        _Chart("feature importance", importance_chart(report.importance)),
        _Chart("stability", psi_chart(stability)),
    ]
    return _ENV.get_template("model_report.html").render(
        evaluation=report.evaluation,
        scorecard=report.scorecard,
        calibration=report.calibration,
        charts=charts,
        bands=sorted(scale.bands, key=lambda b: b.floor, reverse=True),
        band_counts=report.band_counts,
        stability=stability,
        windows=report.windows,
    )


def write_model_report(report: ModelReport, path: Path) -> Path:
    """Write the report atomically (a temporary file beside ``path``, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(render_model_report(report))
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
