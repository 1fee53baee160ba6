"""``microlend monitor --db`` weighs the policy's cut-off on the book's last 90 days of
decisions: a table for people, every cut-off in ``--json``, and the policy file's cut-off as the
current one."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from microlend.cli import app
from microlend.features import Dimension
from microlend.money import Money
from microlend.policy import CreditRequest, Exposure, decide, default_policy
from microlend.scoring import Rating, ScoreScale
from microlend.store import (
    DecisionInputs,
    DecisionRecord,
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

runner = CliRunner()
POLICY = default_policy()
SCALE = ScoreScale()
LAST = date(2023, 6, 30)
GOOD: dict[str, float | None] = {
    "tenure_days": 400.0,
    "days_since_last_sale": 1.0,
    "gmv_90d": 30_000.0,
    "gmv_growth_90d": 0.1,
    "settlement_net_90d": 27_000.0,
    "prior_defaults": 0.0,
}


def _record(index: int, pd_: float, as_of: date) -> DecisionRecord:
    score = int(SCALE.points(pd_))
    merchant = f"M{index}"
    rating = Rating(
        merchant, pd_, score, SCALE.band(score), dict.fromkeys(Dimension, score), (), ()
    )
    decision = decide(
        CreditRequest(f"app-{index}", merchant),
        rating,
        GOOD,
        POLICY,
        exposure=Exposure(Money(Decimal(0), "USD")),
        as_of=as_of,
        model_version="test",
    )
    return DecisionRecord(f"dec-{index}", None, decision, rating, DecisionInputs.of(decision), GOOD)


def _book(url: str) -> list[DecisionRecord]:
    """Twelve decisions over the 60 days up to ``LAST``, and three a year earlier."""
    days = [LAST - timedelta(days=5 * i) for i in range(12)] + [LAST - timedelta(days=365)] * 3
    records = [
        _record(i, float(p), day)
        for i, (p, day) in enumerate(zip(np.linspace(0.005, 0.3, 15), days, strict=True))
    ]
    engine = create_engine_for(url)
    migrate(engine)

    def unit(session: Session) -> None:
        commands = LoanBookCommands(session)
        for record in records:
            merchant = MerchantId(record.decision.merchant_id)
            joined = datetime(2022, 1, 1, tzinfo=UTC)
            commands.add_merchant(MerchantRecord(merchant, "toys", "north", joined))
            commands.add_decision(record)

    in_transaction(engine, unit)
    engine.dispose()
    return records


def test_monitor_shows_the_cut_off_trade_off_of_the_last_90_days(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    records = _book(url)
    approved = sum(1 for r in records[:12] if r.decision.approved)
    assert 0 < approved < 12
    base = ["monitor", "--model", str(cli_model_dir), "--data", str(small_market_dir), "--db", url]
    as_json = runner.invoke(app, [*base, "--json"])
    assert as_json.exit_code in (0, 3), as_json.output
    body = json.loads(as_json.stdout)["cutoff_tradeoff"]
    assert body["current_cutoff"] == POLICY.min_score
    assert body["applications"] == 12  # the three of a year before are outside the window
    points = {p["cutoff"]: p for p in body["points"]}
    assert sorted(points) == list(range(350, 951, 10))
    assert points[POLICY.min_score]["approved"] == approved
    assert Decimal(points[POLICY.min_score]["expected_loss"]) > 0
    assert points[950]["expected_default_rate"] is None
    text = runner.invoke(app, base, terminal_width=200)
    assert "Cut-off trade-off: 12 decisions of the last 90 days" in text.output
    row = next(line for line in text.output.splitlines() if "550 (current)" in line)
    assert f"{approved}" in row
    assert "USD" in row
