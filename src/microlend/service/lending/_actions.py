"""Servicing actions on a disbursed loan: pause its payments (and resume them: ``_pausing``),
charge it off, write it off (``_take_off``), grant a goodwill credit (``_goodwill``). Each is
audited (``_audit``): who (the caller's key id, ``book`` for the book's own commands), when (the
business date, and the moment it was recorded) and why (a reason, which is required), in
``store.LoanActions``, in the same database transaction as its effect.

Like every command on a loan, each holds the loan's lock and takes an idempotency key (the
same key again answers as the first time; with a different request it is refused). A pause
posts nothing (servicing reads it beside the postings: ``ledger.Pause``) and is undone by
``resume_pause``; a charge-off, a write-off and a goodwill credit post one transaction each,
undone by ``reverse_transaction`` like any other. Those three move money off the book at the
lender's cost: above the policy's ``approval_threshold`` each is only proposed, and applied when
another key approves it (``_maker_checker``, ``_approvals``; ``APPLIERS`` says how).
"""

from __future__ import annotations

from collections.abc import Mapping

from microlend.service.lending._goodwill import approve_goodwill
from microlend.service.lending._maker_checker import Applier
from microlend.service.lending._take_off import approve_taking_off
from microlend.store import ActionKind

__all__ = ["APPLIERS"]

#: How an approved proposal of each kind is applied: a kind held for approval joins here.
APPLIERS: Mapping[ActionKind, Applier] = {
    ActionKind.CHARGE_OFF: approve_taking_off(ActionKind.CHARGE_OFF),
    ActionKind.WRITE_OFF: approve_taking_off(ActionKind.WRITE_OFF),
    ActionKind.GOODWILL_CREDIT: approve_goodwill,
}
