"""The policy's ``[servicing]`` section: the maker-checker threshold and pause accrual."""

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
