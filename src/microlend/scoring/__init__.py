"""Scoring: PD to a 350-950 score (PDO scale), sub-scores, reason codes, what would raise it.

Scoring reads a PD model only through ``RiskModel`` (``feature_names_``, ``predict_pd``,
``contributions``) and the feature catalog passed in, so any model with those members can be rated.
"""

from microlend.scoring._catalog import Catalog
from microlend.scoring._improve import Change, Improvement, Improver
from microlend.scoring._model import RiskModel
from microlend.scoring._rating import Rating, rate, score_table
from microlend.scoring._reasons import TOP_REASONS, Reason, reasons
from microlend.scoring._scale import DEFAULT_BANDS, Band, ScoreScale
from microlend.scoring._subscores import dimension_log_odds, sub_scores

__all__ = [
    "DEFAULT_BANDS",
    "TOP_REASONS",
    "Band",
    "Catalog",
    "Change",
    "Improvement",
    "Improver",
    "Rating",
    "Reason",
    "RiskModel",
    "ScoreScale",
    "dimension_log_odds",
    "rate",
    "reasons",
    "score_table",
    "sub_scores",
]
