"""A served decision api over the small simulated marketplace, a saved model and a SQLite book."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from api_support import Served
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from microlend.api import ApiContext, ApiSettings, create_app
from microlend.data import Dataset
from microlend.models import ModelArtifact, load_artifact, save_model
from microlend.money import Money
from microlend.policy import default_policy
from microlend.service import (
    FeatureSnapshot,
    RatingFit,
    Role,
    create_api_key,
    fund_book,
    model_version,
    sync_merchants,
    take_snapshot,
)
from microlend.store import create_engine_for, migrate


@pytest.fixture(scope="session")
def api_model_dir(small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("api") / "model"
    return save_model(small_fit.model, folder, small_fit.metadata)


@pytest.fixture(scope="session")
def api_artifact(api_model_dir: Path) -> ModelArtifact:
    return load_artifact(api_model_dir)


def _engine(tmp_path: Path, dataset: Dataset) -> tuple[Engine, str]:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    engine = create_engine_for(url)
    migrate(engine)
    sync_merchants(engine, dataset)
    capital = Money(Decimal(10_000_000), default_policy().currency)
    fund_book(engine, capital, dataset.end.date(), "capital")
    return engine, url


@pytest.fixture(scope="session")
def api_snapshot(small_market: Dataset, api_artifact: ModelArtifact) -> FeatureSnapshot:
    return take_snapshot(api_artifact.model, small_market, small_market.end.date())


@pytest.fixture
def served(
    small_market: Dataset,
    api_artifact: ModelArtifact,
    api_snapshot: FeatureSnapshot,
    tmp_path: Path,
) -> Iterator[Served]:
    engine, url = _engine(tmp_path, small_market)
    merchants = small_market.table("merchants").column("merchant_id").to_pylist()
    keys = {
        "risk": create_api_key(engine, Role.RISK_OFFICER),
        "servicing": create_api_key(engine, Role.SERVICING),
        "merchant_a": create_api_key(engine, Role.MERCHANT, merchants[0]),
        "merchant_b": create_api_key(engine, Role.MERCHANT, merchants[1]),
    }
    business_date = small_market.end.date()
    context = ApiContext(
        model=api_artifact.model,
        model_version=model_version(api_artifact),
        policy=default_policy(),
        data=small_market,
        engine=engine,
        today=lambda: business_date,
        snapshot=api_snapshot,
        # One process starts an app per test: a full collection at each start buys nothing.
        settings=ApiSettings(freeze_heap=False),
    )
    with TestClient(create_app(context), raise_server_exceptions=False) as client:
        yield Served(client, context, keys, url)
    engine.dispose()
