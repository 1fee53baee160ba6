"""The one currency of lending: the records' (``Dataset.currency``), which must be the policy's.

A policy's amounts (limits, minimum, step) are in its currency, and the records' amounts (sales,
payouts, the features made from them, the amounts in reasons) are in theirs; deciding on one
with the other would compare numbers in two units. So serve, the backtest and underwriting from
the records take the currency from here, and refuse a policy in another.
"""

from __future__ import annotations

from microlend.data import Dataset
from microlend.errors import ConfigError
from microlend.policy import Policy

__all__ = ["lending_currency"]


def lending_currency(dataset: Dataset, policy: Policy) -> str:
    """The currency ``dataset`` is in, which ``policy`` lends in; ``ConfigError`` otherwise."""
    currency = dataset.currency()
    if currency != policy.currency:
        raise ConfigError(
            f"the records in {dataset.root} are in {currency}, but policy "
            f"{policy.version!r} lends in {policy.currency}: give a policy in {currency}"
        )
    return currency
