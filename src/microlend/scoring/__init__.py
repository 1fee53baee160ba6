"""Scoring: PD to a 350-950 score (PDO scale), sub-scores, reason codes, what would raise it.

``rate`` is the one rating path: a table of feature rows in, ``Ratings`` out (a flat table and
one ``Rating`` per row) from one model pass and one contribution pass.

Scoring reads a PD model only through ``RiskModel`` (``feature_names_``, ``predict_pd``,
``contributions``) and the feature catalog passed in, so any model with those members can be rated.
``scorecard_sql`` writes a WoE ``Scorecard`` and the scale as SQL that DuckDB, PostgreSQL and
Spark SQL all run.
"""

from microlend.scoring._catalog import Catalog
from microlend.scoring._improve import Change, Improvement, Improver
from microlend.scoring._model import RiskModel
from microlend.scoring._rating import Rating, Ratings, rate
from microlend.scoring._reasons import TOP_REASONS, Reason, reasons
from microlend.scoring._scale import DEFAULT_BANDS, Band, ScoreScale
from microlend.scoring._sql import ScorecardSQL, scorecard_sql, scorecard_sql_text
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
    "Ratings",
    "Reason",
    "RiskModel",
    "ScoreScale",
    "ScorecardSQL",
    "dimension_log_odds",
    "rate",
    "reasons",
    "scorecard_sql",
    "scorecard_sql_text",
    "sub_scores",
]
