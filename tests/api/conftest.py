"""A served decision api over the small simulated marketplace, a saved model and a SQLite book."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from api_support import Served
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from microlend.api import ApiContext, ApiSettings, create_app
from microlend.data import Dataset
from microlend.models import ModelArtifact, load_artifact
from microlend.money import Money
from microlend.policy import Policy, default_policy
from microlend.service import (
    FeatureSnapshot,
    RatingFit,
    Role,
    create_api_key,
    fund_book,
    improver_of,
    model_version,
    save_rating,
    sync_merchants,
    take_snapshot,
)
from microlend.store import create_engine_for, migrate


@pytest.fixture(scope="session")
def api_model_dir(small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("api") / "model"
    return save_rating(small_fit, folder)


@pytest.fixture(scope="session")
def api_artifact(api_model_dir: Path) -> ModelArtifact:
    return load_artifact(api_model_dir)


def _engine(
    tmp_path: Path,
    dataset: Dataset,
    backend: str,
    book_maker: Callable[[str], Engine],
    currency: str,
) -> tuple[Engine, str]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'book.db'}"
        engine = create_engine_for(url)
        migrate(engine)
    else:
        engine = book_maker(backend)
        url = engine.url.render_as_string(hide_password=True)
    sync_merchants(engine, dataset)
    capital = Money(Decimal(10_000_000), currency)
    fund_book(engine, capital, dataset.end.date(), "capital")
    return engine, url


@pytest.fixture(scope="session")
def api_snapshot(small_market: Dataset, api_artifact: ModelArtifact) -> FeatureSnapshot:
    return take_snapshot(
        api_artifact.model,
        small_market,
        small_market.end.date(),
        improver=improver_of(api_artifact),
    )


def named_in(dataset: Dataset, currency: str) -> Dataset:
    """``dataset``'s records with every amount named in ``currency``: the same figures, read as
    a market in that currency would hold them (the api refuses a policy in another currency
    than the records')."""
    tables = {
        name: table.set_column(
            table.schema.get_field_index("currency"),
            "currency",
            pa.array([currency] * table.num_rows, table.schema.field("currency").type),
        )
        if "currency" in table.schema.names
        else table
        for name, table in dataset.tables.items()
    }
    assert dataset.manifest is not None
    manifest = dataclasses.replace(dataset.manifest, currency=currency)
    return dataclasses.replace(dataset, tables=tables, manifest=manifest)


@pytest.fixture(scope="session")
def markets_in(
    small_market: Dataset, api_artifact: ModelArtifact, api_snapshot: FeatureSnapshot
) -> Callable[[str], tuple[Dataset, FeatureSnapshot]]:
    """The small market and its snapshot in a currency, each made once."""
    made = {small_market.currency(): (small_market, api_snapshot)}

    def market_in(currency: str) -> tuple[Dataset, FeatureSnapshot]:
        if currency not in made:
            dataset = named_in(small_market, currency)
            snapshot = take_snapshot(
                api_artifact.model,
                dataset,
                dataset.end.date(),
                improver=improver_of(api_artifact),
                currency=currency,
            )
            made[currency] = (dataset, snapshot)
        return made[currency]

    return market_in


@pytest.fixture
def serve(
    markets_in: Callable[[str], tuple[Dataset, FeatureSnapshot]],
    api_artifact: ModelArtifact,
    tmp_path: Path,
    book_maker: Callable[[str], Engine],
) -> Callable[..., AbstractContextManager[Served]]:
    """Opens the api on a fresh book of a backend (a test that needs many: a state machine),
    under the default policy or ``policy`` (its book funded in its currency, the records named
    in it: ``named_in``)."""

    @contextmanager
    def open_served(backend: str, policy: Policy | None = None) -> Iterator[Served]:
        policy = policy or default_policy()
        small_market, api_snapshot = markets_in(policy.currency)
        folder = tmp_path / uuid.uuid4().hex
        folder.mkdir()
        engine, url = _engine(folder, small_market, backend, book_maker, policy.currency)
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
            policy=policy,
            data=small_market,
            engine=engine,
            today=lambda: business_date,
            improver=improver_of(api_artifact),
            snapshot=api_snapshot,
            # One process starts an app per test: a full collection at each start buys nothing.
            settings=ApiSettings(freeze_heap=False),
        )
        with TestClient(create_app(context), raise_server_exceptions=False) as client:
            yield Served(client, context, keys, url)
        engine.dispose()

    return open_served


@pytest.fixture
def served(
    request: pytest.FixtureRequest, serve: Callable[[str], AbstractContextManager[Served]]
) -> Iterator[Served]:
    """The api on a SQLite book; ``indirect`` parametrisation with "postgresql" moves it."""
    with serve(getattr(request, "param", "sqlite")) as opened:
        yield opened
