"""The servicing settings of the policy: above which amount an action waits for a risk
officer's approval (maker-checker), and whether interest falls due on a payment pause's days."""

from __future__ import annotations

from decimal import Decimal

import pytest
from policy_support import DEFAULT_TEXT, edited, edited_policy

from microlend.errors import ConfigError
from microlend.policy import default_policy, parse_policy

THRESHOLD = "approval_threshold = 500\n"


def test_the_default_holds_for_approval_above_500() -> None:
    assert default_policy().approval_threshold == Decimal(500)
    assert edited_policy(THRESHOLD, "approval_threshold = 1250.50\n").approval_threshold == (
        Decimal("1250.50")
    )
    # Without the setting (or the section) the threshold is still 500, never "no limit".
    assert edited_policy(THRESHOLD, "").approval_threshold == Decimal(500)


@pytest.mark.parametrize("bad", ["-1", "'500'", "1e15"])
def test_a_bad_threshold_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ConfigError, match="approval_threshold"):
        parse_policy(edited(THRESHOLD, f"approval_threshold = {bad}\n"))


def test_the_shipped_policy_names_the_threshold() -> None:
    assert THRESHOLD in DEFAULT_TEXT


# -- pause accrual (issue 17, item 1) -----------------------------------------------------------

PAUSE = 'pause_accrual = "stop"\n'


def test_interest_stops_in_a_pause_unless_the_policy_says_accrue() -> None:
    assert default_policy().accrue_in_pause is False
    assert edited_policy(PAUSE, 'pause_accrual = "accrue"\n').accrue_in_pause is True
    assert edited_policy(PAUSE, PAUSE).accrue_in_pause is False


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('pause_accrual = "sometimes"', "servicing.pause_accrual: expected one of stop, accrue"),
        ('pause_accural = "stop"', "servicing"),
    ],
)
def test_a_bad_servicing_setting_is_refused_by_key(line: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(edited(PAUSE, line + "\n"), source="edited.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("edited.toml: ")
