from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.errors import ConfigError, LedgerError
from microlend.ledger import DEFAULT_WATERFALL, Component, allocate

cents = st.decimals(min_value=0, max_value=100_000, places=2)
dues = st.dictionaries(st.sampled_from(Component), cents)
waterfalls = st.permutations(list(Component)).map(tuple)


@given(cents, dues, waterfalls)
def test_allocation_conserves_money_and_never_exceeds_what_is_due(
    payment: Decimal, due: dict[Component, Decimal], waterfall: tuple[Component, ...]
) -> None:
    allocation = allocate(payment, due, waterfall)
    assert allocation.applied + allocation.overpayment == payment
    assert allocation.overpayment >= 0
    for component, amount in allocation.paid.items():
        assert 0 < amount <= due[component]
    # Money is left over only once everything due has been paid.
    if allocation.overpayment > 0:
        assert allocation.applied == sum(due.values(), Decimal(0))


@given(cents, dues, waterfalls)
def test_a_component_is_paid_only_after_those_before_it(
    payment: Decimal, due: dict[Component, Decimal], waterfall: tuple[Component, ...]
) -> None:
    allocation = allocate(payment, due, waterfall)
    for position, component in enumerate(waterfall):
        if allocation.paid.get(component, Decimal(0)) > 0:
            for earlier in waterfall[:position]:
                assert allocation.paid.get(earlier, Decimal(0)) == due.get(earlier, Decimal(0))


def test_fees_then_interest_then_principal_by_hand() -> None:
    due = {
        Component.FEES: Decimal("5"),
        Component.INTEREST: Decimal("10"),
        Component.PRINCIPAL: Decimal("100"),
    }
    allocation = allocate(Decimal("12"), due, DEFAULT_WATERFALL)
    assert dict(allocation.paid) == {Component.FEES: Decimal("5"), Component.INTEREST: Decimal("7")}
    assert allocation.overpayment == 0
    principal_first = allocate(Decimal("130"), due, ["principal", "interest", "fees"])
    assert dict(principal_first.paid) == due
    assert principal_first.overpayment == Decimal("15")


def test_allocation_refuses_what_would_break_the_book() -> None:
    with pytest.raises(LedgerError):
        allocate(Decimal("-1"), {}, DEFAULT_WATERFALL)
    with pytest.raises(LedgerError):
        allocate(Decimal("1"), {Component.FEES: Decimal("-2")}, DEFAULT_WATERFALL)
    with pytest.raises(ConfigError, match="leaves interest unpaid"):
        allocate(Decimal("1"), {Component.INTEREST: Decimal("2")}, ["fees", "principal"])
