"""The servicing settings of the policy: whether interest falls due on a payment pause's days."""

from __future__ import annotations

import pytest
from policy_support import DEFAULT_TEXT

from microlend.errors import ConfigError
from microlend.policy import default_policy, parse_policy


def test_interest_stops_in_a_pause_unless_the_policy_says_accrue() -> None:
    assert default_policy().accrue_in_pause is False
    accrue = parse_policy(DEFAULT_TEXT + '\n[servicing]\npause_accrual = "accrue"\n')
    assert accrue.accrue_in_pause is True
    stop = parse_policy(DEFAULT_TEXT + '\n[servicing]\npause_accrual = "stop"\n')
    assert stop.accrue_in_pause is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('pause_accrual = "sometimes"', "servicing.pause_accrual: expected one of stop, accrue"),
        ('pause_accural = "stop"', "servicing"),
    ],
)
def test_a_bad_servicing_setting_is_refused_by_key(table: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(DEFAULT_TEXT + f"\n[servicing]\n{table}\n", source="edited.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("edited.toml: ")
