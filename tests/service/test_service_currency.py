"""One currency of lending: the records', which the policy must lend in. Underwriting from the
records, the backtest and the online path refuse a policy in another currency, saying both,
before they decide, rate or store anything."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.errors import ConfigError
from microlend.money import Money
from microlend.policy import CreditRequest, Policy, default_policy, parse_policy
from microlend.service import (
    RatingFit,
    backtest,
    lending_currency,
    take_snapshot,
    underwrite,
    underwrite_application,
)
from microlend.store import Base, create_engine_for, migrate

_REFUSED = r"the records in .* are in USD, but policy 'default-2026\.1' lends in JPY"


def _in_jpy() -> Policy:
    text = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    return parse_policy(text.replace('currency = "USD"', 'currency = "JPY"'))


def _book(path: Path) -> Engine:
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    return engine


def _decisions(engine: Engine) -> int:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(Base.metadata.tables["decisions"])) or 0
        )


def test_the_currency_is_the_records_when_the_policy_lends_in_it(small_market: Dataset) -> None:
    assert lending_currency(small_market, default_policy()) == small_market.currency() == "USD"
    with pytest.raises(ConfigError, match=_REFUSED + ": give a policy in USD"):
        lending_currency(small_market, _in_jpy())


def test_underwriting_from_the_records_refuses_a_policy_in_another_currency(
    small_market: Dataset, small_fit: RatingFit, tmp_path: Path
) -> None:
    engine = _book(tmp_path / "book.sqlite")
    merchant = str(small_market.table("merchants").column("merchant_id")[0])
    with pytest.raises(ConfigError, match=_REFUSED):
        underwrite_application(
            engine,
            small_market,
            CreditRequest("app-1", merchant, Money(Decimal(3000), "JPY")),
            as_of=small_market.end.date(),
            model=small_fit.model,
            improver=small_fit.improver,
            model_version="test-model",
            policy=_in_jpy(),
        )
    assert _decisions(engine) == 0


def test_the_backtest_refuses_a_policy_in_another_currency(
    small_market: Dataset, small_fit: RatingFit, tmp_path: Path
) -> None:
    engines = [_book(tmp_path / "a.sqlite"), _book(tmp_path / "b.sqlite")]
    with pytest.raises(ConfigError, match=_REFUSED):
        backtest(
            small_market,
            small_fit.model,
            [default_policy(), _in_jpy()],
            engines,
            improver=small_fit.improver,
            start=small_market.end.date().replace(day=1),
            model_version="test-model",
        )
    assert [_decisions(engine) for engine in engines] == [0, 0]


def test_the_online_path_refuses_a_snapshot_worded_in_another_currency(
    small_market: Dataset, small_fit: RatingFit, tmp_path: Path
) -> None:
    engine = _book(tmp_path / "book.sqlite")
    merchant = str(small_market.table("merchants").column("merchant_id")[0])
    snapshot = take_snapshot(
        small_fit.model, small_market, small_market.end.date(), improver=None, currency="USD"
    )
    with pytest.raises(ConfigError, match=r"snapshot is worded in USD, but policy .* in JPY"):
        underwrite(engine, snapshot, _in_jpy(), merchant_id=merchant, model_version="test-model")
    assert _decisions(engine) == 0
