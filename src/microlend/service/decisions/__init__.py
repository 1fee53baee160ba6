"""Decisions: an application's features and rating -> the policy's decision -> its stored audit,
one path whether the features come from the records or from the feature snapshot; replay, one
path for every stored decision; and the notices stored with them."""

from microlend.service.decisions._currency import lending_currency
from microlend.service.decisions._decide import (
    Application,
    decide_and_store,
    decide_application,
    decision_id_for,
)
from microlend.service.decisions._notice import StoredNotice, decision_notice, latest_notice
from microlend.service.decisions._online import decision_merchant, underwrite
from microlend.service.decisions._records import underwrite_application
from microlend.service.decisions._replay import Replay, replay_decision

__all__ = [
    "Application",
    "Replay",
    "StoredNotice",
    "decide_and_store",
    "decide_application",
    "decision_id_for",
    "decision_merchant",
    "decision_notice",
    "latest_notice",
    "lending_currency",
    "replay_decision",
    "underwrite",
    "underwrite_application",
]
