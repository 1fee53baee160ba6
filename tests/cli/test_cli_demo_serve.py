"""``microlend demo --serve``: the demo's outputs served as the command serves them.

``demo_app`` is what the command runs after the demo; here it runs on the small simulated
marketplace and a model fitted on it, and the app answers through FastAPI's TestClient.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_support import log_in
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from microlend.cli import app
from microlend.cli._served import ServedDemo, demo_app
from microlend.data import Dataset
from microlend.service import RatingFit, Role, authenticate, baseline_from_fit, merchant_features


@pytest.fixture(scope="module")
def population(small_market: Dataset) -> pd.DataFrame:
    return merchant_features(small_market, small_market.end.date())


def _strongest(fit: RatingFit, rows: pd.DataFrame) -> str:
    """The merchant with the lowest PD: the demo's first example merchant is one like it."""
    return str(rows.index[int(np.argmin(fit.model.predict_pd(rows)))])


def _served(
    tmp_path: Path, small_market: Dataset, model_dir: Path, fit: RatingFit, rows: pd.DataFrame
) -> ServedDemo:
    return demo_app(
        tmp_path,
        small_market,
        model_dir,
        merchant_id=_strongest(fit, rows),
        baseline=baseline_from_fit(fit),
        population=rows,
    )


def test_the_served_demo_decides_lends_and_shows_the_dashboard(
    small_market: Dataset,
    small_fit: RatingFit,
    cli_model_dir: Path,
    population: pd.DataFrame,
    tmp_path: Path,
) -> None:
    served = _served(tmp_path, small_market, cli_model_dir, small_fit, population)
    book, merchant = served.book, served.book.merchant_id
    assert (tmp_path / "book.sqlite").is_file()
    assert set(book.keys) == {Role.RISK_OFFICER, Role.SERVICING, Role.MERCHANT}
    assert served.first_decision.merchant_id == merchant
    own = {"X-API-Key": book.keys[Role.MERCHANT]}
    servicing = {"X-API-Key": book.keys[Role.SERVICING]}
    with TestClient(served.app, raise_server_exceptions=False) as client:
        health = client.get("/health").json()
        assert health["business_date"] == str(small_market.end.date())
        decided = client.post("/v1/applications", json={"merchant_id": merchant}, headers=own)
        assert decided.status_code == 201, decided.text
        decision = decided.json()
        assert decision["approved"], decision
        accepted = client.post(
            "/v1/offers/accept",
            json={"decision_id": decision["decision_id"], "offer_number": 1},
            headers=own | {"Idempotency-Key": "accept-1"},
        )
        assert accepted.status_code in (200, 201), accepted.text
        loan_id = accepted.json()["loan_id"]
        paid = client.post(
            f"/v1/loans/{loan_id}/disburse", headers=servicing | {"Idempotency-Key": "pay-out-1"}
        )
        assert paid.status_code in (200, 201), paid.text
        assert client.get("/dashboard", follow_redirects=False).status_code == 303  # no session
        log_in(client, book.keys[Role.RISK_OFFICER])
        dashboard = client.get("/dashboard")
        assert dashboard.status_code == 200
        assert f"Portfolio as of {small_market.end.date()}" in dashboard.text
        assert 'id="verdict"' in dashboard.text  # PSI against the fit's training population
        loan_page = client.get(f"/dashboard/loans/{loan_id}")
        assert loan_page.status_code == 200
        assert loan_id in loan_page.text
        # The served app replays a decision on its page with the model, improver and policy
        # it decides with: the api's decision comes out the same.
        decision_page = client.get(f"/dashboard/decisions/{decision['decision_id']}")
        assert decision_page.status_code == 200
        assert 'data-same="yes"' in decision_page.text, decision_page.text
        page = client.get(f"/merchants/{merchant}")
        assert page.status_code == 200
        assert f'<span id="score">{decision["score"]}</span>' in page.text


def test_a_second_demo_replaces_the_book_and_its_keys(
    small_market: Dataset,
    small_fit: RatingFit,
    cli_model_dir: Path,
    population: pd.DataFrame,
    tmp_path: Path,
) -> None:
    first = _served(tmp_path, small_market, cli_model_dir, small_fit, population).book
    first.engine.dispose()
    second = _served(tmp_path, small_market, cli_model_dir, small_fit, population).book
    old_key = first.keys[Role.RISK_OFFICER]
    assert authenticate(second.engine, old_key) is None
    merchant_key = authenticate(second.engine, second.keys[Role.MERCHANT])
    assert merchant_key is not None
    assert merchant_key.merchant_id == second.merchant_id


def test_demo_help_documents_serving() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--serve", "--host", "--port", "book.sqlite"):
        assert option in result.output


def test_demo_serve_refuses_an_existing_key_file_before_simulating(tmp_path: Path) -> None:
    taken = tmp_path / "keys.txt"
    taken.write_text("mine\n")
    out = tmp_path / "out"
    args = ["demo", "--serve", "--key-file", str(taken), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"{taken} exists" in result.stderr
    assert taken.read_text() == "mine\n"
    assert not out.exists()


def test_demo_help_names_the_key_file() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--key-file" in result.output
    assert "terminal" in result.output
