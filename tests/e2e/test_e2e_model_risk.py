"""The model-risk page in headless Chromium at a laptop's width (1400 px) and a phone's (390 px):
the cut-off charts' marker sits at the policy's cut-off between its ticks, the ticks are nice and
distinct, every chart has a title and fits the screen, drift is shown per labelled variable, and
a book with nothing in it says so instead of drawing blank charts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from e2e_book import Served, log_in, serving
from fastapi import FastAPI
from playwright.sync_api import Browser, Locator, Page

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.dashboard._labels import feature_label
from microlend.features import CATALOG, FeatureSpec
from microlend.policy import default_policy
from microlend.service import Role, create_api_key
from microlend.store import create_engine_for, migrate

WIDTHS = (1400, 390)
CUTOFF = default_policy().min_score


@pytest.fixture(scope="module")
def empty_book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The dashboard over a book with no decision: its url and an officer's key."""
    engine = create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'book.db'}")
    migrate(engine)
    key = create_api_key(engine, Role.RISK_OFFICER)
    app = FastAPI()
    app.include_router(dashboard_router(DashboardContext(engine, "USD", lambda: date(2026, 1, 5))))
    with serving(app) as url:
        yield url, key
    engine.dispose()


def _open(browser: Browser, width: int, url: str, key: str) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    log_in(page, url, key)
    page.goto(f"{url}/dashboard/performance")
    page.click("a#model-risk")  # the performance page leads here
    page.wait_for_url("**/dashboard/model-risk")
    return page


def _features(labels: list[str]) -> list[tuple[str, FeatureSpec]]:
    """Each label with the catalogued feature it names (every label must name one)."""
    by_label = {feature_label(spec.name): spec for spec in CATALOG}
    return [(label, by_label[label]) for label in labels]


def _x(item: Locator) -> float:
    box = item.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2


@pytest.mark.parametrize("width", WIDTHS)
def test_the_cut_off_is_marked_between_its_ticks(
    browser: Browser, served: Served, artefacts: Path, width: int
) -> None:
    page = _open(browser, width, served.url, served.officer_key)
    assert page.locator("#current-cutoff").text_content() == str(CUTOFF)
    assert int(page.locator("#applications").text_content() or "0") > 0
    for name in ("cutoff-rates", "cutoff-money"):
        chart = page.locator(f'svg[data-chart="{name}"]')
        box = chart.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width
        assert chart.locator("text.chart-title").is_visible()
        assert (chart.locator("text.chart-title").text_content() or "").strip()
        assert chart.locator("text.empty").count() == 0
        ticks = chart.locator("text.tick.x")
        labels = ticks.all_text_contents()
        values = [int(label) for label in labels]
        assert values == sorted(values)
        assert len(set(labels)) == len(labels) >= 3
        assert len({b - a for a, b in itertools.pairwise(values)}) == 1  # evenly stepped
        marker = chart.locator("line.marker")
        assert marker.get_attribute("data-x") == str(CUTOFF)
        assert chart.locator("text.marker-label").text_content() == f"current cut-off {CUTOFF}"
        assert chart.locator("text.marker-label").is_visible()
        # on screen, the marker lies where the cut-off falls between its two ticks
        below = max(v for v in values if v <= CUTOFF)
        above = min(v for v in values if v > CUTOFF)
        x_below, x_above = _x(ticks.nth(values.index(below))), _x(ticks.nth(values.index(above)))
        share = (CUTOFF - below) / (above - below)
        assert _x(marker) == pytest.approx(x_below + share * (x_above - x_below), abs=1.5)
        y_ticks = chart.locator("text.tick.y").all_text_contents()
        assert len(set(y_ticks)) == len(y_ticks) >= 2
    rates = page.locator('svg[data-chart="cutoff-rates"] text.tick.y').all_text_contents()
    assert all(float(rate.rstrip(" %")) <= 100 for rate in rates)
    current = page.locator("#cutoffs tr.current")
    assert current.get_attribute("data-cutoff") == str(CUTOFF)
    page.screenshot(path=artefacts / f"model-risk-{width}.png", full_page=True)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_drift_is_shown_per_labelled_variable(browser: Browser, served: Served, width: int) -> None:
    page = _open(browser, width, served.url, served.officer_key)
    rows = page.locator("#drift-table tr")
    assert rows.count() >= 3  # a header, the score and at least one feature
    names = page.locator("#drift-table td.text a").all_text_contents()
    assert names[0] == "Score"
    raw = {spec.name for spec in CATALOG}
    assert not raw & set(names)  # catalog labels, never the code's names
    assert len(_features(names[1:])) == len(names) - 1  # each the label of a catalogued feature
    distributions = page.locator('svg[data-chart="distribution"]')
    assert distributions.count() == len(names)
    first = distributions.first
    assert first.locator("rect.bar[data-series='training']").count() >= 2
    assert first.locator("text.legend").all_text_contents()[0] == "training"
    box = first.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= width
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_empty_book_says_so_on_the_cut_off_charts(
    browser: Browser, empty_book: tuple[str, str], width: int
) -> None:
    url, key = empty_book
    page = _open(browser, width, url, key)
    for name in ("cutoff-rates", "cutoff-money"):
        chart = page.locator(f'svg[data-chart="{name}"]')
        assert (chart.locator("text.chart-title").text_content() or "").strip()
        empty = chart.locator("text.empty")
        assert empty.text_content() == "No applications in the window yet"
        assert empty.is_visible()
        assert chart.locator("circle.point, line.marker").count() == 0
    assert page.locator("#no-applications").is_visible()
    assert page.locator("#no-baseline").is_visible()
    page.close()
