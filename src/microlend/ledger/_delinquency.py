"""Delinquency: buckets of days past due, and the default write-off rule."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["WRITE_OFF_DAYS", "Bucket", "CovenantStatus", "delinquency_bucket"]

#: Days past due from which a loan is written off unless a rule says otherwise.
WRITE_OFF_DAYS = 90


class Bucket(StrEnum):
    """The usual delinquency buckets (roll rates move loans between them)."""

    CURRENT = "current"
    DPD_1_29 = "1-29"
    DPD_30_59 = "30-59"
    DPD_60_89 = "60-89"
    DPD_90_PLUS = "90+"
    WRITTEN_OFF = "written_off"
    CHARGED_OFF = "charged_off"


class CovenantStatus(StrEnum):
    """Whether a share-of-sales loan has paid its minimum by every milestone passed."""

    MET = "met"
    BREACHED = "breached"


_LOWER_BOUNDS = (
    (90, Bucket.DPD_90_PLUS),
    (60, Bucket.DPD_60_89),
    (30, Bucket.DPD_30_59),
    (1, Bucket.DPD_1_29),
)


def delinquency_bucket(days_past_due: int) -> Bucket:
    """The bucket of a loan ``days_past_due`` days late (0 is current)."""
    if days_past_due < 0:
        raise ValueError(f"days past due cannot be negative, got {days_past_due}")
    for lower, bucket in _LOWER_BOUNDS:
        if days_past_due >= lower:
            return bucket
    return Bucket.CURRENT
