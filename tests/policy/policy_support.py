"""Builders shared by the policy tests: ratings, feature rows and edited policy files."""

from __future__ import annotations

from importlib import resources

from microlend.features import Dimension
from microlend.policy import Policy, parse_policy
from microlend.scoring import Rating, Reason, ScoreScale

DEFAULT_TEXT = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")

SCALE = ScoreScale()

SCORE_REASONS = (
    Reason(
        "gmv_growth_90d",
        0.4,
        -0.3,
        "your sales of the last 90 days fell by 30.0 % from the 90 days before",
    ),
    Reason(
        "refund_rate_90d",
        0.2,
        0.12,
        "your refunds over the last 90 days came to 12.0 % of your orders",
    ),
)

#: A healthy merchant that passes every default knock-out.
GOOD_FEATURES: dict[str, float | None] = {
    "tenure_days": 400.0,
    "days_since_last_sale": 1.0,
    "gmv_90d": 30_000.0,
    "gmv_growth_90d": 0.1,
    # Net payouts a little under the forecast's (30,000 x 92 % x 1.05 / 90 = 322.00 a day):
    # 300.00 a day, so an estimate from either can be told apart.
    "settlement_net_90d": 27_000.0,
    "prior_defaults": 0.0,
}


def rating(pd: float, *, key: str = "m-1") -> Rating:
    """A rating of ``pd`` on the default scale (score and band consistent with it)."""
    score = int(SCALE.points(pd))
    return Rating(
        key=key,
        pd=pd,
        score=score,
        band=SCALE.band(score),
        sub_scores=dict.fromkeys(Dimension, score),
        reasons=SCORE_REASONS,
        improvements=(),
    )


def features(**changes: float | None) -> dict[str, float | None]:
    return GOOD_FEATURES | changes


def edited(old: str, new: str) -> str:
    """The default policy's text with ``old`` (which must occur once) replaced by ``new``."""
    assert DEFAULT_TEXT.count(old) == 1, old
    return DEFAULT_TEXT.replace(old, new)


def edited_policy(old: str, new: str) -> Policy:
    return parse_policy(edited(old, new), source="edited.toml")
