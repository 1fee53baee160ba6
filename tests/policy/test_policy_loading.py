"""The policy file: the default loads, and bad files are refused one rule at a time, by key."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from policy_support import DEFAULT_TEXT, edited

from microlend.errors import ConfigError
from microlend.ledger import Frequency
from microlend.policy import Missing, Operator, default_policy, load_policy, parse_policy

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_example_is_the_package_default() -> None:
    assert (REPO / "policies" / "default.toml").read_text("utf-8") == DEFAULT_TEXT
    assert load_policy(REPO / "policies" / "default.toml") == default_policy()


def test_the_default_policy_reads_as_written() -> None:
    policy = default_policy()
    assert policy.version == "default-2026.1"
    assert policy.digest == hashlib.sha256(DEFAULT_TEXT.encode()).hexdigest()
    assert policy.currency == "USD"
    assert policy.min_score == 550
    assert [k.code for k in policy.knockouts] == [
        "short_tenure",
        "sales_stopped",
        "low_sales",
        "prior_default",
        "open_arrears",
    ]
    tenure = policy.knockouts[0]
    assert (tenure.feature, tenure.op, tenure.value) == ("tenure_days", Operator.LT, 90.0)
    assert policy.knockouts[3].missing is Missing.PASS
    assert policy.pricing.lgd == Decimal("0.85")  # TOML floats are read exactly
    assert policy.limits.bands["weak"].max_multiple == Decimal("0.5")
    assert policy.instalment is not None
    assert policy.instalment.terms[2].frequency is Frequency.WEEKLY
    assert policy.share_of_sales is not None
    assert policy.share_of_sales.covenant.periods == 18


def test_the_digest_changes_with_the_text() -> None:
    changed = parse_policy(DEFAULT_TEXT + "\n# a comment\n")
    assert changed.digest != default_policy().digest
    assert changed.version == default_policy().version


def test_the_message_names_file_key_range_and_value() -> None:
    text = edited("share_of_monthly_sales = 1.25", 'share_of_monthly_sales = "abc"')
    with pytest.raises(ConfigError) as caught:
        parse_policy(text, source="policy.toml")
    assert str(caught.value) == (
        "policy.toml: limits.share_of_monthly_sales: expected a number between 0 and 3, got 'abc'"
    )


BAD_EDITS = [
    # wrong types and ranges
    (
        "share_of_monthly_sales = 1.25",
        "share_of_monthly_sales = 4",
        "limits.share_of_monthly_sales",
    ),
    ("lgd = 0.85", "lgd = true", "pricing.lgd: expected a number between 0 and 1, got true"),
    ("lgd = 0.85", "lgd = nan", "pricing.lgd: expected a number between 0 and 1, got NaN"),
    ("min_score = 550", "min_score = 2000", "cutoffs.min_score"),
    ("step = 100", "step = -100", "limits.step: expected a positive amount"),
    ("count = 6,", 'count = "six",', "products.fixed_instalment.terms[0].count"),
    ('currency = "USD"', 'currency = "US$"', "currency: expected an ISO 4217 code"),
    ("net_share = 0.92", "net_share = 0", "forecast.net_share"),
    ("[cutoffs]\nmin_score = 550", "cutoffs = 550", "cutoffs: expected a table, got 550"),
    # unknown and missing keys
    ('version = "default-2026.1"', 'version = "x"\ncolour = "red"', "colour: unknown key"),
    ("lgd = 0.85", "lgd = 0.85\nlgdd = 0.5", "pricing.lgdd: unknown key"),
    ('version = "default-2026.1"', "", "version: missing"),
    # knock-out rules
    ('op = "<"\nvalue = 90\n', 'op = "<<"\nvalue = 90\n', "knockouts[0].op: expected one of"),
    ('feature = "tenure_days"', 'feature = "tenure_dayz"', "knockouts[0].feature"),
    ('code = "low_sales"', 'code = "short_tenure"', "knockouts[2].code"),
    ('missing = "pass"', 'missing = "maybe"', "knockouts[3].missing"),
    ('sales_feature = "gmv_90d"', 'sales_feature = "gmv_91d"', "forecast.sales_feature"),
    # inconsistent grids
    ("minimum = 500", "minimum = 550", "limits.minimum: expected a multiple of limits.step"),
    ("merchant_cap = 100000", "merchant_cap = 100", "limits.merchant_cap"),
    (
        "[limits.bands.weak]\nmax_amount = 10000\nmax_multiple = 0.5",
        "[limits.bands.weak]",
        "limits.bands.weak: expected max_amount, max_multiple or both",
    ),
    (
        'bands = ["excellent", "good", "fair", "weak"]',
        'bands = ["excellent", "good", "fair", "weak", "poor"]',
        "products.share_of_sales.bands: band 'poor' has no limits.bands.poor cap",
    ),
    ("low = 0.1\nhigh = 0.6", "low = 0.7\nhigh = 0.6", "pricing.annual_rate.low"),
    ("step = 0.005", "step = 0", "pricing.annual_rate.step: expected more than 0"),
    ("[0.05, 0.08,", "[0.08, 0.05,", "products.share_of_sales.holdback_rates"),
    (
        '{ count = 26, frequency = "weekly" }',
        '{ count = 26, frequency = "daily" }',
        "products.fixed_instalment.terms[2].frequency",
    ),
    (
        '{ count = 26, frequency = "weekly" }',
        '{ count = 12, frequency = "monthly" }',
        "products.fixed_instalment.terms: names a term twice",
    ),
    ("target_days = 180", "target_days = 2000", "products.share_of_sales.target_days"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_EDITS)
def test_each_broken_rule_is_refused_naming_its_key(old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^edited\.toml: ") as caught:
        parse_policy(edited(old, new), source="edited.toml")
    assert message in str(caught.value)


def test_a_policy_needs_a_product() -> None:
    cut = DEFAULT_TEXT.index("[products.fixed_instalment]")
    with pytest.raises(ConfigError, match=r"products: expected fixed_instalment, share_of_sales"):
        parse_policy(DEFAULT_TEXT[:cut] + "[products]\n")


def test_a_policy_may_offer_one_product_only() -> None:
    cut = DEFAULT_TEXT.index("[products.share_of_sales]")
    policy = parse_policy(DEFAULT_TEXT[:cut])
    assert policy.share_of_sales is None
    assert policy.eligible_bands() == {"excellent", "good", "fair"}


def test_files_that_are_not_toml_or_not_there_are_config_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("version = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_policy(broken)
    with pytest.raises(ConfigError, match="no such policy file"):
        load_policy(tmp_path / "absent.toml")


def test_a_policy_in_a_currency_of_three_places_or_none_loads() -> None:
    for currency in ("KWD", "BHD", "JPY"):
        policy = parse_policy(edited('currency = "USD"', f'currency = "{currency}"'))
        assert policy.currency == currency


@pytest.mark.parametrize(
    ("currency", "old", "new", "message"),
    [
        ("JPY", "merchant_cap = 100000\n", "merchant_cap = 100000.5\n", "cap: 100000.5 is finer"),
        ("USD", "max_amount = 50000\n", "max_amount = 50000.005\n", "good.max_amount: 50000.005"),
        ("KWD", "max_amount = 10000\n", "max_amount = 10000.0001\n", "weak.max_amount: 10000.0001"),
        (
            "USD",
            "merchant_cap = 100000\n",
            "merchant_cap = 1e15\n",
            "less than 100,000,000,000,000",
        ),
    ],
)
def test_a_policy_amount_finer_than_its_currency_is_refused(
    currency: str, old: str, new: str, message: str
) -> None:
    text = edited(old, new).replace('currency = "USD"', f'currency = "{currency}"')
    with pytest.raises(ConfigError, match=message):
        parse_policy(text)
