"""The HTML model report: self-contained, with every chart and table filled from the fit."""

from __future__ import annotations

import re
from pathlib import Path

from microlend.dashboard import write_model_report
from microlend.service import RatingFit, model_report


def test_the_report_is_one_offline_page_with_charts_and_tables(
    small_fit: RatingFit, tmp_path: Path
) -> None:
    report = model_report(small_fit)
    page = write_model_report(report, tmp_path / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 4
    assert all(len(image) > 5000 for image in images)  # real pictures, not empty frames
    # Calibration is the dashboard's SVG chart: predicted and observed for each of ten deciles.
    assert 'data-chart="calibration" data-points="20"' in page
    # Nothing is fetched from a network (the SVG namespace is a name, never fetched).
    assert re.findall(r"https?://[^\s\"']*", page) == ["http://www.w3.org/2000/svg"]
    assert f"{small_fit.evaluation.auc:.3f}" in page
    assert f"{small_fit.scorecard_evaluation.auc:.3f}" in page
    assert page.count("<tr>") >= 1 + 10 + len(report.scale.bands) + 1
    assert report.score_stability.verdict in page
    assert sum(report.band_counts.values()) == len(small_fit.test)
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_report_shows_every_calibration_test(small_fit: RatingFit, tmp_path: Path) -> None:
    report = model_report(small_fit)
    page = write_model_report(report, tmp_path / "report.html").read_text(encoding="utf-8")
    tests = report.calibration_tests
    table = page.split('<table id="calibration-tests">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + len(tests.bands)
    for band in tests.bands:
        assert f"<td>{band.band}</td><td>{band.n}</td><td>{band.defaults}</td>" in table
        assert f"<td>{band.jeffreys_p:.3f}</td><td>{band.binomial_p:.3f}</td>" in table
    assert table.count(">rejected<") == len(tests.rejected_bands)
    hl = tests.hosmer_lemeshow
    assert f"{hl.statistic:.2f} on {hl.df} degrees of freedom" in page
    assert f"{tests.ece_pp:.2f} percentage points" in page
