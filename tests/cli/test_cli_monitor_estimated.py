"""``microlend monitor --db``: each vintage's performance estimated from its PDs (text and JSON),
the realised figures once it has matured, and an empty state for a book without loans."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner, Result

from decision_support import made_decision, offer_of
from microlend.cli import app
from microlend.ledger import FixedInstalmentTerms
from microlend.money import Money
from microlend.service import (
    accept_decision_offer,
    charge_off_loan,
    disburse,
    fund_book,
    record_decision,
)
from microlend.store import (
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

runner = CliRunner()
DAY = date(2024, 3, 4)
TERMS = FixedInstalmentTerms(annual_rate=Decimal("0.24"), count=6)


def _book(url: str, pds: dict[str, float], charged_off: str) -> None:
    """One loan per merchant, disbursed on DAY from a decision with its PD; ``charged_off``'s
    loan is charged off 40 days later. No day is closed: the book is as of its latest
    transaction, capital added 400 days after DAY, once the vintage has matured."""
    engine = create_engine_for(url)
    migrate(engine)
    onboarded = datetime(2023, 1, 1, tzinfo=UTC)
    records = [MerchantRecord(MerchantId(m), "toys", "north", onboarded) for m in pds]
    in_transaction(engine, lambda session: LoanBookCommands(session).add_merchants(records))
    fund_book(engine, Money(Decimal(100_000), "USD"), DAY, "capital")
    for merchant, pd_value in pds.items():
        made = made_decision(
            f"D-{merchant}", merchant, as_of=DAY, offers=[offer_of("1000.00", TERMS)], limit="1300"
        )
        rating = dataclasses.replace(made.rating, pd=pd_value)
        record_decision(engine, dataclasses.replace(made, rating=rating))
        accepted = accept_decision_offer(
            engine,
            decision_id=f"D-{merchant}",
            offer_number=1,
            business_date=DAY,
            idempotency_key=f"acc-{merchant}",
        )
        assert accepted.loan_id is not None
        disburse(engine, accepted.loan_id, DAY, f"dis-{merchant}")
        if merchant == charged_off:
            charge_off_loan(engine, accepted.loan_id, DAY + timedelta(days=40), "co", reason="gone")
    fund_book(engine, Money(Decimal(1_000), "USD"), DAY + timedelta(days=400), "capital-2")
    engine.dispose()


def _monitor(model: Path, data: Path, url: str, *extra: str) -> Result:
    args = ["monitor", "--model", str(model), "--data", str(data), "--db", url, *extra]
    return runner.invoke(app, args, terminal_width=200)


def test_monitor_estimates_vintages_and_reconciles_the_matured_ones(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    _book(url, {"M1": 0.05, "M2": 0.15, "M3": 0.10}, "M2")
    result = _monitor(cli_model_dir, small_market_dir, url)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"as of {DAY + timedelta(days=400)}" in text
    assert "2024-03 3 10.0% [" in text  # vintage, loans, estimate with its interval
    assert "33.3%" in text  # one of three realised
    assert "1 matured vintages" in text
    as_json = _monitor(cli_model_dir, small_market_dir, url, "--json")
    assert as_json.exit_code == 0, as_json.output
    found = json.loads(as_json.stdout)["estimated_performance"]
    (vintage,) = found["vintages"]
    assert vintage["vintage"] == "2024-03"
    assert abs(vintage["estimated_default_rate"] - 0.10) < 1e-12
    assert abs(vintage["realised_default_rate"] - 1 / 3) < 1e-12
    assert vintage["realised_auc"] == 1.0  # the highest PD defaulted
    assert vintage["verdict"] == "insufficient"  # 1 default; the policy needs 30
    assert found["matured_vintages"] == 1
    assert abs(found["mae_default_rate"] - (1 / 3 - 0.10)) < 1e-12


def test_monitor_on_a_book_without_loans_says_so(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    engine = create_engine_for(url)
    migrate(engine)
    engine.dispose()
    result = _monitor(cli_model_dir, small_market_dir, url)
    # No decisions: PSI is measured on the applications after training, and may say act (3).
    assert result.exit_code != 2, result.output
    assert "estimated performance: no funded loans with a stored decision yet" in result.output
    body = json.loads(_monitor(cli_model_dir, small_market_dir, url, "--json").stdout)
    assert body["estimated_performance"]["vintages"] == []
    assert body["estimated_performance"]["mae_auc"] is None
