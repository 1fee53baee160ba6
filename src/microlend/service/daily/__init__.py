"""The daily cycle: one business day closed, from the records that arrived to the model's
verdicts, resumable and idempotent per date (``microlend day`` and ``microlend run``)."""

from microlend.service.daily._day import DayReport, close_business_day, prequalified_offers
from microlend.service.daily._steps import STEPS

__all__ = ["STEPS", "DayReport", "close_business_day", "prequalified_offers"]
