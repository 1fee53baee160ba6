"""Verdicts for schedulers and for people: the worst stability verdict decides whether anyone
must act; ``verdict_label`` is the one wording of a verdict on a page or in a terminal."""

from __future__ import annotations

from collections.abc import Iterable

from microlend.monitoring._stability import Stability, Verdict

__all__ = ["verdict_label", "worst_verdict"]

# Not enough data ranks above stable (nothing shows the book is stable) and below watch (a
# verdict that rests on evidence says more than one that cannot be given).
_SEVERITY = {Verdict.STABLE: 0, Verdict.INSUFFICIENT: 1, Verdict.WATCH: 2, Verdict.ACT: 3}


def worst_verdict(stabilities: Iterable[Stability]) -> Verdict:
    """The most severe verdict among ``stabilities`` (stable when there are none)."""
    return max((s.verdict for s in stabilities), key=_SEVERITY.__getitem__, default=Verdict.STABLE)


def verdict_label(verdict: Verdict | str, n: int) -> str:
    """``verdict`` (or its value, as a table holds it) as people read it: ``not enough data
    (n)`` when it rests on too few rows (``n`` of them), else its own name."""
    found = Verdict(verdict)
    return f"not enough data ({n:,})" if found is Verdict.INSUFFICIENT else found.value
