"""``microlend serve`` as a user starts it (a real process on a free port) and ``microlend keys``.

The served process is polled on ``/health`` until it answers (a readiness poll, no fixed wait).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import httpx
import pytest
from cli_support import filed_keys, free_port, interrupt, log_in, printed, start_cli, wait_ready
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from microlend import service
from microlend.cli import _served, app
from microlend.data import Dataset
from microlend.service import Role, authenticate
from microlend.store import create_engine_for

runner = CliRunner()


@dataclass(frozen=True)
class Serving:
    base: str
    db: str
    keys: dict[str, str]
    merchant_key: str
    merchants: list[str]
    log: str


@pytest.fixture(scope="module")
def serving(
    small_market: Dataset,
    small_market_dir: Path,
    cli_model_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Serving]:
    folder = tmp_path_factory.mktemp("serve")
    db = f"sqlite:///{folder / 'book.sqlite'}"
    merchants = [str(m) for m in small_market.table("merchants").column("merchant_id").to_pylist()]
    port = free_port()
    log = folder / "serve.log"
    args = [
        "serve", "--model", str(cli_model_dir), "--data", str(small_market_dir), "--db", db,
        "--port", str(port), "--business-date", str(small_market.end.date()),
    ]  # fmt: skip
    process = start_cli(args, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base, log)
        # A key made by `microlend keys` on the served book works at once.
        made = runner.invoke(
            app, ["keys", "--role", "merchant", "--merchant", merchants[0], "--db", db]
        )
        assert made.exit_code == 0, made.output
        text = log.read_text()
        # Its stdout is a log, not a terminal: the staff keys are in a file, named there.
        shown = printed(text)
        assert shown.key_file == folder / "book-keys.txt", text
        keys = filed_keys(shown.key_file)
        yield Serving(base, db, keys, made.stdout.strip(), merchants, text)
    finally:
        interrupt(process)


def test_serve_prints_where_to_go_and_two_staff_keys_once(serving: Serving) -> None:
    assert set(serving.keys) == {"risk_officer", "servicing"}
    assert not any(key in serving.log for key in serving.keys.values())
    assert f"{serving.base}/dashboard" in serving.log
    assert f"{serving.base}/docs" in serving.log
    engine = create_engine_for(serving.db)
    try:
        officer = authenticate(engine, serving.keys["risk_officer"])
        servicing = authenticate(engine, serving.keys["servicing"])
    finally:
        engine.dispose()
    assert officer is not None
    assert officer.role is Role.RISK_OFFICER
    assert servicing is not None
    assert servicing.role is Role.SERVICING


def test_served_app_answers_on_the_given_model_data_and_date(
    serving: Serving, small_market: Dataset
) -> None:
    health = httpx.get(f"{serving.base}/health").json()
    assert health["business_date"] == str(small_market.end.date())
    assert health["model_version"].startswith("pd-")
    officer = {"X-API-Key": serving.keys["risk_officer"]}
    decided = httpx.post(
        f"{serving.base}/v1/applications",
        json={"merchant_id": serving.merchants[3]},
        headers=officer,
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["as_of"] == str(small_market.end.date())
    assert httpx.get(f"{serving.base}/dashboard").status_code == 303  # to the login form
    with httpx.Client(base_url=serving.base) as browser:
        log_in(browser, serving.keys["risk_officer"])
        dashboard = browser.get("/dashboard")
    assert dashboard.status_code == 200
    assert f"Portfolio as of {small_market.end.date()}" in dashboard.text


def test_root_leads_to_the_dashboard_and_the_console_needs_no_network(serving: Serving) -> None:
    root = httpx.get(f"{serving.base}/")
    assert root.status_code == 303
    assert root.headers["location"] == "/dashboard"
    console = httpx.get(f"{serving.base}/docs")
    assert console.status_code == 200
    # Every script, style and icon of the page is the server's own: no address leaves it.
    assert "http://" not in console.text
    assert "https://" not in console.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs/assets/{asset}" in console.text
        served = httpx.get(f"{serving.base}/docs/assets/{asset}")
        assert served.status_code == 200
        assert len(served.content) > 10_000
    assert httpx.get(f"{serving.base}/redoc").status_code == 404


def test_a_key_from_microlend_keys_sees_only_its_merchant(serving: Serving) -> None:
    own, other = serving.merchants[0], serving.merchants[1]
    headers = {"X-API-Key": serving.merchant_key}
    mine = httpx.get(f"{serving.base}/v1/merchants/{own}/score", headers=headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["merchant_id"] == own
    theirs = httpx.get(f"{serving.base}/v1/merchants/{other}/score", headers=headers)
    assert theirs.status_code == 404
    anonymous = httpx.get(f"{serving.base}/v1/merchants/{own}/score")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")


def test_keys_stores_only_a_hash(tmp_path: Path) -> None:
    db_file = tmp_path / "keys.sqlite"
    made = runner.invoke(app, ["keys", "--role", "risk_officer", "--db", f"sqlite:///{db_file}"])
    assert made.exit_code == 0, made.output
    key = filed_keys(Path(made.stdout.strip()))["risk_officer"]
    engine = create_engine_for(f"sqlite:///{db_file}")
    try:
        found = authenticate(engine, key)
    finally:
        engine.dispose()
    assert found is not None
    assert found.role is Role.RISK_OFFICER
    secret = key.split("_", 2)[2]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("keys.sqlite*"))
    assert secret.encode() not in stored


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "cashier"], "--role must be one of"),
        (["--role", "merchant"], "a merchant key needs --merchant"),
        (["--role", "servicing", "--merchant", "M1"], "only a merchant key takes one"),
    ],
)
def test_keys_refuses_a_wrong_role_clearly(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["keys", *args, "--db", f"sqlite:///{tmp_path / 'k.sqlite'}"])
    assert result.exit_code == 2
    assert message in result.stderr


def test_serve_help_names_its_options() -> None:
    result = runner.invoke(app, ["serve", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for text in ("--model", "--data", "--db", "--host", "--port", "--policy", "--business-date"):
        assert text in result.output
    assert "/dashboard" in result.output
    assert "/docs" in result.output


def test_serve_rejects_a_bad_business_date(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "serve", "--model", str(cli_model_dir), "--data", str(small_market_dir),
            "--db", f"sqlite:///{tmp_path / 'b.sqlite'}", "--business-date", "31/12/2024",
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "not a date: '31/12/2024'" in result.stderr


def _serve_once(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[Result, list[FastAPI]]:
    """``microlend serve ARGS`` up to the point where it would listen (the app it would serve
    is kept instead), without the dashboard's PSI baseline (a rebuild of the training
    population, which these tests do not look at)."""
    served: list[FastAPI] = []
    monkeypatch.setattr(_served, "run_server", lambda api, host, port: served.append(api))
    monkeypatch.setattr(service, "baseline_on_records", lambda artifact, dataset: None)
    return runner.invoke(app, ["serve", *args]), served


def test_serve_past_the_datas_end_serves_as_of_it_and_says_so(
    small_market: Dataset,
    small_market_dir: Path,
    cli_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    end = small_market.end.date()
    assert datetime.now(UTC).date() > end  # the simulated records end in the past
    db = f"sqlite:///{tmp_path / 'book.sqlite'}"
    args = ["--model", str(cli_model_dir), "--data", str(small_market_dir), "--db", db]
    result, served = _serve_once(monkeypatch, args)
    assert result.exit_code == 0, result.output
    assert f"business date {end}: the data's end" in result.stderr
    assert TestClient(served[0]).get("/health").json()["business_date"] == str(end)
    # The first start's staff keys: in a file only its owner reads, never on stdout.
    keys = filed_keys(tmp_path / "book-keys.txt")
    assert set(keys) == {"risk_officer", "servicing"}
    assert not any(key in result.output for key in keys.values())
    assert f"written to a file only you can read: {tmp_path / 'book-keys.txt'}" in result.stdout
    # A later start makes no key, so it writes no file.
    again, _ = _serve_once(monkeypatch, args)
    assert again.exit_code == 0, again.output
    assert "keys written" not in again.stdout
    assert sorted(p.name for p in tmp_path.glob("*.txt")) == ["book-keys.txt"]


def test_serve_refuses_a_policy_in_another_currency_than_the_records(
    small_market_dir: Path, cli_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    (tmp_path / "jpy.toml").write_text(text.replace('currency = "USD"', 'currency = "JPY"'))
    db = f"sqlite:///{tmp_path / 'book.sqlite'}"
    args = ["--model", str(cli_model_dir), "--data", str(small_market_dir), "--db", db]
    result, served = _serve_once(monkeypatch, [*args, "--policy", str(tmp_path / "jpy.toml")])
    assert result.exit_code == 2, result.output
    assert "are in USD, but policy 'default-2026.1' lends in JPY" in result.stderr
    assert served == []
    assert not (tmp_path / "book.sqlite").exists()  # refused before the book was opened


def test_serve_help_says_the_default_business_date_and_the_key_file() -> None:
    result = runner.invoke(app, ["serve", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "data's end" in result.output
    assert "--key-file" in result.output
