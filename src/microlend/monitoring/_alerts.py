"""Verdicts for schedulers: the worst stability verdict decides whether anyone must act."""

from __future__ import annotations

from collections.abc import Iterable

from microlend.monitoring._stability import Stability, Verdict

__all__ = ["worst_verdict"]

_SEVERITY = {Verdict.STABLE: 0, Verdict.WATCH: 1, Verdict.ACT: 2}


def worst_verdict(stabilities: Iterable[Stability]) -> Verdict:
    """The most severe verdict among ``stabilities`` (stable when there are none)."""
    return max((s.verdict for s in stabilities), key=_SEVERITY.__getitem__, default=Verdict.STABLE)
