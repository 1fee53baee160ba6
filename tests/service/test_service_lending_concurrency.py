from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from test_service_lending import DAY, SHARE, assert_book_sound, open_loan, usd

from microlend.ledger import Account
from microlend.service import post_settlement
from microlend.store import LoanBookQueries

SETTLEMENTS = 50


def test_concurrent_settlements_never_take_more_than_is_owed(engine: Engine) -> None:
    loan_id = open_loan(engine, SHARE, principal="500.00")  # owes 500 + 50 fee
    net = usd("100.00")  # a holdback of 20.00 each: 1000.00 in all, far more than owed

    def settle(number: int) -> Decimal:
        return post_settlement(engine, loan_id, net, DAY, f"settlement-{number}").amount

    with ThreadPoolExecutor(max_workers=16) as pool:
        taken = list(pool.map(settle, range(SETTLEMENTS)))

    assert sum(taken, Decimal(0)) == min(SETTLEMENTS * Decimal("20.00"), Decimal("550.00"))
    assert sorted(taken)[-1] == Decimal("20.00")
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        loan = queries.balances("USD", loan_id=loan_id)
        assert loan[Account.LOANS_RECEIVABLE] == loan[Account.FEES_RECEIVABLE] == 0
        assert len(queries.loan_transactions(loan_id)) == 1 + 550 // 20 + 1  # 27 full, 1 of 10
    assert_book_sound(engine)
