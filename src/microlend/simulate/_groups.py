"""An optional group attribute of merchants (``owner_group``), to prove the fairness screen.

A lender may hold a demographic column (the owner's group, collected under small-business data
rules) that the model never sees. The screen must tell a group that differs in risk from one
that does not, so the simulator can draw the column two ways:

- ``unlinked``: group B is a random 30 % of merchants, independent of every trait: no real
  link to risk, so a fair model approves, prices and calibrates both groups alike;
- ``linked``: group B is likelier among low-quality merchants (a trait the records partly show,
  so the model's features predict the group: a proxy) and carries extra failure hazard the
  records never show (so a model calibrated on everyone under-predicts group B's PD).

The draws use their own random stream, so the rest of a seed's marketplace is unchanged by an
unlinked attribute (and a run without one is the run it always was).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from microlend.errors import ConfigError
from microlend.simulate._traits import Traits

__all__ = ["GROUP_COLUMN", "GROUP_KINDS", "GROUP_NAMES", "with_groups"]

#: The merchants column the attribute is written to.
GROUP_COLUMN = "owner_group"
#: Its values, by group index.
GROUP_NAMES = ("A", "B")
GROUP_KINDS = ("linked", "unlinked")

_UNLINKED_SHARE_B = 0.3
# Linked: logit P(B) = _INTERCEPT + _QUALITY * quality (about 30 % B, most of them below the
# median quality), and B's log hazard is _HIDDEN_RISK higher whatever its records show.
_INTERCEPT = -1.6
_QUALITY = -2.5
_HIDDEN_RISK = 0.8


def with_groups(kind: str, traits: Traits, rng: np.random.Generator) -> Traits:
    """``traits`` with a group drawn ``kind`` (``linked`` or ``unlinked``)."""
    n = traits.count
    if kind == "unlinked":
        group = (rng.random(n) < _UNLINKED_SHARE_B).astype(np.int64)
        return replace(traits, group=group)
    if kind == "linked":
        chance = 1.0 / (1.0 + np.exp(-(_INTERCEPT + _QUALITY * traits.quality)))
        group = (rng.random(n) < chance).astype(np.int64)
        return replace(traits, group=group, group_risk=_HIDDEN_RISK * group.astype(np.float64))
    raise ConfigError(f"group attribute: expected one of {', '.join(GROUP_KINDS)}, got {kind!r}")
