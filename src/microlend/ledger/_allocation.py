"""Payment allocation: a waterfall is data, and one function applies it.

Fineract writes each repayment strategy as a class; here a strategy is just the order of the
components (``("fees", "interest", "principal")`` or any order a product names). A payment fills
each component's due amount in that order; what remains after everything due is the overpayment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from microlend.errors import ConfigError, LedgerError
from microlend.ledger._terms import Component, as_waterfall

__all__ = ["Allocation", "allocate"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Allocation:
    """How one payment was applied: an amount per component, and the overpayment left over."""

    paid: Mapping[Component, Decimal] = field(default_factory=dict)
    overpayment: Decimal = _ZERO

    @property
    def applied(self) -> Decimal:
        """The part of the payment that settled something due."""
        return sum(self.paid.values(), _ZERO)


def allocate(
    payment: Decimal,
    due_by_component: Mapping[Component, Decimal],
    waterfall: Iterable[str],
) -> Allocation:
    """Apply ``payment`` to ``due_by_component`` in ``waterfall`` order.

    Each component gets at most what is due on it, so nothing is ever paid twice; the parts plus
    the overpayment equal the payment exactly (no rounding happens: amounts are already money).
    """
    order = as_waterfall(tuple(waterfall))
    if payment < 0:
        raise LedgerError(f"a payment cannot be negative, got {payment}")
    _check_due(due_by_component, order)
    paid: dict[Component, Decimal] = {}
    remaining = payment
    for component in order:
        share = min(remaining, due_by_component.get(component, _ZERO))
        if share > 0:
            paid[component] = share
            remaining -= share
    return Allocation(MappingProxyType(paid), remaining)


def _check_due(due_by_component: Mapping[Component, Decimal], order: tuple[Component, ...]) -> None:
    for component, due in due_by_component.items():
        if due < 0:
            raise LedgerError(f"the amount due on {component} cannot be negative, got {due}")
        if due > 0 and component not in order:
            # Money left unapplied while something is due would be an overpayment by mistake.
            raise ConfigError(f"waterfall {list(order)} leaves {component} unpaid")
