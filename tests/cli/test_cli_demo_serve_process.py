"""``microlend demo --serve`` as a user runs it: a real process that simulates, fits and then
serves, on a free port, read back through what it printed and stopped with Ctrl+C (SIGINT).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from cli_support import (
    Printed,
    filed_keys,
    free_port,
    interrupt,
    log_in,
    printed,
    start_cli,
    wait_ready,
)

from microlend.data import load_dataset
from microlend.store import DecisionRecord, LoanBookQueries, create_engine_for, in_transaction

# Small, yet the demo fits a model that ranks: loans mature 90 + 365 days into the records, so
# 14 months leave none to train on, and 18 months (or 1,000 merchants) fit a constant PD.
DEMO = ["--merchants", "1500", "--months", "20", "--seed", "3"]
BOOK = re.compile(r"^book: (sqlite:///\S+)", re.M)


def _stored_decision(book_url: str, decision_id: str) -> DecisionRecord:
    engine = create_engine_for(book_url)
    try:
        return in_transaction(
            engine, lambda session: LoanBookQueries(session).decision(decision_id)
        )
    finally:
        engine.dispose()


def _merchants(out: Path) -> list[str]:
    """The merchants of the records the demo wrote (and its book holds)."""
    merchants = load_dataset(out / "data").table("merchants").column("merchant_id")
    return [str(m) for m in merchants.to_pylist()]


def _as_the_merchant(base: str, shown: Printed, others: list[str]) -> dict[str, Any]:
    """The example merchant's key: its own score, an application (the decision), and nobody
    else's score."""
    merchant, own = shown.key_merchant, {"X-API-Key": shown.keys["merchant"]}
    score = httpx.get(f"{base}/v1/merchants/{merchant}/score", headers=own)
    assert score.status_code == 200, score.text
    assert score.json()["merchant_id"] == merchant
    applied = httpx.post(f"{base}/v1/applications", json={"merchant_id": merchant}, headers=own)
    assert applied.status_code == 201, applied.text
    other = next(m for m in others if m != merchant)
    theirs = httpx.get(f"{base}/v1/merchants/{other}/score", headers=own)
    assert theirs.status_code == 404, theirs.text
    decision: dict[str, Any] = applied.json()
    return decision


def test_demo_serve_serves_its_book_with_the_printed_keys_until_ctrl_c(tmp_path: Path) -> None:
    out, log, port = tmp_path / "demo", tmp_path / "demo.log", free_port()
    process = start_cli(["demo", *DEMO, "--out", str(out), "--serve", "--port", str(port)], log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base, log)
        text = log.read_text()
        shown, book = printed(text), BOOK.search(text)
        assert book is not None, text
        assert book[1] == f"sqlite:///{out / 'book.sqlite'}"
        # Its stdout is a log, not a terminal: the staff keys are in a file only its owner
        # reads, named there; the merchant's key is printed.
        assert set(shown.keys) == {"merchant"}
        assert shown.key_file == out / "book-keys.txt", text
        staff = filed_keys(shown.key_file)
        assert set(staff) == {"risk_officer", "servicing"}
        assert not any(key in text for key in staff.values())
        merchant = shown.key_merchant
        assert merchant is not None
        assert shown.urls["dashboard (risk officer)"] == f"{base}/dashboard"
        assert shown.urls["merchant page"] == f"{base}/merchants/{merchant}"
        business_date = httpx.get(f"{base}/health").json()["business_date"]
        decision = _as_the_merchant(base, shown, _merchants(out))
        assert (decision["merchant_id"], decision["as_of"]) == (merchant, business_date)
        with httpx.Client(base_url=base) as officer:
            log_in(officer, staff["risk_officer"])
            dashboard = officer.get(shown.urls["dashboard (risk officer)"])
        assert dashboard.status_code == 200
        assert f"Portfolio as of {business_date}" in dashboard.text
        with httpx.Client(base_url=base) as owner:
            log_in(owner, shown.keys["merchant"])
            page = owner.get(shown.urls["merchant page"])
        assert page.status_code == 200
        assert f'<span id="score">{decision["score"]}</span>' in page.text
    finally:
        status = interrupt(process)
    assert status == 0, log.read_text()
    stored = _stored_decision(book[1], decision["decision_id"])
    assert (stored.merchant_id, str(stored.as_of)) == (merchant, business_date)
    assert stored.decision.approved == decision["approved"]
