"""Decisions: an application's features and rating -> the policy's decision -> its stored audit,
one path whether the features come from the records or from the feature snapshot; and replay."""

from microlend.service.decisions._decide import (
    Application,
    decide_and_store,
    decide_application,
    decision_id_for,
)
from microlend.service.decisions._online import (
    Replay,
    decision_merchant,
    replay_decision,
    underwrite,
)
from microlend.service.decisions._records import (
    ApplicationReplay,
    replay_application,
    underwrite_application,
)

__all__ = [
    "Application",
    "ApplicationReplay",
    "Replay",
    "decide_and_store",
    "decide_application",
    "decision_id_for",
    "decision_merchant",
    "replay_application",
    "replay_decision",
    "underwrite",
    "underwrite_application",
]
