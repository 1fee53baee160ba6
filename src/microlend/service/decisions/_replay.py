"""Replay: a stored decision decided again from what it stored, under the policy it names.

``replay_decision`` rates the stored feature values again with the model given (and the improver
saved with it) and decides again with the stored request and exposure (``_decide.replay``). The
policy must be the one the decision was made under (its version and digest): under another, a
difference would say nothing about the record, so it is refused. A changed model, or a record
that no longer gives its decision, its suggestions or its notice, shows as ``same`` being false.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine

from microlend.errors import ConfigError
from microlend.policy import Decision, Notice, Policy
from microlend.scoring import Improver, RiskModel, ScoreScale
from microlend.service.decisions._decide import replay
from microlend.store import DecisionRecord, LoanBookQueries, in_transaction

__all__ = ["Replay", "replay_decision"]


@dataclass(frozen=True)
class Replay:
    """A stored decision and the one made again from its stored inputs, each with what would
    raise the score and the notice it gave."""

    stored_record: DecisionRecord
    replayed_record: DecisionRecord

    @property
    def stored(self) -> Decision:
        return self.stored_record.decision

    @property
    def replayed(self) -> Decision:
        return self.replayed_record.decision

    @property
    def stored_notice(self) -> Notice | None:
        return self.stored_record.notice

    @property
    def replayed_notice(self) -> Notice | None:
        return self.replayed_record.notice

    @property
    def same(self) -> bool:
        """The same decision, the same suggestions and the same notice (a decision stored
        before notices were kept has none to compare)."""
        stored, replayed = self.stored_record, self.replayed_record
        kept = stored.notice is not None or replayed.notice is None
        return (
            _canonical(stored) == _canonical(replayed)
            and stored.rating.improvements == replayed.rating.improvements
            and (stored.notice == replayed.notice or not kept)
        )


def _canonical(record: DecisionRecord) -> str:
    # Compared as JSON text: a missing feature is NaN, which equals nothing, not even itself.
    return json.dumps(record.decision.to_dict(), sort_keys=True)


def replay_decision(
    engine: Engine,
    decision_id: str,
    model: RiskModel,
    policy: Policy,
    *,
    improver: Improver | None,
    model_version: str | None = None,
    scale: ScoreScale | None = None,
) -> Replay:
    """Decide decision ``decision_id`` again from its stored inputs with ``model`` (named
    ``model_version``, by default the stored decision's model version), the ``improver`` saved
    with it (``improver_of``) and ``policy``, which must be the version and digest the decision
    names (``ConfigError`` otherwise)."""
    record = in_transaction(engine, lambda s: LoanBookQueries(s).decision(decision_id))
    stored = record.decision
    if (policy.version, policy.digest) != (stored.policy_version, record.inputs.policy_digest):
        raise ConfigError(
            f"decision {decision_id} was made under policy {stored.policy_version!r} "
            f"({record.inputs.policy_digest[:12]}), not {policy.version!r} "
            f"({policy.digest[:12]}): replay it under that policy"
        )
    version = record.model_version if model_version is None else model_version
    replayed = replay(record, model, policy, improver=improver, model_version=version, scale=scale)
    return Replay(stored_record=record, replayed_record=replayed)
