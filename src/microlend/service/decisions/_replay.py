"""Replay: a stored decision decided again from what it stored, under the policy it names.

``replay_decision`` rates the stored feature values again with the model given and decides again
with the stored request and exposure (``_decide.replay``). The policy must be the one the
decision was made under (its version and digest): under another, a difference would say nothing
about the record, so it is refused. A changed model, or a record that no longer gives its
decision, shows as ``same`` being false.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine

from microlend.errors import ConfigError
from microlend.policy import Decision, Policy
from microlend.scoring import RiskModel, ScoreScale
from microlend.service.decisions._decide import replay
from microlend.store import LoanBookQueries, in_transaction

__all__ = ["Replay", "replay_decision"]


@dataclass(frozen=True)
class Replay:
    """A stored decision and the one made again from its stored inputs."""

    stored: Decision
    replayed: Decision

    @property
    def same(self) -> bool:
        # Compared as JSON text: a missing feature is NaN, which equals nothing, not even itself.
        return _canonical(self.stored) == _canonical(self.replayed)


def _canonical(decision: Decision) -> str:
    return json.dumps(decision.to_dict(), sort_keys=True)


def replay_decision(
    engine: Engine,
    decision_id: str,
    model: RiskModel,
    policy: Policy,
    *,
    model_version: str | None = None,
    scale: ScoreScale | None = None,
) -> Replay:
    """Decide decision ``decision_id`` again from its stored inputs with ``model`` (named
    ``model_version``, by default the stored decision's model version) and ``policy``, which
    must be the version and digest the decision names (``ConfigError`` otherwise)."""
    record = in_transaction(engine, lambda s: LoanBookQueries(s).decision(decision_id))
    stored = record.decision
    if (policy.version, policy.digest) != (stored.policy_version, record.inputs.policy_digest):
        raise ConfigError(
            f"decision {decision_id} was made under policy {stored.policy_version!r} "
            f"({record.inputs.policy_digest[:12]}), not {policy.version!r} "
            f"({policy.digest[:12]}): replay it under that policy"
        )
    version = record.model_version if model_version is None else model_version
    replayed = replay(record, model, policy, model_version=version, scale=scale)
    return Replay(stored=stored, replayed=replayed)
